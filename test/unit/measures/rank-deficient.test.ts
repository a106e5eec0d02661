/**
 * Layers whose covariance is singular — duplicated neurons, more neurons than rank — make the covariance formula
 * Σxx^{-1/2}·Σxy·Σyy^{-1/2} of the reference code return NaN (the inverse square root of a pseudo-inverse takes √ of
 * rounding-negative eigenvalues). Here they give the finite answer a pivoted-QR CCA gives.
 */
import { describe, expect, it } from 'vitest';
import { compareMatrices } from '../../../native/measures/compare.js';
import { prepareBasis } from '../../../native/measures/prepare.js';
import { maxAbs, python, toNested } from '../linalg/helpers.js';
import { layerPairs } from './cases.js';

describe.each(layerPairs().slice(1, 3))('$name', ({ a, b }) => {
  it('the covariance formula gives NaN in numpy; ours is finite and equals the QR-based CCA', async () => {
    const ref = python<{ formula: { similarity: number }; qr: { similarity: number; coefficients: number[] } }>(
      `import sys, warnings; sys.path.insert(0, 'test/unit/measures'); import reference_measures as R
warnings.simplefilter('ignore')
x = np.array(inp['a']); y = np.array(inp['b'])
try:
    formula = R.covariance_cca(x, y)
except np.linalg.LinAlgError:
    formula = {'similarity': float('nan')}
out = {'formula': formula, 'qr': R.cca(x, y)}`,
      { a: toNested(a), b: toNested(b) },
    );
    expect(Number.isNaN(ref.formula.similarity)).toBe(true);
    const ours = await compareMatrices(a, b, { method: 'cca' });
    expect(Number.isFinite(ours.similarity)).toBe(true);
    expect(Math.abs(ours.similarity - ref.qr.similarity)).toBeLessThan(1e-9);
    expect(maxAbs(ours.coefficients, ref.qr.coefficients)).toBeLessThan(1e-9);
    for (const method of ['svcca', 'svcca-weighted', 'pwcca', 'cka'] as const) {
      const r = await compareMatrices(a, b, { method });
      expect(Number.isFinite(r.similarity)).toBe(true);
    }
  });

  it('keeps exactly the numerical rank (duplicates and combinations add no dimension)', async () => {
    const p = await prepareBasis(a);
    const rank = python<number>('out = int(np.linalg.matrix_rank(np.array(inp["a"]) - np.mean(inp["a"], axis=0)))', { a: toNested(a) });
    expect(p.rank).toBe(rank);
    expect(p.kept.length).toBe(a.cols);
  });
});
