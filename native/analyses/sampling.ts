/**
 * Seeded random choices of the analyses (random-neuron baselines, permutation noise floors, bootstrap): one
 * mulberry32 stream (group-stats.ts) per analysis call, started from the caller's seed, so a result is
 * reproducible from its reported seed.
 */
import { mulberry32 } from './group-stats.js';

export const DEFAULT_SEED = 1;

export type Random = () => number;

export function randomStream(seed: number): Random {
  return mulberry32(seed);
}

/** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
export function permutation(n: number, random: Random): Int32Array {
  const a = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

/** n indices drawn uniformly with replacement from 0..n−1. */
export function resample(n: number, random: Random): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.floor(random() * n);
  return a;
}
