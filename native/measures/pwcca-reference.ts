/**
 * `--pwcca-compat reference`: PWCCA as the public reference code computes it (google/svcca, `pwcca.compute_pwcca`
 * on top of `cca_core.get_cca_similarity`), for reproducing published numbers. It departs from the paper
 * ([Morcos2018-PWCCA], sec. 2.2; see pwcca.ts) in four ways, all kept here on purpose:
 *  - the weights come from the side with FEWER kept neurons (A on a tie), not always from A; when that is B, its
 *    directions and neurons are B's (the else-branch reads the right-hand layer);
 *  - the directions are uᵀ·(acts − means) + means — the canonical directions u of the whitened cross-covariance
 *    applied to the centered activations without Σ^{-1/2}, with each kept neuron's mean added back to the
 *    direction of the same index — and are then orthonormalised by QR in that order;
 *  - the projections use the uncentered activations;
 *  - its CCA pipeline: np.cov (1/(m−1)), each covariance block scaled by the largest |entry| of Σxx / Σyy,
 *    neurons with scaled variance < epsilon removed, epsilon·I added, pinv (cut-off 1e-15·largest |eigenvalue|),
 *    then an eigendecomposition square root and the SVD of Σxx^{-1/2}·Σxy·Σyy^{-1/2}.
 * Two things the reference leaves to chance are fixed here:
 *  - where it takes √ of a rounding-negative eigenvalue of the pseudo-inverse (rank-deficient layers) and returns
 *    NaN, the discarded directions get exactly 0, so results stay finite;
 *  - adding the means back makes its result depend on the sign LAPACK happens to give each singular vector (flip
 *    u_i and the centered part flips, the mean does not). Signs follow scikit-learn's `svd_flip` convention here
 *    (each vector's largest-magnitude entry positive). With zero-mean neurons the sign cannot matter and the result
 *    is the reference's exactly.
 */
import { InputError } from '../errors.js';
import { crossGram, gram, type KernelChoice } from '../kernels/index.js';
import { cholesky, inverseTransposeLower } from '../linalg/cholesky.js';
import { eigh } from '../linalg/eigh.js';
import { matrix, type Matrix } from '../linalg/matrix.js';
import { qr } from '../linalg/qr.js';
import { matmul, selectColumns, transpose } from '../linalg/util.js';
import { canonicalCorrelations } from './correlations.js';
import { checkSameDatapoints, mean, meanSquare } from './pair.js';
import { checkFinite, DEFAULT_EPSILON } from './prepare.js';
import type { MeasureResult } from './types.js';

/** numpy.linalg.pinv's default relative cut-off. */
const PINV_RCOND = 1e-15;

export interface ReferencePwccaOptions {
  readonly epsilon?: number;
  readonly refA?: string;
  readonly refB?: string;
  /** Kernel backend for the covariance products (default 'auto'). */
  readonly backend?: KernelChoice;
}

export async function pwccaReference(x: Matrix, y: Matrix, options: ReferencePwccaOptions = {}): Promise<MeasureResult> {
  const epsilon = options.epsilon ?? DEFAULT_EPSILON;
  const refA = options.refA ?? 'A';
  const refB = options.refB ?? 'B';
  const kernel = { backend: options.backend };
  checkFinite(x, refA);
  checkFinite(y, refB);
  checkSameDatapoints({ ref: refA, datapoints: x.rows }, { ref: refB, datapoints: y.rows });
  const m = x.rows;
  if (m < 2) throw new InputError(refA, `has ${m} datapoint; a comparison needs at least 2`);

  const xc = centerOnePass(x);
  const yc = centerOnePass(y);
  const sxx = scale(await gram(xc.centered, kernel), 1 / (m - 1));
  const syy = scale(await gram(yc.centered, kernel), 1 / (m - 1));
  const sxy = scale(await crossGram(xc.centered, yc.centered, kernel), 1 / (m - 1));
  const xmax = maxAbs(sxx.data);
  const ymax = maxAbs(syy.data);
  if (xmax === 0) throw new InputError(refA, `every one of its ${x.cols} neurons is constant over the ${m} datapoints; there is nothing to compare`);
  if (ymax === 0) throw new InputError(refB, `every one of its ${y.cols} neurons is constant over the ${m} datapoints; there is nothing to compare`);
  scale(sxx, 1 / xmax);
  scale(syy, 1 / ymax);
  scale(sxy, 1 / Math.sqrt(xmax * ymax));

  const xIdx = keptIndices(sxx, epsilon);
  const yIdx = keptIndices(syy, epsilon);
  for (const [idx, ref, rows] of [[xIdx, refA, m], [yIdx, refB, m]] as const) {
    if (idx.length >= rows) {
      throw new InputError(ref, `keeps ${idx.length} neurons for ${rows} datapoints: pwcca is degenerate here (every coefficient is 1); compare with --method svcca, or keep fewer directions with --dims K (K < ${rows - 1})`);
    }
  }
  const invSqrtXX = regularizedInverseSqrt(crop(sxx, xIdx, xIdx), epsilon);
  const invSqrtYY = regularizedInverseSqrt(crop(syy, yIdx, yIdx), epsilon);
  const whitened = matmul(invSqrtXX, matmul(crop(sxy, xIdx, yIdx), invSqrtYY));

  const useA = xIdx.length <= yIdx.length;
  const side = useA ? { data: x, centered: xc, idx: xIdx } : { data: y, centered: yc, idx: yIdx };
  const { rho, u } = await canonicalCorrelations(useA ? whitened : transpose(whitened), true, kernel);
  const c = rho.length; // = side.idx.length
  flipSigns(u!);
  // Directions, column i: Σ_j u_ji·(a_j − μ_j) + μ_i  (u's rows run over the side's kept neurons).
  const centeredKept = selectColumns(side.centered.centered, Int32Array.from(side.idx));
  const directions = await crossGram(transpose(centeredKept), u!, kernel);
  for (let r = 0; r < m; r++) for (let i = 0; i < c; i++) directions.data[r * c + i]! += side.centered.mean[side.idx[i]!]!;
  const q = await orthonormalize(directions, kernel);
  const acts = selectColumns(side.data, Int32Array.from(side.idx)); // uncentered
  const projections = await crossGram(q, acts, kernel); // c × c
  const weights = new Float64Array(c);
  let total = 0;
  for (let i = 0; i < c; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.abs(projections.data[i * c + j]!);
    weights[i] = s;
    total += s;
  }
  let similarity = 0;
  for (let i = 0; i < c; i++) {
    weights[i]! /= total;
    similarity += weights[i]! * rho[i]!;
  }
  return {
    method: 'pwcca',
    compat: 'reference',
    similarity,
    coefficients: Array.from(rho),
    dims: [xIdx.length, yIdx.length],
    datapoints: m,
    neurons: [x.cols, y.cols],
    dropped: [x.cols - xIdx.length, y.cols - yIdx.length],
    weights: Array.from(weights),
    weights_side: useA ? 'A' : 'B',
    mean: mean(rho),
    mean_square: meanSquare(rho),
    epsilon,
    ...(meansAreNonZero(side.centered.mean, side.idx, useA ? xmax : ymax) ? { note: SIGN_NOTE } : {}),
  };
}

/** What a user reproducing a published number must know when the weighted side's neuron means are not zero. */
export const SIGN_NOTE =
  "the reference code adds the neuron means back to its canonical directions, so its own value depends on the sign its LAPACK build gives each singular vector; this value fixes the signs by scikit-learn's svd_flip (each vector's largest entry positive), so a published reference number may differ (docs/measures.md shows an example)";

/** Whether some kept neuron's mean is more than rounding against the layer's spread (largest variance `maxVariance`). */
function meansAreNonZero(means: Float64Array, kept: readonly number[], maxVariance: number): boolean {
  const spread = Math.sqrt(maxVariance);
  return kept.some((j) => Math.abs(means[j]!) > 1e-10 * spread);
}

/**
 * The Q of a thin QR of D (m × c, full column rank), up to column signs — which the weights do not see. CholeskyQR2
 * (two passes of Q ← Q·L⁻ᵀ, QᵀQ = L·Lᵀ) keeps the products in the kernels; when D is too ill-conditioned for its
 * Cholesky step, Householder QR (numpy.linalg.qr's algorithm) takes over.
 */
async function orthonormalize(d: Matrix, kernel: { backend?: KernelChoice }): Promise<Matrix> {
  try {
    let q = d;
    for (let pass = 0; pass < 2; pass++) {
      const t = inverseTransposeLower(cholesky(await gram(q, kernel)));
      q = await crossGram(transpose(q), t, kernel);
    }
    return q;
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return qr(d).q;
  }
}

/** svd_flip: each column's entry of largest magnitude (first on ties) made positive. */
function flipSigns(u: Matrix): void {
  const { rows, cols, data } = u;
  for (let k = 0; k < cols; k++) {
    let best = 0;
    for (let r = 1; r < rows; r++) if (Math.abs(data[r * cols + k]!) > Math.abs(data[best * cols + k]!)) best = r;
    if (data[best * cols + k]! < 0) for (let r = 0; r < rows; r++) data[r * cols + k] = -data[r * cols + k]!;
  }
}

function centerOnePass(a: Matrix): { centered: Matrix; mean: Float64Array } {
  const { rows, cols, data } = a;
  const mu = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) mu[j]! += data[r * cols + j]!;
  for (let j = 0; j < cols; j++) mu[j]! /= rows;
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) out[r * cols + j] = data[r * cols + j]! - mu[j]!;
  return { centered: matrix(rows, cols, out), mean: mu };
}

function scale(a: Matrix, f: number): Matrix {
  for (let i = 0; i < a.data.length; i++) a.data[i]! *= f;
  return a;
}

function maxAbs(d: Float64Array): number {
  let m = 0;
  for (let i = 0; i < d.length; i++) m = Math.max(m, Math.abs(d[i]!));
  return m;
}

/** The reference's remove_small: keep neurons whose scaled variance is ≥ epsilon. */
function keptIndices(s: Matrix, epsilon: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.rows; i++) if (Math.abs(s.data[i * s.cols + i]!) >= epsilon) out.push(i);
  return out;
}

function crop(s: Matrix, rows: readonly number[], cols: readonly number[]): Matrix {
  const out = matrix(rows.length, cols.length);
  rows.forEach((r, i) => cols.forEach((c, j) => (out.data[i * cols.length + j] = s.data[r * s.cols + c]!)));
  return out;
}

/** (S + ε·I)^{+½}: pinv then a square root, composed on one eigendecomposition; discarded directions give 0. */
function regularizedInverseSqrt(s: Matrix, epsilon: number): Matrix {
  const n = s.rows;
  for (let i = 0; i < n; i++) s.data[i * n + i]! += epsilon;
  const { values, vectors } = eigh(s);
  let largest = 0;
  for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(values[i]!));
  const f = values.map((v) => (Math.abs(v) > PINV_RCOND * largest && v > 0 ? 1 / Math.sqrt(v) : 0));
  const scaled = matrix(n, n);
  for (let r = 0; r < n; r++) for (let k = 0; k < n; k++) scaled.data[r * n + k] = vectors.data[r * n + k]! * f[k]!;
  return matmul(scaled, transpose(vectors));
}
