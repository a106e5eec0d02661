/**
 * One-dimensional complex DFT of any length, planned once per length.
 *
 * Convention (numpy's): forward X_k = Σ_n x_n·e^{−2πi·kn/N}, unnormalised; inverse x_n = (1/N)·Σ_k X_k·e^{+2πi·kn/N}.
 * Complex vectors are interleaved Float64Arrays [re₀, im₀, re₁, im₁, …] of length 2N, the layout fft.js uses, so a
 * power-of-two plan hands buffers to fft.js without copying.
 *
 * fft.js (radix-4) only accepts powers of two ≥ 2. Length 1 is the identity; every other length goes through
 * Bluestein's chirp-z algorithm (bluestein.ts), which is exact (not an approximation) and itself runs on fft.js.
 */
import FFT from 'fft.js';
import { BluesteinFft } from './bluestein.js';

export interface ComplexFft {
  readonly size: number;
  /** out ← DFT(input). Both are interleaved, length 2·size, and must be different arrays. */
  forward(out: Float64Array, input: Float64Array): void;
  /** out ← inverse DFT(input), including the 1/N. Same buffer rules as `forward`. */
  inverse(out: Float64Array, input: Float64Array): void;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** The smallest power of two ≥ n. */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

// Plans hold twiddle tables (and, for Bluestein, the chirp's transform); building them costs more than a transform
// of small length, and a DFT-CCA run uses the same two or three lengths thousands of times.
const plans = new Map<number, ComplexFft>();

/** The (cached) plan for DFTs of length `size`. */
export function fftPlan(size: number): ComplexFft {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`fftPlan: length must be a positive integer, got ${size}`);
  let plan = plans.get(size);
  if (!plan) {
    if (size === 1) plan = new IdentityFft();
    else if (isPowerOfTwo(size)) plan = new RadixFourFft(size);
    else plan = new BluesteinFft(size, (n) => fftPlan(n));
    plans.set(size, plan);
  }
  return plan;
}

/** Length 1: the DFT of one value is that value. */
class IdentityFft implements ComplexFft {
  readonly size = 1;
  forward(out: Float64Array, input: Float64Array): void {
    checkBuffers(this.size, out, input);
    out[0] = input[0]!;
    out[1] = input[1]!;
  }
  inverse(out: Float64Array, input: Float64Array): void {
    this.forward(out, input);
  }
}

/** Powers of two: fft.js as is (its forward uses e^{−2πi·kn/N}; its inverse divides by N). */
class RadixFourFft implements ComplexFft {
  private readonly fft: FFT;
  constructor(readonly size: number) {
    this.fft = new FFT(size);
  }
  forward(out: Float64Array, input: Float64Array): void {
    checkBuffers(this.size, out, input);
    this.fft.transform(out, input);
  }
  inverse(out: Float64Array, input: Float64Array): void {
    checkBuffers(this.size, out, input);
    this.fft.inverseTransform(out, input);
  }
}

export function checkBuffers(size: number, out: Float64Array, input: Float64Array): void {
  // fft.js scales `out.length` entries in its inverse, so lengths must be exact, not merely large enough.
  if (out.length !== 2 * size || input.length !== 2 * size) {
    throw new RangeError(`fft of length ${size}: buffers must hold ${2 * size} values, got out ${out.length}, input ${input.length}`);
  }
  if (out === input) throw new RangeError(`fft of length ${size}: input and output must be different arrays`);
}
