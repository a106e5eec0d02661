/**
 * Weighted SVCCA ([Raghu2017-SVCCA-ICMLW], sec. 4.1, "Weighted SVCCA"):
 *
 *     (1 / Σ_i λ_X⁽ⁱ⁾) · Σ_i λ_X⁽ⁱ⁾ · ‖(ρ·X̃ᵀ)·x'⁽ⁱ⁾‖
 *
 * over X's kept singular directions x'⁽ⁱ⁾ (unit vectors in data space, singular values λ_X⁽ⁱ⁾), X̃ the aligned
 * (canonical) directions of X with respect to Y and ρ the diagonal of canonical correlations weighting X̃'s rows.
 * In basis coordinates x'⁽ⁱ⁾ = Q_A·e_i and X̃ = Q_A·U, so X̃ᵀ·x'⁽ⁱ⁾ = row i of U and the norm is
 * √(Σ_j ρ_j²·U_ij²). Asymmetric: X is the first layer (A). Truncation as in SVCCA (default keep 0.99).
 */
import { ccaFields, checkSameDatapoints, chooseDims, keepField, singularValuesOf } from './pair.js';
import { svccaTruncation } from './svcca.js';
import type { LayerSpectrum, MeasureResult, PairCorrelations, Truncation } from './types.js';

export async function svccaWeighted(a: LayerSpectrum, b: LayerSpectrum, truncation: Truncation | undefined, correlate: PairCorrelations): Promise<MeasureResult> {
  checkSameDatapoints(a, b);
  const t = svccaTruncation(truncation);
  const kA = chooseDims(a, t);
  const kB = chooseDims(b, t);
  const { rho, u } = await correlate(kA, kB, true);
  const c = rho.length;
  const ud = u!.data;
  let weighted = 0;
  let total = 0;
  const sigma = singularValuesOf(a);
  for (let i = 0; i < kA; i++) {
    let sq = 0;
    for (let j = 0; j < c; j++) sq += (rho[j]! * ud[i * c + j]!) ** 2;
    const lambda = sigma[i]!;
    weighted += lambda * Math.sqrt(sq);
    total += lambda;
  }
  return { ...ccaFields('svcca-weighted', a, b, kA, kB, rho), ...keepField(t), similarity: weighted / total };
}
