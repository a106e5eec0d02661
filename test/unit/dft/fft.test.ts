/**
 * The 1-D and 2-D transforms against the textbook O(N²) sum, evaluated with exact integer phase reduction
 * (angle = 2π·((k·n) mod N)/N) so the reference itself carries no phase error. Lengths cover 1, powers of two
 * (fft.js directly) and everything else (Bluestein): odd, prime, even non-powers.
 */
import { describe, expect, it } from 'vitest';
import { fftPlan } from '../../../native/linalg/fft.js';
import { Dft2dPlan, dft2dChannels } from '../../../native/linalg/dft2d.js';
import { normalGenerator, python } from '../linalg/helpers.js';

function randomComplex(n: number, seed: number): Float64Array {
  const next = normalGenerator(seed);
  return Float64Array.from({ length: 2 * n }, next);
}

/** X_k = Σ_n x_n e^{−2πi kn/N} (sign = −1) or the unnormalised inverse sum (sign = +1). */
function directDft(x: Float64Array, sign: -1 | 1 = -1): Float64Array {
  const n = x.length / 2;
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    let re = 0;
    let im = 0;
    for (let j = 0; j < n; j++) {
      const angle = (sign * 2 * Math.PI * ((k * j) % n)) / n;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      re += x[2 * j]! * c - x[2 * j + 1]! * s;
      im += x[2 * j]! * s + x[2 * j + 1]! * c;
    }
    out[2 * k] = re;
    out[2 * k + 1] = im;
  }
  return out;
}

/** Z[u,v] = Σ X[y,x] e^{−2πi(uy/h + vx/w)} for one complex h×w map. */
function directDft2d(x: Float64Array, h: number, w: number): Float64Array {
  const out = new Float64Array(2 * h * w);
  for (let u = 0; u < h; u++) {
    for (let v = 0; v < w; v++) {
      let re = 0;
      let im = 0;
      for (let y = 0; y < h; y++) {
        for (let xx = 0; xx < w; xx++) {
          // Common denominator h·w keeps the phase reduction exact.
          const turns = ((u * y * w + v * xx * h) % (h * w)) / (h * w);
          const c = Math.cos(-2 * Math.PI * turns);
          const s = Math.sin(-2 * Math.PI * turns);
          const p = 2 * (y * w + xx);
          re += x[p]! * c - x[p + 1]! * s;
          im += x[p]! * s + x[p + 1]! * c;
        }
      }
      out[2 * (u * w + v)] = re;
      out[2 * (u * w + v) + 1] = im;
    }
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('1-D FFT of any length', () => {
  const sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 15, 16, 17, 31, 32, 64, 100, 127, 243];
  for (const n of sizes) {
    it(`length ${n}: forward equals the direct DFT to 1e-12, inverse recovers the input`, () => {
      const x = randomComplex(n, 1000 + n);
      const plan = fftPlan(n);
      const got = new Float64Array(2 * n);
      plan.forward(got, x);
      // Entries grow like √N·σ; scale the bound accordingly so large lengths are judged relatively.
      expect(maxAbsDiff(got, directDft(x))).toBeLessThan(1e-12 * Math.max(1, Math.sqrt(n)));
      const back = new Float64Array(2 * n);
      plan.inverse(back, got);
      expect(maxAbsDiff(back, x)).toBeLessThan(1e-13 * Math.max(1, Math.sqrt(n)));
    });
  }

  it('plans are cached per length and refuse wrong buffers', () => {
    expect(fftPlan(13)).toBe(fftPlan(13));
    const plan = fftPlan(5);
    const a = new Float64Array(10);
    expect(() => plan.forward(a, a)).toThrow(/different arrays/);
    expect(() => plan.forward(new Float64Array(8), a)).toThrow(/must hold 10/);
    expect(() => fftPlan(0)).toThrow(RangeError);
  });

  it('a unit impulse gives a flat spectrum and a pure tone one spike (exact structure, prime length)', () => {
    const n = 13;
    const impulse = new Float64Array(2 * n);
    impulse[0] = 1;
    const out = new Float64Array(2 * n);
    fftPlan(n).forward(out, impulse);
    for (let k = 0; k < n; k++) {
      expect(out[2 * k]).toBeCloseTo(1, 13);
      expect(out[2 * k + 1]).toBeCloseTo(0, 13);
    }
    const tone = new Float64Array(2 * n);
    for (let j = 0; j < n; j++) {
      tone[2 * j] = Math.cos((2 * Math.PI * 3 * j) / n);
      tone[2 * j + 1] = Math.sin((2 * Math.PI * 3 * j) / n);
    }
    fftPlan(n).forward(out, tone);
    for (let k = 0; k < n; k++) {
      expect(out[2 * k]).toBeCloseTo(k === 3 ? n : 0, 12);
      expect(out[2 * k + 1]).toBeCloseTo(0, 12);
    }
  });
});

describe('2-D DFT', () => {
  const shapes: [number, number][] = [
    [1, 1],
    [1, 7],
    [4, 4],
    [5, 3],
    [3, 8],
    [7, 7],
    [6, 10],
    [13, 2],
  ];
  for (const [h, w] of shapes) {
    it(`${h}×${w}: equals the direct 2-D DFT to 1e-12`, () => {
      const x = randomComplex(h * w, 31 * h + w);
      const got = new Float64Array(2 * h * w);
      new Dft2dPlan(h, w).forward(got, x);
      expect(maxAbsDiff(got, directDft2d(x, h, w))).toBeLessThan(1e-12 * Math.max(1, Math.sqrt(h * w)));
    });
  }

  it('in place (out = input) gives the same result', () => {
    const x = randomComplex(15, 7);
    const expected = directDft2d(x, 5, 3);
    new Dft2dPlan(5, 3).forward(x, x);
    expect(maxAbsDiff(x, expected)).toBeLessThan(1e-12);
  });

  it('dft2dChannels matches numpy.fft.fft2 per channel (unitary, frequency-major, subset of frequencies)', () => {
    const [m, h, w, c] = [3, 5, 6, 4];
    const next = normalGenerator(99);
    const data = Float64Array.from({ length: m * h * w * c }, next);
    const keep = [0, 1, 7, 29, 13];
    const spectra = dft2dChannels({ batch: m, height: h, width: w, channels: c, data }, { frequencies: keep });
    const ref = python<{ re: number[]; im: number[] }>(
      `
x = np.array(inp['x']).reshape(${m}, ${h}, ${w}, ${c})
z = np.fft.fft2(x, axes=(1, 2), norm='ortho').reshape(${m}, ${h * w}, ${c})
z = z[:, inp['keep'], :].transpose(1, 0, 2)  # (frequency, datapoint, channel)
out = {'re': z.real.ravel(), 'im': z.imag.ravel()}
`,
      { x: Array.from(data), keep },
    );
    const re = spectra.data.filter((_, i) => i % 2 === 0);
    const im = spectra.data.filter((_, i) => i % 2 === 1);
    expect(Array.from(spectra.frequencies)).toEqual(keep);
    expect(maxAbsDiff(re, ref.re)).toBeLessThan(1e-12);
    expect(maxAbsDiff(im, ref.im)).toBeLessThan(1e-12);
  });

  it('dft2dChannels rejects a frequency index outside the map and a wrong data length', () => {
    const maps = { batch: 1, height: 2, width: 2, channels: 1, data: new Float64Array(4) };
    expect(() => dft2dChannels(maps, { frequencies: [4] })).toThrow(/outside/);
    expect(() => dft2dChannels({ ...maps, data: new Float64Array(3) })).toThrow(/values for shape/);
  });
});
