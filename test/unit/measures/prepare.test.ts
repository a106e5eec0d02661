import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../native/errors.js';
import { matrix, type Matrix } from '../../../native/linalg/matrix.js';
import { identity, matmul, matmulTN, maxAbsDiff, transpose } from '../../../native/linalg/util.js';
import { svd } from '../../../native/linalg/svd.js';
import { compareBases } from '../../../native/measures/compare.js';
import { basisMatrix, centerAndMeasure, prepareBasis, REORTHOGONALIZE_ABOVE } from '../../../native/measures/prepare.js';
import { maxAbs, python, randomMatrix, toNested } from '../linalg/helpers.js';
import { layerPairs } from './cases.js';

function centeredKept(x: Matrix, kept: Int32Array): Matrix {
  const out = matrix(x.rows, kept.length);
  for (let j = 0; j < kept.length; j++) {
    let mean = 0;
    for (let r = 0; r < x.rows; r++) mean += x.data[r * x.cols + kept[j]!]!;
    mean /= x.rows;
    for (let r = 0; r < x.rows; r++) out.data[r * kept.length + j] = x.data[r * x.cols + kept[j]!]! - mean;
  }
  return out;
}

describe('prepareBasis', () => {
  it.each(layerPairs().map((p) => [p.name, p.b] as const))('%s: Q orthonormal, Q·R = A_c, σ = numpy singular values', async (_name, x) => {
    const p = await prepareBasis(x);
    const q = basisMatrix(p);
    const r = matrix(p.rank, p.kept.length, p.coordinates);
    const ac = centeredKept(x, p.kept);
    expect(maxAbsDiff(matmulTN(q, q), identity(p.rank))).toBeLessThan(1e-13);
    expect(maxAbsDiff(matmul(q, r), ac) / Math.max(...ac.data.map(Math.abs))).toBeLessThan(1e-12);
    const s = python<number[]>('out = np.linalg.svd(np.array(inp["a"]), compute_uv=False)', { a: toNested(ac) });
    expect(maxAbs(p.singularValues, s.slice(0, p.rank)) / s[0]!).toBeLessThan(1e-12);
  });

  it('orders singular directions: column i of Q is the left singular vector of σ_i (up to sign)', async () => {
    const x = layerPairs()[0]!.a;
    const p = await prepareBasis(x);
    const { u } = svd(centeredKept(x, p.kept));
    const overlap = matmulTN(u, basisMatrix(p));
    for (let i = 0; i < p.rank; i++) expect(Math.abs(overlap.data[i * p.rank + i]!)).toBeCloseTo(1, 10);
  });

  it('restores orthonormality on an ill-conditioned layer (neuron scales over 6 orders: λ₁/λ_k ≈ 1e12)', async () => {
    const x = randomMatrix(300, 8, 31);
    for (let r = 0; r < 300; r++) for (let j = 0; j < 8; j++) x.data[r * 8 + j]! *= 10 ** (-(6 * j) / 7);
    // mix the columns so the conditioning is not axis-aligned
    const mixed = matmul(x, svd(randomMatrix(8, 8, 32)).u);
    const p = await prepareBasis(mixed);
    expect(p.singularValues[0]! ** 2 / p.singularValues[p.rank - 1]! ** 2).toBeGreaterThan(REORTHOGONALIZE_ABOVE);
    expect(p.rank).toBe(8);
    const q = basisMatrix(p);
    expect(maxAbsDiff(matmulTN(q, q), identity(8))).toBeLessThan(1e-13);
  });

  it('drops near-constant neurons relative to the largest variance, so scaling the layer changes nothing', async () => {
    const x = layerPairs()[3]!.b; // neurons 2 and 5 constant, 8 with relative variance ~1e-15
    const p = await prepareBasis(x);
    expect(Array.from(p.kept)).toEqual([0, 1, 3, 4, 6, 7, 9]);
    const tiny = await prepareBasis(matrix(x.rows, x.cols, x.data.map((v) => v * 1e-9)));
    expect(Array.from(tiny.kept)).toEqual(Array.from(p.kept));
    const loose = await prepareBasis(x, { epsilon: 0 });
    expect(Array.from(loose.kept)).toEqual([0, 1, 3, 4, 6, 7, 8, 9]); // exactly constant ones always go
  });

  it('is plain data: survives structured cloning and gives the same pair results', async () => {
    const { a, b } = layerPairs()[0]!;
    const pa = await prepareBasis(a, { ref: 'a.npy' });
    const pb = await prepareBasis(b, { ref: 'b.npy' });
    const clone = deserialize(serialize(pa)) as typeof pa;
    expect(clone).toEqual(pa);
    expect(clone.basis).toBeInstanceOf(Float64Array);
    const direct = await compareBases(pa, pb, { method: 'pwcca' });
    const viaClone = await compareBases(clone, structuredClone(pb), { method: 'pwcca' });
    expect(viaClone).toEqual(direct);
  });

  it('refuses NaN/Inf, a single datapoint and an all-constant layer, naming the file', async () => {
    const x = randomMatrix(10, 3, 33);
    x.data[7] = Number.NaN;
    await expect(prepareBasis(x, { ref: 'bad.npy' })).rejects.toThrow(/^bad\.npy: NaN at datapoint 2, neuron 1/);
    x.data[7] = -Infinity;
    await expect(prepareBasis(x, { ref: 'bad.npy' })).rejects.toThrow(InputError);
    await expect(prepareBasis(randomMatrix(1, 3, 34), { ref: 'one.npy' })).rejects.toThrow(/^one\.npy: has 1 datapoint/);
    const huge = randomMatrix(10, 3, 36);
    for (let r = 0; r < 10; r++) huge.data[r * 3] = 1.5e308; // finite, but ten of them sum past float64
    await expect(prepareBasis(huge, { ref: 'huge.npy' })).rejects.toThrow(/^huge\.npy: has values so large that their sum overflows float64/);
    const flat = matrix(6, 2, Float64Array.from([0.1, 5, 0.1, 5, 0.1, 5, 0.1, 5, 0.1, 5, 0.1, 5]));
    await expect(prepareBasis(flat, { ref: 'flat.npy' })).rejects.toThrow(/^flat\.npy: every one of its 2 neurons is constant/);
  });

  it('transposed inputs are not silently accepted as layers: shapes are taken as given', async () => {
    const x = randomMatrix(40, 5, 35);
    const p = await prepareBasis(transpose(x));
    expect([p.datapoints, p.neurons]).toEqual([5, 40]);
  });
});

describe('centering: WebAssembly SIMD and scalar passes', () => {
  it.each([
    [40, 7],
    [33, 8],
    [1, 5],
    [25, 1],
  ])('agree on a %i × %i layer with large means, a constant and a negative-zero neuron', (m, n) => {
    const x = randomMatrix(m, n, 37 + m);
    for (let r = 0; r < m; r++) {
      x.data[r * n] = x.data[r * n]! * 1e-3 + 1e4; // large mean
      if (n > 2) x.data[r * n + 2] = 3.25; // constant
      if (n > 3) x.data[r * n + 3] = r % 2 === 0 ? 0 : -0; // constant ±0
    }
    const simd = centerAndMeasure(x, true)!;
    const scalar = centerAndMeasure(x, false)!;
    expect(Array.from(simd.constant)).toEqual(Array.from(scalar.constant));
    for (let i = 0; i < m * n; i++) expect(Math.abs(simd.centered.data[i]! - scalar.centered.data[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(scalar.centered.data[i]!)));
    for (let j = 0; j < n; j++) expect(Math.abs(simd.variance[j]! - scalar.variance[j]!)).toBeLessThanOrEqual(1e-12 * Math.max(1e-300, scalar.variance[j]!));
    if (n > 2 && m > 1) {
      expect(simd.constant[2]).toBe(1);
      for (let r = 0; r < m; r++) expect(simd.centered.data[r * n + 2]).toBe(0);
    }
  });

  it('both report a NaN or an infinity as null (the caller then names it)', () => {
    const x = randomMatrix(12, 5, 39);
    x.data[17] = Number.NaN;
    expect(centerAndMeasure(x, true)).toBeNull();
    expect(centerAndMeasure(x, false)).toBeNull();
    x.data[17] = Infinity;
    expect(centerAndMeasure(x, true)).toBeNull();
    expect(centerAndMeasure(x, false)).toBeNull();
  });
});
