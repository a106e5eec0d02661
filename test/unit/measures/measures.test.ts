/**
 * Every measure against an independent float64 numpy/scipy computation in data space (reference_measures.py:
 * pivoted-QR bases, numpy SVD, explicit canonical variates), on random, rank-deficient and dead-neuron layers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compareMatrices, type CompareOptions } from '../../../native/measures/compare.js';
import { maxAbs, python, toNested } from '../linalg/helpers.js';
import { layerPairs } from './cases.js';

interface Reference {
  similarity: number;
  coefficients?: number[];
  weights?: number[];
  debiased?: number;
  mean_square?: number;
  dims?: [number, number];
}

/** All reference calls for one layer pair in one python run (numpy/scipy start-up dominates otherwise). */
function references(calls: readonly string[], a: number[][], b: number[][]): Reference[] {
  return python<Reference[]>(
    `import sys; sys.path.insert(0, 'test/unit/measures'); import reference_measures as R\nx = np.array(inp['a']); y = np.array(inp['b'])\nout = [eval('R.' + c) for c in inp['calls']]`,
    { a, b, calls },
  );
}

const TOL = 1e-9;

describe.each(layerPairs())('measures vs numpy/scipy: $name', ({ a, b }) => {
  const na = toNested(a);
  const nb = toNested(b);
  const cases: Array<[string, CompareOptions, string]> = [
    ['cca', { method: 'cca' }, 'cca(x, y)'],
    ['svcca keep 0.99', { method: 'svcca' }, 'svcca(x, y, keep=0.99)'],
    ['svcca keep 0.6', { method: 'svcca', keep: 0.6 }, 'svcca(x, y, keep=0.6)'],
    ['svcca dims 4', { method: 'svcca', dims: 4 }, 'svcca(x, y, dims=4)'],
    ['svcca-weighted keep 0.99', { method: 'svcca-weighted' }, 'svcca_weighted(x, y, keep=0.99)'],
    ['svcca-weighted dims 3', { method: 'svcca-weighted', dims: 3 }, 'svcca_weighted(x, y, dims=3)'],
    ['pwcca', { method: 'pwcca' }, 'pwcca(x, y)'],
    ['pwcca B as A (weights from the other side)', { method: 'pwcca' }, 'pwcca(y, x)'],
    ['cka', { method: 'cka' }, 'cka(x, y)'],
  ];
  let refs: Reference[] = [];
  beforeAll(() => {
    refs = references(cases.map((c) => c[2]), na, nb);
  });
  it.each(cases.map((c, i) => [...c, i] as const))('%s', async (label, options, _call, i) => {
    const swapped = label.startsWith('pwcca B as A');
    const ours = swapped ? await compareMatrices(b, a, options) : await compareMatrices(a, b, options);
    const ref = refs[i]!;
    expect(Math.abs(ours.similarity - ref.similarity)).toBeLessThan(TOL);
    expect(Number.isFinite(ours.similarity)).toBe(true);
    if (ref.coefficients) expect(maxAbs(ours.coefficients, ref.coefficients)).toBeLessThan(TOL);
    if (ref.weights) {
      expect(maxAbs(ours['weights'] as number[], ref.weights)).toBeLessThan(TOL);
      const w = ours['weights'] as number[];
      expect(w.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
      expect(w.reduce((s, v, i) => s + v * ours.coefficients[i]!, 0)).toBeCloseTo(ours.similarity, 14);
    }
    if (ref.dims) expect(ours.dims).toEqual(ref.dims);
    if (ref.debiased !== undefined) expect(Math.abs((ours['debiased'] as number) - ref.debiased)).toBeLessThan(TOL);
    if (ref.mean_square !== undefined) expect(Math.abs((ours['mean_square'] as number) - ref.mean_square)).toBeLessThan(TOL);
    // Coefficients are canonical correlations: descending, in [0, 1].
    ours.coefficients.forEach((c, i) => {
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThanOrEqual(1);
      if (i > 0) expect(c).toBeLessThanOrEqual(ours.coefficients[i - 1]!);
    });
  });
});

describe('result shape', () => {
  it('carries the contract fields, widths as given, dropped counts and the mean-square similarity of [Raghu2017-BottomUp]', async () => {
    const { a, b } = layerPairs()[3]!; // B has three near-constant neurons of 10
    const r = await compareMatrices(a, b, { method: 'pwcca' });
    expect(r).toMatchObject({ method: 'pwcca', datapoints: 120, neurons: [9, 10], dropped: [0, 3], dims: [9, 7] });
    expect(r.coefficients).toHaveLength(7);
    expect(r['weights']).toHaveLength(7);
    const rms = Math.sqrt(r.coefficients.reduce((s, c) => s + c * c, 0) / r.coefficients.length);
    expect(r['mean_square']).toBeCloseTo(rms, 15);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r); // plain JSON
  });
});
