/**
 * RBF and debiased CKA against the published demo of Kornblith et al. 2019 (google-research
 * representation_similarity Demo: np.random.seed(1337); X = randn(100, 10); Y = randn(100, 10) + X), which prints
 * RBF CKA 0.65483 (threshold 0.5) and debiased linear CKA 0.51346; and against numpy on other cases.
 */
import { describe, expect, it } from 'vitest';
import { centeredKernel, centerGram, kernelCka, linearGram } from '../../../native/analyses/kernel-cka.js';
import { compareFor, prepareFor } from '../../../native/analyses/measure-kinds.js';
import { InputError, UsageError } from '../../../native/errors.js';
import { matrix, type Matrix } from '../../../native/linalg/matrix.js';
import { CENTER_GRAM_PY, python } from './helpers.js';

/** The demo's data, drawn by numpy's own legacy generator. */
const demo = python<{ x: number[]; y: number[] }>(`
np.random.seed(1337)
X = np.random.randn(100, 10)
Y = np.random.randn(100, 10) + X
print(json.dumps({'x': X.ravel().tolist(), 'y': Y.ravel().tolist()}))`);
const X = matrix(100, 10, Float64Array.from(demo.x));
const Y = matrix(100, 10, Float64Array.from(demo.y));

describe('kernel CKA: the published demo values', () => {
  it('RBF CKA with σ = 0.5 × median distance is 0.65483', () => {
    expect(kernelCka(X, Y, { kernel: 'rbf', sigma: 0.5 }).toFixed(5)).toBe('0.65483');
  });

  it('debiased linear CKA is 0.51346, from Gram matrices and from the feature-space bases alike', async () => {
    expect(kernelCka(X, Y, { kernel: 'linear', debiased: true }).toFixed(5)).toBe('0.51346');
    const spec = { method: 'cka-debiased' as const };
    const viaBases = await compareFor(spec, await prepareFor(spec, X, 'X'), await prepareFor(spec, Y, 'Y'));
    expect(viaBases.similarity.toFixed(5)).toBe('0.51346');
    const viaGrams = await compareFor(spec, await prepareFor(spec, X, 'X', { gram: true }), await prepareFor(spec, Y, 'Y', { gram: true }));
    expect(viaGrams.similarity).toBeCloseTo(viaBases.similarity, 12);
  });

  it('plain linear CKA from Gram matrices equals the feature-space value of measures/cka.ts', async () => {
    const spec = { method: 'cka' as const };
    const viaBases = await compareFor(spec, await prepareFor(spec, X, 'X'), await prepareFor(spec, Y, 'Y'));
    expect(kernelCka(X, Y, { kernel: 'linear' })).toBeCloseTo(viaBases.similarity, 12);
  });
});

describe('kernel CKA against numpy', () => {
  const ref = python<{ cases: Array<{ x: number[]; y: number[]; shape: [number, number, number]; rbf: number; rbf_debiased: number; rbf02: number; linear: number }> }>(`
def gram_rbf(x, t):
    d = x @ x.T
    n = np.diag(d)
    sq = -2 * d + n[:, None] + n[None, :]
    return np.exp(-sq / (2 * t ** 2 * np.median(sq)))
${CENTER_GRAM_PY}
def cka(a, b, unbiased=False):
    a, b = center(a, unbiased), center(b, unbiased)
    return float((a * b).sum() / (np.linalg.norm(a) * np.linalg.norm(b)))
rs = np.random.RandomState(7)
cases = []
for m, p, q in [(31, 3, 7), (64, 20, 5)]:
    x = rs.randn(m, p); y = np.tanh(x @ rs.randn(p, q)) + 0.3 * rs.randn(m, q)
    cases.append({'x': x.ravel().tolist(), 'y': y.ravel().tolist(), 'shape': [m, p, q],
                  'rbf': cka(gram_rbf(x, .5), gram_rbf(y, .5)), 'rbf_debiased': cka(gram_rbf(x, .5), gram_rbf(y, .5), True),
                  'rbf02': cka(gram_rbf(x, .2), gram_rbf(y, .2)), 'linear': cka(x @ x.T, y @ y.T)})
print(json.dumps({'cases': cases}))`);

  it('RBF (σ 0.5 and 0.2, biased and debiased) and linear CKA agree to 1e-12', () => {
    for (const c of ref.cases) {
      const [m, p, q] = c.shape;
      const x: Matrix = matrix(m, p, Float64Array.from(c.x));
      const y: Matrix = matrix(m, q, Float64Array.from(c.y));
      expect(kernelCka(x, y, { kernel: 'rbf', sigma: 0.5 })).toBeCloseTo(c.rbf, 12);
      expect(kernelCka(x, y, { kernel: 'rbf', sigma: 0.5, debiased: true })).toBeCloseTo(c.rbf_debiased, 12);
      expect(kernelCka(x, y, { kernel: 'rbf', sigma: 0.2 })).toBeCloseTo(c.rbf02, 12);
      expect(kernelCka(x, y, { kernel: 'linear' })).toBeCloseTo(c.linear, 12);
    }
  });

  it('centering: H·K·H has zero row sums; the unbiased form has a zero diagonal', () => {
    const g = centerGram(linearGram(X), false);
    for (let i = 0; i < 100; i++) {
      let s = 0;
      for (let j = 0; j < 100; j++) s += g.data[i * 100 + j]!;
      expect(Math.abs(s)).toBeLessThan(1e-9);
    }
    const u = centeredKernel(X, { kernel: 'linear', debiased: true });
    for (let i = 0; i < 100; i++) expect(u.data[i * 101]).toBe(0);
  });

  it('refuses what it cannot do', () => {
    expect(() => kernelCka(X, matrix(99, 10), { kernel: 'linear' })).toThrow(InputError);
    expect(() => kernelCka(X, Y, { kernel: 'rbf', sigma: 0 })).toThrow(UsageError);
    expect(() => kernelCka(matrix(3, 2, Float64Array.from([1, 2, 3, 4, 5, 6])), matrix(3, 2), { kernel: 'linear' })).toThrow(/at least 4/);
  });
});
