/**
 * Projection-weighted CCA, the paper's definition ([Morcos2018-PWCCA], sec. 2.2), weights from A's side:
 *   h_i = A's canonical variates (data space, orthonormal), z_j = A's centered neurons,
 *   α̃_i = Σ_j |⟨h_i, z_j⟩|,  α = α̃ / Σ α̃,  similarity = Σ_i α_i·ρ_i  over the c = min(kA, kB) coefficients.
 * In basis coordinates h_i = Q_A·u_i and z_j = Q_A·R_A·e_j, so ⟨h_i, z_j⟩ = (Uᵀ·R_A)_ij. The h_i are orthonormal by
 * construction (Q_A and U are), which is what the paper's Gram–Schmidt step ensures.
 * With `--keep`/`--dims` A is first reduced to its top k singular directions and its "neurons" become those
 * directions scaled by their singular values (z_j = σ_j·q_j, the SVD-reduced activations of the reference
 * tutorials), so α̃_i = Σ_j σ_j·|U_ji|.
 */
import { crossGram, type KernelOptions } from '../kernels/index.js';
import { matrix } from '../linalg/matrix.js';
import { assertNotDegenerate, ccaFields, checkSameDatapoints, chooseDims, isReduction, keepField, singularValuesOf } from './pair.js';
import type { LayerSpectrum, MeasureResult, PairCorrelations, Truncation } from './types.js';

export async function pwcca(a: LayerSpectrum, b: LayerSpectrum, truncation: Truncation | undefined, correlate: PairCorrelations, kernel: KernelOptions = {}): Promise<MeasureResult> {
  checkSameDatapoints(a, b);
  const reduced = isReduction(truncation);
  const kA = chooseDims(a, truncation);
  const kB = chooseDims(b, truncation);
  assertNotDegenerate(a, kA, 'pwcca', reduced);
  assertNotDegenerate(b, kB, 'pwcca', reduced);
  const { rho, u } = await correlate(kA, kB, true);
  const c = rho.length;
  const ud = u!.data;
  const alpha = new Float64Array(c);
  if (reduced) {
    const sigma = singularValuesOf(a);
    for (let j = 0; j < kA; j++) {
      const s = sigma[j]!;
      for (let i = 0; i < c; i++) alpha[i]! += s * Math.abs(ud[j * c + i]!);
    }
  } else {
    // α̃_i = Σ_j |(Uᵀ·R)_ij|
    const nk = a.kept.length;
    const projections = await crossGram(u!, matrix(a.rank, nk, a.coordinates), kernel);
    const pd = projections.data;
    for (let i = 0; i < c; i++) {
      let sum = 0;
      for (let j = 0; j < nk; j++) sum += Math.abs(pd[i * nk + j]!);
      alpha[i] = sum;
    }
  }
  let total = 0;
  for (let i = 0; i < c; i++) total += alpha[i]!;
  let similarity = 0;
  for (let i = 0; i < c; i++) {
    alpha[i]! /= total;
    similarity += alpha[i]! * rho[i]!;
  }
  return { ...ccaFields('pwcca', a, b, kA, kB, rho), ...keepField(truncation), similarity, weights: Array.from(alpha) };
}
