/**
 * Linear CKA (Kornblith et al. 2019, "Similarity of Neural Network Representations Revisited", eq. for linear
 * kernels) and its debiased variant (the unbiased HSIC estimator of Song et al. 2012, as in Kornblith's
 * `feature_space_linear_cka(..., debiased=True)`):
 *
 *     CKA = ‖A_cᵀB_c‖_F² / (‖A_cᵀA_c‖_F · ‖B_cᵀB_c‖_F)
 *
 * From the prepared bases (A_c = Q_A·R_A, A_c·A_cᵀ = Q_A·S_A²·Q_Aᵀ): ‖A_cᵀB_c‖_F = ‖S_A·M·S_B‖_F with M = Q_AᵀQ_B,
 * ‖A_cᵀA_c‖_F = √Σσ⁴, and the debiasing terms need the row norms ‖A_c[r,:]‖² = Σ_k σ_k²·Q_rk².
 * Near-constant neurons dropped by `epsilon` and directions below the numerical rank do not enter (their share of
 * these sums is below epsilon, resp. rounding).
 */
import type { KernelOptions } from '../kernels/index.js';
import { checkSameDatapoints, crossBasis } from './pair.js';
import type { MeasureResult, PreparedBasis } from './types.js';

export async function cka(a: PreparedBasis, b: PreparedBasis, kernel: KernelOptions = {}): Promise<MeasureResult> {
  checkSameDatapoints(a, b);
  const m = await crossBasis(a, a.rank, b, b.rank, kernel);
  const sa = a.singularValues;
  const sb = b.singularValues;
  let cross = 0; // ‖A_cᵀB_c‖_F²
  for (let i = 0; i < a.rank; i++) {
    for (let j = 0; j < b.rank; j++) cross += (sa[i]! * m.data[i * b.rank + j]! * sb[j]!) ** 2;
  }
  const selfA = sumPow4(sa); // ‖A_cᵀA_c‖_F²
  const selfB = sumPow4(sb);
  const similarity = cross / Math.sqrt(selfA * selfB);

  const n = a.datapoints;
  const rowsA = rowSquaredNorms(a);
  const rowsB = rowSquaredNorms(b);
  const totalA = sumSquares(sa);
  const totalB = sumSquares(sb);
  const debiasedCross = debias(cross, rowsA, rowsB, totalA, totalB, n);
  const debiasedA = debias(selfA, rowsA, rowsA, totalA, totalA, n);
  const debiasedB = debias(selfB, rowsB, rowsB, totalB, totalB, n);
  const debiased = debiasedA > 0 && debiasedB > 0 && n > 3 ? debiasedCross / Math.sqrt(debiasedA * debiasedB) : null;

  return {
    method: 'cka',
    similarity,
    coefficients: [],
    dims: [a.rank, b.rank],
    datapoints: n,
    neurons: [a.neurons, b.neurons],
    dropped: [a.neurons - a.kept.length, b.neurons - b.kept.length],
    rank: [a.rank, b.rank],
    debiased,
    epsilon: a.epsilon,
  };
}

/**
 * The unbiased HSIC numerator of Kornblith's `_debiased_dot_product_similarity_helper`:
 * xty − n/(n−2)·⟨rx, ry⟩ + ‖X‖²·‖Y‖² / ((n−1)(n−2)).
 */
function debias(xty: number, rx: Float64Array, ry: Float64Array, nx: number, ny: number, n: number): number {
  let dot = 0;
  for (let i = 0; i < rx.length; i++) dot += rx[i]! * ry[i]!;
  return xty - (n / (n - 2)) * dot + (nx * ny) / ((n - 1) * (n - 2));
}

function rowSquaredNorms(p: PreparedBasis): Float64Array {
  const out = new Float64Array(p.datapoints);
  const k = p.rank;
  const s2 = p.singularValues.map((s) => s * s);
  for (let r = 0; r < p.datapoints; r++) {
    let sum = 0;
    const o = r * k;
    for (let i = 0; i < k; i++) sum += s2[i]! * p.basis[o + i]! ** 2;
    out[r] = sum;
  }
  return out;
}

function sumSquares(s: Float64Array): number {
  let t = 0;
  for (let i = 0; i < s.length; i++) t += s[i]! * s[i]!;
  return t;
}

function sumPow4(s: Float64Array): number {
  let t = 0;
  for (let i = 0; i < s.length; i++) t += (s[i]! * s[i]!) ** 2;
  return t;
}
