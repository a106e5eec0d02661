/**
 * Bluestein's chirp-z algorithm: an exact DFT of any length N from power-of-two FFTs.
 *
 * With 2kn = k² + n² − (k − n)²,
 *   X_k = Σ_n x_n·e^{−2πi·kn/N} = w̄_k · Σ_n (x_n·w̄_n)·w_{k−n},   w_j = e^{+iπ·j²/N},
 * so X is a chirp times the linear convolution of (x·w̄) with w. That convolution is done as a circular one of
 * power-of-two length L ≥ 2N − 1 (long enough that nothing wraps around), with w's FFT computed once per plan.
 * Cost O(L log L) ≈ three FFTs of length ~4N. Error ~ ε·log L·‖x‖, measured ≤ 1e-13 relative in the tests.
 *
 * Accuracy detail: the chirp angle π·j²/N is evaluated as π·(j² mod 2N)/N, exact in integers, so the phase does not
 * lose digits for large j the way π·j²/N in floating point would.
 */
import type { ComplexFft } from './fft.js';

export class BluesteinFft implements ComplexFft {
  /** Length of the power-of-two convolution. */
  readonly convolutionSize: number;
  private readonly inner: ComplexFft;
  /** w̄_n = e^{−iπ n²/N}, n < N, interleaved. */
  private readonly chirpConj: Float64Array;
  /** FFT of the length-L sequence b with b_j = b_{L−j} = w_j (j < N), zero elsewhere. */
  private readonly kernelSpectrum: Float64Array;
  private readonly work: Float64Array;
  private readonly workSpectrum: Float64Array;
  private readonly conjugated: Float64Array;

  /** `powerOfTwoPlan(L)` supplies the inner FFT (passed in so this file does not import the plan cache). */
  constructor(
    readonly size: number,
    powerOfTwoPlan: (length: number) => ComplexFft,
  ) {
    const n = size;
    let l = 1;
    while (l < 2 * n - 1) l *= 2;
    this.convolutionSize = l;
    this.inner = powerOfTwoPlan(l);

    this.chirpConj = new Float64Array(2 * n);
    const kernel = new Float64Array(2 * l);
    for (let j = 0; j < n; j++) {
      // j² mod 2N in exact integer arithmetic (j < N ≤ 2^26 keeps j² far below 2^53).
      const angle = (Math.PI * ((j * j) % (2 * n))) / n;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      this.chirpConj[2 * j] = c;
      this.chirpConj[2 * j + 1] = -s;
      kernel[2 * j] = c;
      kernel[2 * j + 1] = s;
      if (j > 0) {
        kernel[2 * (l - j)] = c;
        kernel[2 * (l - j) + 1] = s;
      }
    }
    this.kernelSpectrum = new Float64Array(2 * l);
    this.inner.forward(this.kernelSpectrum, kernel);
    this.work = new Float64Array(2 * l);
    this.workSpectrum = new Float64Array(2 * l);
    this.conjugated = new Float64Array(2 * n);
  }

  forward(out: Float64Array, input: Float64Array): void {
    const n = this.size;
    if (out.length !== 2 * n || input.length !== 2 * n) {
      throw new RangeError(`fft of length ${n}: buffers must hold ${2 * n} values, got out ${out.length}, input ${input.length}`);
    }
    if (out === input) throw new RangeError(`fft of length ${n}: input and output must be different arrays`);
    const l = this.convolutionSize;
    const a = this.work;
    const w = this.chirpConj;
    // a = x·w̄, zero-padded to L.
    for (let j = 0; j < n; j++) {
      const xr = input[2 * j]!;
      const xi = input[2 * j + 1]!;
      const cr = w[2 * j]!;
      const ci = w[2 * j + 1]!;
      a[2 * j] = xr * cr - xi * ci;
      a[2 * j + 1] = xr * ci + xi * cr;
    }
    a.fill(0, 2 * n);
    const spectrum = this.workSpectrum;
    this.inner.forward(spectrum, a);
    const k = this.kernelSpectrum;
    for (let j = 0; j < l; j++) {
      const ar = spectrum[2 * j]!;
      const ai = spectrum[2 * j + 1]!;
      const br = k[2 * j]!;
      const bi = k[2 * j + 1]!;
      spectrum[2 * j] = ar * br - ai * bi;
      spectrum[2 * j + 1] = ar * bi + ai * br;
    }
    this.inner.inverse(a, spectrum);
    // X_k = w̄_k · (convolution)_k
    for (let j = 0; j < n; j++) {
      const yr = a[2 * j]!;
      const yi = a[2 * j + 1]!;
      const cr = w[2 * j]!;
      const ci = w[2 * j + 1]!;
      out[2 * j] = yr * cr - yi * ci;
      out[2 * j + 1] = yr * ci + yi * cr;
    }
  }

  /** Inverse through the forward transform: x = conj(DFT(conj(X)))/N. */
  inverse(out: Float64Array, input: Float64Array): void {
    const n = this.size;
    const c = this.conjugated;
    if (input.length !== 2 * n) throw new RangeError(`fft of length ${n}: input must hold ${2 * n} values, got ${input.length}`);
    for (let j = 0; j < n; j++) {
      c[2 * j] = input[2 * j]!;
      c[2 * j + 1] = -input[2 * j + 1]!;
    }
    this.forward(out, c);
    for (let j = 0; j < n; j++) {
      out[2 * j] = out[2 * j]! / n;
      out[2 * j + 1] = -out[2 * j + 1]! / n;
    }
  }
}
