/**
 * Seeded random choices of the analyses (random-neuron baselines, permutation noise floors and tests, bootstrap):
 * one mulberry32 stream per analysis call, started from the caller's seed, so a result is reproducible from its
 * reported seed. The one generator and the one shuffle of the code base.
 */

export const DEFAULT_SEED = 1;

export type Random = () => number;

export function randomStream(seed: number): Random {
  return mulberry32(seed);
}

/** A small, well-mixed 32-bit generator: reproducible permutations from a seed. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Puts `a` in a uniformly random order (Fisher–Yates), in place. */
export function shuffleInPlace(a: Int32Array, random: Random): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/** A uniformly random permutation of 0..n−1. */
export function permutation(n: number, random: Random): Int32Array {
  const a = Int32Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(a, random);
  return a;
}

/** n indices drawn uniformly with replacement from 0..n−1. */
export function resample(n: number, random: Random): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.floor(random() * n);
  return a;
}
