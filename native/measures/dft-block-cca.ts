/**
 * CCA of one DFT frequency block: complex data, Hermitian covariances.
 *
 * With S_AA = V_A·Λ_A·V_Aᴴ (and B likewise) and the kept eigenpairs K_A, K_B (rank cut-off, or SVCCA's selection),
 * the whitened cross-covariance is T = (V_A,K·Λ_A,K^{−½})ᴴ · S_AB · (V_B,K·Λ_B,K^{−½}) and the block's canonical
 * correlations are the singular values of T.
 * Whitening by eigenpairs rather than by a Cholesky factor is what makes rank-deficient blocks (a frequency where a
 * channel is zero, a class with more neurons than datapoints) well defined: directions below the cut-off are left
 * out instead of being divided by ~0.
 *
 * PWCCA ([Morcos2018-PWCCA], sec. 2.2) inside a block: A's canonical variate i is h_i = Z_A·a_i with a_i = W_A·u_i (u_i
 * the i-th eigenvector of T·Tᴴ), unit norm by construction; its weight is Σ_j |⟨h_i, z_j⟩| over the block's neurons z_j
 * (columns of Z_A), i.e. Σ_j |(S_AA·a_i)_j| = Σ_j |(V_A,K·Λ_A,K^{½}·u_i)_j|. After an SVD reduction (`--keep` /
 * `--dims`) the "neurons" are A's kept singular directions scaled by their singular values, as pwcca.ts defines it:
 * Σ_j σ_j·|u_ji|.
 */
import { complexEigh, type ComplexEighResult } from '../linalg/complex-eigh.js';
import { adjoint, adjointGram, adjointTimes, complexMatrix, complexTimes, type ComplexMatrix } from '../linalg/complex-matrix.js';

/** PWCCA weights: none, over the block's DFT-domain neurons, or over the kept singular directions (reduced). */
export type BlockWeighting = 'none' | 'neurons' | 'reduced';

export interface BlockCcaResult {
  /** Canonical correlations of the block, descending, min(kA, kB) of them, each in [0, 1]. */
  readonly coefficients: Float64Array;
  /** Unnormalised projection weights of A's canonical variates (same order), when asked for. */
  readonly weights: Float64Array | null;
}

/** Columns 0..k−1 of V, each scaled by λ_j^{power}. */
function scaledEigenvectors(basis: ComplexEighResult, k: number, power: number): ComplexMatrix {
  const v = basis.vectors;
  const p = v.rows;
  const out = complexMatrix(p, k);
  const scale = new Float64Array(k);
  for (let j = 0; j < k; j++) scale[j] = basis.values[j]! ** power;
  for (let r = 0; r < p; r++) {
    for (let j = 0; j < k; j++) {
      out.re[r * k + j] = v.re[r * v.cols + j]! * scale[j]!;
      out.im[r * k + j] = v.im[r * v.cols + j]! * scale[j]!;
    }
  }
  return out;
}

/**
 * The block's CCA given the eigendecompositions of S_AA and S_BB (eigenvalues descending), how many leading
 * eigenpairs of each to keep, and the cross-covariance S_AB.
 */
export function blockCca(
  basisA: ComplexEighResult,
  keptA: number,
  basisB: ComplexEighResult,
  keptB: number,
  crossCovariance: ComplexMatrix,
  weighting: BlockWeighting,
): BlockCcaResult {
  const withWeights = weighting !== 'none';
  const r = Math.min(keptA, keptB);
  if (r === 0) return { coefficients: new Float64Array(0), weights: withWeights ? new Float64Array(0) : null };
  const wa = scaledEigenvectors(basisA, keptA, -0.5);
  const wb = scaledEigenvectors(basisB, keptB, -0.5);
  const t = adjointTimes(wa, complexTimes(crossCovariance, wb)); // keptA × keptB

  // Eigenvectors E of the smaller Gram X·Xᴴ (X = T, or Tᴴ when B is the smaller side and A's directions are not
  // needed); then ρ_i = ‖Xᴴ·e_i‖, which keeps small correlations accurate to ~ε (√eigenvalue would give ~√ε), as
  // correlations.ts does for real blocks.
  const sideA = withWeights || keptA <= keptB;
  const x = sideA ? t : adjoint(t);
  const { vectors: e } = complexEigh(adjointGram(adjoint(x)));
  const projected = adjointTimes(x, e); // Xᴴ·E, column i has norm ρ_i
  const norms = columnNorms(projected, r);
  // Eigenvalue order and norm order agree except where rounding swaps near-equal values: sort by the norms.
  const order = Array.from({ length: r }, (_, i) => i).sort((i, j) => norms[j]! - norms[i]!);
  const coefficients = Float64Array.from(order, (i) => Math.min(1, Math.max(0, norms[i]!)));
  if (!withWeights) return { coefficients, weights: null };

  const unsorted = new Float64Array(r);
  if (weighting === 'reduced') {
    for (let j = 0; j < keptA; j++) {
      const sigma = Math.sqrt(basisA.values[j]!);
      for (let i = 0; i < r; i++) unsorted[i]! += sigma * Math.hypot(e.re[j * keptA + i]!, e.im[j * keptA + i]!);
    }
  } else {
    // Projections of A's neurons on its canonical variates: V_A,K·Λ_A,K^{½}·E (p × keptA), first r columns used.
    const projections = complexTimes(scaledEigenvectors(basisA, keptA, 0.5), e);
    const cols = projections.cols;
    for (let row = 0; row < projections.rows; row++) {
      for (let i = 0; i < r; i++) unsorted[i]! += Math.hypot(projections.re[row * cols + i]!, projections.im[row * cols + i]!);
    }
  }
  return { coefficients, weights: Float64Array.from(order, (i) => unsorted[i]!) };
}

/** Euclidean norms of the first `count` columns. */
function columnNorms(a: ComplexMatrix, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let row = 0; row < a.rows; row++) {
    const o = row * a.cols;
    for (let i = 0; i < count; i++) out[i]! += a.re[o + i]! ** 2 + a.im[o + i]! ** 2;
  }
  return out.map(Math.sqrt);
}
