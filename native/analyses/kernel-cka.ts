/**
 * Kernel CKA over datapoint Gram matrices (Kornblith, Norouzi, Lee, Hinton 2019, "Similarity of Neural Network
 * Representations Revisited", sec. 3 and its reference code):
 *
 *     CKA(K, L) = ⟨HKH, HLH⟩_F / (‖HKH‖_F · ‖HLH‖_F),   H = I − 11ᵀ/m
 *
 *  - linear kernel K = X·Xᵀ (equal to the feature-space linear CKA of measures/cka.ts);
 *  - RBF kernel K_ij = exp(−‖x_i − x_j‖² / (2σ²)) with σ = `sigma` × √median(‖x_i − x_j‖²) — σ as a fraction of
 *    the median distance, the median taken over all m² entries (diagonal zeros included), as the reference code's
 *    `gram_rbf(x, threshold)` does;
 *  - debiased: HSIC's unbiased estimator (Song et al. 2012) in place of the biased one: the diagonal is zeroed and
 *    the centering uses the U-statistic means (`center_gram(gram, unbiased=True)`).
 * Memory and time are O(m²): meant for datapoints (≤ KERNEL_MAX_ROWS rows), not for conv positions.
 */
import { InputError, UsageError } from '../errors.js';
import { matrix, type Matrix } from '../linalg/matrix.js';
import { outerGram } from '../linalg/util.js';
import { checkFinite } from '../measures/prepare.js';

/** Gram matrices are rows² float64: 5 000 rows take 200 MB each. */
export const KERNEL_MAX_ROWS = 5_000;
export const DEFAULT_RBF_SIGMA = 0.5;

export type Kernel = 'linear' | 'rbf';

export interface KernelCkaOptions {
  readonly kernel: Kernel;
  /** RBF: σ as a fraction of the median distance (default 0.5). */
  readonly sigma?: number;
  readonly debiased?: boolean;
}

function checkRows(x: Matrix, ref: string): void {
  if (x.rows > KERNEL_MAX_ROWS) {
    throw new InputError(ref, `has ${x.rows} rows; kernel CKA builds a rows × rows Gram matrix and takes at most ${KERNEL_MAX_ROWS} (compare conv layers with --conv flatten, or use linear cka)`);
  }
  if (x.rows < 4) throw new InputError(ref, `has ${x.rows} datapoints; kernel CKA needs at least 4`);
  checkFinite(x, ref);
}

export function linearGram(x: Matrix): Matrix {
  return outerGram(x);
}

export function rbfGram(x: Matrix, sigma: number = DEFAULT_RBF_SIGMA): Matrix {
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new UsageError(`--sigma must be a positive fraction of the median distance, got ${sigma}`);
  const g = outerGram(x);
  const m = x.rows;
  const sq = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) sq[i * m + j] = g.data[i * m + i]! + g.data[j * m + j]! - 2 * g.data[i * m + j]!;
  }
  const median = medianOf(sq);
  if (!(median > 0)) throw new InputError(undefined, 'the median squared distance between datapoints is 0 (most datapoints coincide); the RBF bandwidth is undefined');
  const scale = 1 / (2 * sigma * sigma * median);
  for (let i = 0; i < sq.length; i++) sq[i] = Math.exp(-sq[i]! * scale);
  return matrix(m, m, sq);
}

/** numpy.median: the mean of the two middle values for an even count. */
function medianOf(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : 0.5 * (sorted[n / 2 - 1]! + sorted[n / 2]!);
}

/** H·K·H, or the unbiased centering (diagonal zeroed, U-statistic means). A new matrix. */
export function centerGram(k: Matrix, unbiased: boolean): Matrix {
  const m = k.rows;
  const g = Float64Array.from(k.data);
  if (unbiased) for (let i = 0; i < m; i++) g[i * m + i] = 0;
  const means = new Float64Array(m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) means[j]! += g[i * m + j]!;
  let total = 0;
  if (unbiased) {
    for (let j = 0; j < m; j++) means[j]! /= m - 2;
    for (let j = 0; j < m; j++) total += means[j]!;
    const shift = total / (2 * (m - 1));
    for (let j = 0; j < m; j++) means[j]! -= shift;
  } else {
    for (let j = 0; j < m; j++) means[j]! /= m;
    for (let j = 0; j < m; j++) total += means[j]!;
    const shift = total / m / 2;
    for (let j = 0; j < m; j++) means[j]! -= shift;
  }
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) g[i * m + j]! -= means[i]! + means[j]!;
  if (unbiased) for (let i = 0; i < m; i++) g[i * m + i] = 0;
  return matrix(m, m, g);
}

/** CKA of two already centered Gram matrices. */
export function ckaOfCentered(kc: Matrix, lc: Matrix): number {
  if (kc.rows !== lc.rows) throw new RangeError(`ckaOfCentered: ${kc.rows} vs ${lc.rows} datapoints`);
  let kl = 0;
  let kk = 0;
  let ll = 0;
  for (let i = 0; i < kc.data.length; i++) {
    const a = kc.data[i]!;
    const b = lc.data[i]!;
    kl += a * b;
    kk += a * a;
    ll += b * b;
  }
  return kk > 0 && ll > 0 ? kl / Math.sqrt(kk * ll) : 0;
}

/** The centered Gram matrix of a layer under a kernel (what pair steps need; compute once per layer). */
export function centeredKernel(x: Matrix, options: KernelCkaOptions, ref = 'layer'): Matrix {
  checkRows(x, ref);
  const k = options.kernel === 'linear' ? linearGram(x) : rbfGram(x, options.sigma ?? DEFAULT_RBF_SIGMA);
  return centerGram(k, options.debiased ?? false);
}

export function kernelCka(x: Matrix, y: Matrix, options: KernelCkaOptions, refs: [string, string] = ['A', 'B']): number {
  if (x.rows !== y.rows) throw new InputError(refs[1], `has ${y.rows} datapoints but ${refs[0]} has ${x.rows}; the two layers must share their datapoints, in the same order`);
  return ckaOfCentered(centeredKernel(x, options, refs[0]), centeredKernel(y, options, refs[1]));
}
