import { describe, expect, it } from 'vitest';
import { compareMatrices } from '../../../native/measures/compare.js';
import { fromNested, python } from '../linalg/helpers.js';

describe('linear CKA', () => {
  it("reproduces Kornblith et al. 2019's demo: seed 1337, Y = noise + X → CKA 0.55761, debiased 0.51346", async () => {
    const { x, y } = python<{ x: number[][]; y: number[][] }>(
      'np.random.seed(1337)\nX = np.random.randn(100, 10)\nY = np.random.randn(100, 10) + X\nout = {"x": X, "y": Y}',
    );
    const r = await compareMatrices(fromNested(x), fromNested(y), { method: 'cka' });
    expect(r.similarity.toFixed(5)).toBe('0.55761');
    expect((r['debiased'] as number).toFixed(5)).toBe('0.51346');
    expect(r.coefficients).toEqual([]);
    expect(r.dims).toEqual([10, 10]);
  });

  it('is 1 for a layer against a rotated, scaled copy of itself, and symmetric', async () => {
    const { x, y } = python<{ x: number[][]; y: number[][] }>(
      'rng = np.random.default_rng(3)\nX = rng.standard_normal((60, 7))\nQ, _ = np.linalg.qr(rng.standard_normal((7, 7)))\nout = {"x": X, "y": 4.2 * X @ Q + 1.5}',
    );
    const a = fromNested(x);
    const b = fromNested(y);
    expect((await compareMatrices(a, b, { method: 'cka' })).similarity).toBeCloseTo(1, 13);
    const { x: u, y: v } = python<{ x: number[][]; y: number[][] }>(
      'rng = np.random.default_rng(4)\nout = {"x": rng.standard_normal((50, 6)), "y": rng.standard_normal((50, 9))}',
    );
    const ab = await compareMatrices(fromNested(u), fromNested(v), { method: 'cka' });
    const ba = await compareMatrices(fromNested(v), fromNested(u), { method: 'cka' });
    expect(ab.similarity).toBeCloseTo(ba.similarity, 14);
    expect(ab['debiased'] as number).toBeCloseTo(ba['debiased'] as number, 14);
  });
});
