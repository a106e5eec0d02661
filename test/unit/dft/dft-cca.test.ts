/**
 * DFT-CCA equals dense CCA over the explicitly shift-augmented dataset (numpy, no DFT: brute-force.ts), to 1e-6 in
 * every coefficient (as sorted multisets) and in the mean — for square, non-square, odd and prime maps, unequal
 * channel counts, rank-deficient blocks, and layers of different spatial sizes (the common-shifts rule).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { dftCca, type ConvLayer, type DftCcaResult } from '../../../native/measures/dft-cca.js';
import { InputError, UsageError } from '../../../native/errors.js';
import { disposeBlockThreads } from '../../../native/measures/dft-parallel.js';
import { bruteForceAugmented, randomConvLayer, referenceDftPwcca, type BruteForceResult } from './brute-force.js';

const TOLERANCE = 1e-6;

function expectSameAnswer(ours: DftCcaResult, reference: BruteForceResult): void {
  expect(ours.coefficients.length).toBe(reference.coefficients.length);
  expect(ours.dims).toEqual(reference.dims);
  for (let i = 0; i < ours.coefficients.length; i++) {
    expect(Math.abs(ours.coefficients[i]! - reference.coefficients[i]!)).toBeLessThan(TOLERANCE);
  }
  expect(Math.abs(ours.similarity - reference.similarity)).toBeLessThan(TOLERANCE);
  for (const rho of ours.coefficients) {
    expect(rho).toBeGreaterThanOrEqual(0);
    expect(rho).toBeLessThanOrEqual(1);
  }
}

/** A with cA channels, B partly a circular convolution of A (cB channels), both h×w. */
function pair(m: number, h: number, w: number, cA: number, cB: number, seed: number): [ConvLayer, ConvLayer] {
  const a = randomConvLayer('a.npy', m, h, w, cA, seed);
  const b = randomConvLayer('b.npy', m, h, w, cB, seed + 1, a, 0.8);
  return [a, b];
}

describe('DFT-CCA equals CCA over the shift-augmented dataset', () => {
  const cases: [string, number, number, number, number, number][] = [
    // name, m, h, w, cA, cB
    ['4×4 square, cA=3, cB=5', 12, 4, 4, 3, 5],
    ['5×3 odd and non-square, cA=2, cB=4', 10, 5, 3, 2, 4],
    ['7×7 prime, cA=3, cB=2', 8, 7, 7, 3, 2],
    ['6×4 even with Nyquist rows and columns, cA=4, cB=4', 9, 6, 4, 4, 4],
    ['1×9 (a 1-D conv / sequence layer), cA=2, cB=3', 7, 1, 9, 2, 3],
  ];
  cases.forEach(([name, m, h, w, cA, cB], k) => {
    it(name, async () => {
      const [a, b] = pair(m, h, w, cA, cB, 100 + 10 * k);
      const ours = await dftCca(a, b);
      expectSameAnswer(ours, bruteForceAugmented(a, b));
      expect(ours.spatial_rule).toBe('same-size');
      expect(ours.structural_zeros).toBe(0);
      expect(ours.dims).toEqual([h * w * cA, h * w * cB]);
      expect(ours.augmented_datapoints).toBe(m * h * w);
    });
  });

  it('rank-deficient blocks: a channel with energy only at frequency (0,0), a dead channel, a constant channel', async () => {
    const [m, h, w] = [10, 4, 5];
    const [a, b] = pair(m, h, w, 4, 3, 7);
    for (let i = 0; i < m; i++) {
      const level = Math.sin(3 * i) + 2;
      for (let p = 0; p < h * w; p++) {
        a.data[(i * h * w + p) * 4 + 0] = level; // constant over space, varies over datapoints: lives at (0,0) only
        a.data[(i * h * w + p) * 4 + 3] = 1.5; // constant everywhere: dropped
        b.data[(i * h * w + p) * 3 + 1] = 0; // dead: dropped
      }
    }
    const ours = await dftCca(a, b);
    expectSameAnswer(ours, bruteForceAugmented(a, b));
    expect(ours.dropped).toEqual([1, 1]);
    // A: 3 directions at (0,0), 2 elsewhere; B: 2 everywhere.
    expect(ours.dims).toEqual([2 * h * w + 1, 2 * h * w]);
    expect(ours.structural_zeros).toBe(0);
    for (const f of ours.per_frequency) expect(f.coefficients.every(Number.isFinite)).toBe(true);
  });

  it('structural zeros: blocks of unequal rank add the exact zeros that dense CCA has too', async () => {
    // A: channel 0 ordinary, channels 1 and 2 constant over space → A keeps 3 directions at (0,0), 1 elsewhere:
    // k_A = 2 + h·w. B: 2 ordinary channels, k_B = 2·h·w. Blockwise pairs: 2 at (0,0) + 1 at each other frequency
    // = 1 + h·w, one fewer than the dense min(k_A, k_B) = 2 + h·w: one structural zero.
    const [m, h, w] = [12, 3, 3];
    const [a, b] = pair(m, h, w, 3, 2, 23);
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < h * w; p++) {
        a.data[(i * h * w + p) * 3 + 1] = Math.sin(2 * i + 1);
        a.data[(i * h * w + p) * 3 + 2] = Math.cos(3 * i * i);
      }
    }
    const ours = await dftCca(a, b);
    expectSameAnswer(ours, bruteForceAugmented(a, b));
    expect(ours.dims).toEqual([2 + h * w, 2 * h * w]);
    expect(ours.structural_zeros).toBe(1);
    expect(ours.coefficients.at(-1)).toBe(0);
  });

  it('is invariant to a fixed circular shift of every datapoint of one layer (a permutation of its neurons)', async () => {
    const [m, h, w] = [9, 5, 4];
    const [a, b] = pair(m, h, w, 2, 3, 31);
    const rolled = new Float64Array(a.data.length);
    for (let i = 0; i < m; i++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const src = ((i * h + y) * w + x) * 2;
          const dst = ((i * h + ((y + 2) % h)) * w + ((x + 1) % w)) * 2;
          rolled[dst] = a.data[src]!;
          rolled[dst + 1] = a.data[src + 1]!;
        }
      }
    }
    const base = await dftCca(a, b);
    const moved = await dftCca({ ...a, data: rolled }, b);
    moved.coefficients.forEach((rho, i) => expect(Math.abs(rho - base.coefficients[i]!)).toBeLessThan(1e-10));
  });

  it('identical layers: every coefficient is 1', async () => {
    const a = randomConvLayer('a.npy', 10, 3, 5, 3, 41);
    const res = await dftCca(a, a);
    for (const rho of res.coefficients) expect(rho).toBeCloseTo(1, 10);
    expect(res.similarity).toBeCloseTo(1, 10);
  });
});

describe('layers of different spatial sizes: the common-shifts rule', () => {
  const cases: [string, [number, number, number], [number, number, number], number][] = [
    // A (h, w, c), B (h, w, c), m — lattice = (gcd h, gcd w)
    ['8×8 vs 4×4 (stride 2, lattice 4×4)', [8, 8, 1], [4, 4, 2], 12],
    ['6×6 vs 4×4 (lattice 2×2)', [6, 6, 1], [4, 4, 2], 30],
    ['6×4 vs 3×2 (lattice 3×2, non-square)', [6, 4, 2], [3, 2, 3], 20],
    ['5×5 vs 3×3 (coprime: one block, plain CCA of the flattened layers)', [5, 5, 1], [3, 3, 2], 50],
  ];
  cases.forEach(([name, [ha, wa, ca], [hb, wb, cb], m], k) => {
    it(name, async () => {
      const a = randomConvLayer('a.npy', m, ha, wa, ca, 200 + k);
      // B: A average-pooled to B's size where the sizes divide, plus noise, so the two share signal.
      const b = randomConvLayer('b.npy', m, hb, wb, cb, 300 + k);
      if (ha % hb === 0 && wa % wb === 0) {
        const [sy, sx] = [ha / hb, wa / wb];
        for (let i = 0; i < m; i++) {
          for (let y = 0; y < hb; y++) {
            for (let x = 0; x < wb; x++) {
              let s = 0;
              for (let dy = 0; dy < sy; dy++) for (let dx = 0; dx < sx; dx++) s += a.data[((i * ha + y * sy + dy) * wa + x * sx + dx) * ca]!;
              b.data[((i * hb + y) * wb + x) * cb] += s;
            }
          }
        }
      }
      const ours = await dftCca(a, b);
      expect(ours.spatial_rule).toBe('common-shifts');
      const g: [number, number] = [gcd(ha, hb), gcd(wa, wb)];
      expect(ours.spatial.lattice).toEqual(g);
      expect(ours.augmented_datapoints).toBe(m * g[0] * g[1]);
      expectSameAnswer(ours, bruteForceAugmented(a, b));
    });
  });

  it('equal sizes give the same result whichever rule name: same-size is common-shifts with the full lattice', async () => {
    const [a, b] = pair(8, 4, 6, 2, 2, 61);
    const res = await dftCca(a, b);
    expect(res.spatial_rule).toBe('same-size');
    expect(res.spatial.lattice).toEqual([4, 6]);
    expect(res.per_frequency.length).toBe(4 * 6 / 2 + 2); // 24 frequencies: 4 self-conjugate + 10 pairs
  });
});

describe('SVCCA and PWCCA on the frequency blocks', () => {
  it('svcca (keep 0.9 and --dims) equals dense SVCCA over the augmented dataset', async () => {
    const [a, b] = pair(12, 5, 3, 3, 4, 71);
    const kept = await dftCca(a, b, { method: 'svcca', keep: 0.9 });
    expectSameAnswer(kept, bruteForceAugmented(a, b, { svcca: true, keep: 0.9 }));
    expect(kept.dims[0]).toBeLessThan(5 * 3 * 3);
    const dims = await dftCca(a, b, { method: 'svcca', dims: 20 });
    const reference = bruteForceAugmented(a, b, { svcca: true, dims: 20 });
    expectSameAnswer(dims, reference);
    expect(dims.dims[0] === 20 || dims.dims[0] === 21).toBe(true);
  });

  it('pwcca weights match an independent numpy implementation of the DFT-domain projection weights', async () => {
    const [a, b] = pair(14, 4, 5, 3, 2, 81);
    const ours = await dftCca(a, b, { method: 'pwcca' });
    const ref = referenceDftPwcca(a, b);
    expect(Math.abs(ours.similarity - ref.similarity)).toBeLessThan(1e-9);
    expect(ours.weights!.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    // Coefficients in equal order; weights compared as multisets of (ρ, α) pairs to tolerate ties in ρ.
    const key = (p: [number, number]) => `${p[0].toFixed(7)}:${p[1].toFixed(7)}`;
    const mine = ours.coefficients.map((rho, i) => key([rho, ours.weights![i]!])).sort();
    expect(mine).toEqual(ref.pairs.map(key).sort());
    const plain = (await dftCca(a, b)).coefficients;
    ours.coefficients.forEach((rho, i) => expect(Math.abs(rho - plain[i]!)).toBeLessThan(1e-12));
  });

  it('per-frequency results: shares sum to 1, conjugate classes listed once with multiplicity 2', async () => {
    const [a, b] = pair(10, 4, 4, 2, 3, 91);
    for (const method of ['cca', 'pwcca'] as const) {
      const res = await dftCca(a, b, { method });
      const share = res.per_frequency.reduce((s, f) => s + f.share, 0);
      expect(share).toBeCloseTo(1, 12);
      const count = res.per_frequency.reduce((s, f) => s + f.multiplicity * f.coefficients.length, 0);
      expect(count + res.structural_zeros).toBe(res.coefficients.length);
      const selfConjugate = res.per_frequency.filter((f) => f.multiplicity === 1).map((f) => f.frequency);
      expect(selfConjugate).toEqual([[0, 0], [0, 2], [2, 0], [2, 2]]);
      if (method === 'pwcca') expect(res.per_frequency.reduce((s, f) => s + (f.weight ?? 0), 0)).toBeCloseTo(1, 12);
    }
  });
});

describe('execution: worker threads and kernel backends do not change the answer', () => {
  afterAll(() => disposeBlockThreads());

  it('blocks on 2 worker threads give bit-identical results to running here', async () => {
    const [a, b] = pair(30, 6, 5, 10, 12, 111);
    for (const method of ['cca', 'pwcca', 'svcca'] as const) {
      const here = await dftCca(a, b, { method, threads: 1 });
      const threaded = await dftCca(a, b, { method, threads: 2 });
      expect(threaded.coefficients).toEqual(here.coefficients);
      expect(threaded.similarity).toBe(here.similarity);
      expect(threaded.per_frequency).toEqual(here.per_frequency);
    }
  });

  it('the covariance blocks through the cpu-js backend agree with the default backend to 1e-12, and it is reported', async () => {
    const [a, b] = pair(12, 4, 4, 3, 5, 121);
    const auto = await dftCca(a, b);
    const js = await dftCca(a, b, { backend: 'cpu-js' });
    expect(js.backend).toBe('cpu-js');
    expect(typeof auto.backend).toBe('string');
    js.coefficients.forEach((rho, i) => expect(Math.abs(rho - auto.coefficients[i]!)).toBeLessThan(1e-12));
  });
});

describe('truncation with cca and pwcca (--keep / --dims), as the dense measures do', () => {
  it('cca with --dims equals dense CCA between the top directions of the augmented layers', async () => {
    const [a, b] = pair(12, 5, 3, 3, 4, 131);
    const res = await dftCca(a, b, { method: 'cca', dims: 24 });
    expectSameAnswer(res, bruteForceAugmented(a, b, { svcca: true, dims: 24 }));
  });

  it('pwcca with --keep: weights over the kept singular directions sum to 1, similarity within [min ρ, max ρ]', async () => {
    const [a, b] = pair(12, 4, 4, 3, 3, 141);
    const res = await dftCca(a, b, { method: 'pwcca', keep: 0.95 });
    expect(res.keep).toBe(0.95);
    expect(res.weights!.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(res.similarity).toBeLessThanOrEqual(res.coefficients[0]!);
    expect(res.similarity).toBeGreaterThanOrEqual(res.coefficients.at(-1)!);
    await expect(dftCca(a, b, { keep: 0.9, dims: 3 })).rejects.toThrow(/either --keep or --dims/);
  });
});

describe('errors reach the user as one-line InputError / UsageError, never NaN', () => {
  const [a, b] = pair(6, 3, 3, 2, 2, 5);
  it('unequal datapoints', async () => {
    const short = randomConvLayer('short.npy', 5, 3, 3, 2, 1);
    await expect(dftCca(a, short)).rejects.toThrow(InputError);
    await expect(dftCca(a, short)).rejects.toThrow(/short\.npy: has 5 datapoints but a\.npy has 6/);
  });
  it('degenerate cca (channels ≥ datapoints) suggests svcca or --dims; svcca runs', async () => {
    const wide = randomConvLayer('wide.npy', 6, 3, 3, 6, 2);
    await expect(dftCca(wide, b)).rejects.toThrow(/wide\.npy: .*degenerate.*svcca.*--dims/);
    const res = await dftCca(wide, b, { method: 'svcca' });
    expect(res.coefficients.every((x) => Number.isFinite(x) && x >= 0 && x <= 1)).toBe(true);
  });
  it('an all-constant layer, NaN, bad options', async () => {
    const flat = { ...a, ref: 'flat.npy', data: new Float64Array(a.data.length).fill(3) };
    await expect(dftCca(flat, b)).rejects.toThrow(/flat\.npy: every one of its 2 channels is constant/);
    const bad = { ...a, ref: 'nan.npy', data: Float64Array.from(a.data) };
    bad.data[7] = Number.NaN;
    await expect(dftCca(bad, b)).rejects.toThrow(/nan\.npy: NaN at datapoint 0, position \(1, 0\), channel 1/);
    await expect(dftCca(a, b, { method: 'svcca', keep: 1.5 })).rejects.toThrow(UsageError);
    await expect(dftCca(a, b, { method: 'svcca', dims: 0 })).rejects.toThrow(UsageError);
    await expect(dftCca(a, b, { method: 'svcca', dims: 1000 })).rejects.toThrow(/numerical rank/);
    await expect(dftCca(a, b, { epsilon: -1 })).rejects.toThrow(UsageError);
  });
});

function gcd(x: number, y: number): number {
  return y === 0 ? x : gcd(y, x % y);
}
