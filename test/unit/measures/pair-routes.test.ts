import { describe, expect, it } from 'vitest';
import { matrix, type Matrix } from '../../../native/linalg/matrix.js';
import { compareBases, compareMatrices, type CompareOptions } from '../../../native/measures/compare.js';
import { COVARIANCE_ROUTE_MAX_CONDITION, covarianceRouteApplies } from '../../../native/measures/pair-covariance.js';
import { centerLayer, conditionBound, prepareBasis, stageLayer } from '../../../native/measures/prepare.js';
import { choleskyInverse } from '../../../native/linalg/cholesky.js';
import { eigh } from '../../../native/linalg/eigh.js';
import { matmulTN } from '../../../native/linalg/util.js';
import { randomMatrix } from '../linalg/helpers.js';

/** B = A·W + noise: correlations spread over (0, 1), both layers well-conditioned. */
function pair(m: number, nA: number, nB: number, seed: number): [Matrix, Matrix] {
  const a = randomMatrix(m, nA, seed);
  const w = randomMatrix(nA, nB, seed + 1);
  const noise = randomMatrix(m, nB, seed + 2);
  const b = matrix(m, nB);
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < nB; j++) {
      let s = 0;
      for (let k = 0; k < nA; k++) s += a.data[r * nA + k]! * w.data[k * nB + j]!;
      b.data[r * nB + j] = (0.6 * s) / Math.sqrt(nA) + noise.data[r * nB + j]!;
    }
  }
  return [a, b];
}

const methods: [string, CompareOptions][] = [
  ['cca (Cholesky whitening)', { method: 'cca' }],
  ['pwcca (Cholesky whitening)', { method: 'pwcca' }],
  ['svcca keep 0.99 (eigenvector whitening)', { method: 'svcca' }],
  ['svcca dims 20', { method: 'svcca', dims: 20 }],
  ['svcca-weighted', { method: 'svcca-weighted' }],
  ['pwcca keep 0.9', { method: 'pwcca', keep: 0.9 }],
];

describe('compare of one raw pair (covariance route) against prepared bases (basis route)', () => {
  const [a, b] = pair(400, 150, 90, 81);

  it('the pair is well-conditioned, so compareMatrices takes the covariance route', async () => {
    const [sa, sb] = await Promise.all([stageLayer(centerLayer(a)), stageLayer(centerLayer(b))]);
    expect(covarianceRouteApplies(sa, sb)).toBe(true);
    expect(Math.max(sa.condition, sb.condition)).toBeLessThan(COVARIANCE_ROUTE_MAX_CONDITION);
  });

  it.each(methods)('%s: similarity and every coefficient agree to 1e-12', async (_label, options) => {
    const direct = await compareMatrices(a, b, options);
    const [pa, pb] = await Promise.all([prepareBasis(a), prepareBasis(b)]);
    const viaBases = await compareBases(pa, pb, options);
    expect(Math.abs(direct.similarity - viaBases.similarity)).toBeLessThan(1e-12);
    expect(direct.dims).toEqual(viaBases.dims);
    const dc = direct.coefficients;
    const bc = viaBases.coefficients;
    expect(dc.length).toBe(bc.length);
    for (let i = 0; i < dc.length; i++) expect(Math.abs(dc[i]! - bc[i]!)).toBeLessThan(1e-12);
    if (direct['weights']) {
      const dw = direct['weights'] as number[];
      const bw = viaBases['weights'] as number[];
      for (let i = 0; i < dw.length; i++) expect(Math.abs(dw[i]! - bw[i]!)).toBeLessThan(1e-11);
    }
  });

  it('an ill-conditioned layer (λ₁/λ_k ≈ 1e8) sends the pair down the basis route, with the same answer', async () => {
    const ill = randomMatrix(400, 30, 84);
    for (let r = 0; r < 400; r++) for (let j = 15; j < 30; j++) ill.data[r * 30 + j]! *= 1e-4;
    const [sa, sb] = await Promise.all([stageLayer(centerLayer(ill)), stageLayer(centerLayer(b))]);
    expect(covarianceRouteApplies(sa, sb)).toBe(false);
    const direct = await compareMatrices(ill, b, { method: 'cca' });
    const viaBases = await compareBases(await prepareBasis(ill), await prepareBasis(b), { method: 'cca' });
    expect(direct.coefficients).toEqual(viaBases.coefficients);
  });

  it('the Cholesky-first stage: a rigorous condition bound (never below the true κ), full rank, σ only on demand', async () => {
    for (const [m, n, seed] of [[400, 150, 91], [300, 40, 92], [500, 200, 93]] as const) {
      const x = randomMatrix(m, n, seed);
      for (let r = 0; r < m; r++) x.data[r * n]! *= 30; // one strong neuron: κ in the hundreds
      const centered = centerLayer(x);
      const g = matmulTN(centered.centered, centered.centered);
      const { values } = eigh(g);
      const kappa = values[0]! / values[n - 1]!;
      const bound = conditionBound(g, (await choleskyInverse(g, async (a, b) => matmulTN(a, b))).inverse);
      expect(bound).toBeGreaterThanOrEqual(kappa * (1 - 1e-12));
      expect(bound).toBeLessThan(kappa * n * n); // loose, but not absurd
      const staged = await stageLayer(centered, { choleskyUpTo: Infinity });
      expect(staged.rank).toBe(n);
      const chol = await staged.cholesky();
      expect(chol!.spectrum.singularValues).toBeNull();
      const eig = await staged.eigen();
      expect(eig.spectrum.singularValues!.length).toBe(n);
      expect(Math.abs(eig.spectrum.singularValues![0]! ** 2 - values[0]!) / values[0]!).toBeLessThan(1e-12);
    }
  });
});
