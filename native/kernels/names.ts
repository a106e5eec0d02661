/**
 * The kernel contract: each kernel name sits next to its typed inputs, attributes and output. Every backend
 * implements these signatures; measures and analyses call kernels by name only (see ./index.ts).
 * All matrices are row-major float64 (`Matrix`), rows = datapoints for the Gram kernels.
 */
import type { Matrix } from '../linalg/matrix.js';

/** Xᵀ X (cols × cols), symmetric. */
export const Gram = 'Gram';
export interface GramInputs {
  readonly x: Matrix;
}
export type GramAttrs = Record<string, never>;

/** Xᵀ Y (x.cols × y.cols); X and Y have the same number of rows. */
export const CrossGram = 'CrossGram';
export interface CrossGramInputs {
  readonly x: Matrix;
  readonly y: Matrix;
}
export type CrossGramAttrs = Record<string, never>;

/**
 * C = op(A)·op(B) for one pair, op = identity or transpose per the attributes: the general product. Passing the
 * stored matrix with a transpose flag never materialises the transpose (crossGram(x, y) is matmul(x, y,
 * { transposeA: true })). When `a` and `b` are the same object and exactly one is transposed, C is a Gram matrix:
 * backends compute half of it and return it exactly symmetric.
 */
export const Matmul = 'Matmul';
export interface MatmulInputs {
  readonly a: Matrix;
  readonly b: Matrix;
}
export interface MatmulAttrs {
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

/**
 * `count` independent products C_i = op(A_i) · op(B_i), op = identity or transpose per the attributes. Meant for many
 * small matrices (per-frequency or per-permutation problems), where per-call overhead, not flops, dominates.
 */
export const BatchedMatmul = 'BatchedMatmul';
/** `count` row-major matrices of rows × cols stored one after another. */
export interface MatrixBatch {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}
export interface BatchedMatmulInputs {
  readonly a: MatrixBatch;
  readonly b: MatrixBatch;
}
export interface BatchedMatmulAttrs {
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

/**
 * Symmetric eigendecomposition S = V·diag(λ)·Vᵀ of a square S (read as (S + Sᵀ)/2). `vectors: false` computes the
 * eigenvalues now and the eigenvectors only when `vectors()` is first called (staged: many callers need the rank
 * before they know whether they need the vectors); `vectors: true` computes both at once.
 */
export const Eigh = 'Eigh';
export interface EighInputs {
  readonly s: Matrix;
}
export interface EighAttrs {
  readonly vectors: boolean;
}
export interface EighOutput {
  /** Eigenvalues, descending. */
  readonly values: Float64Array;
  /** Columns are the unit eigenvectors in the order of `values`. */
  vectors(): Promise<Matrix>;
}

/** Thin SVD A = U·diag(s)·Vᵀ (U m×r, V n×r, r = min(m, n)); without vectors, U and V are 0 × 0. */
export const Svd = 'Svd';
export interface SvdInputs {
  readonly a: Matrix;
}
export interface SvdAttrs {
  readonly vectors: boolean;
}
export interface SvdOutput {
  readonly u: Matrix;
  /** Singular values, descending. */
  readonly s: Float64Array;
  readonly v: Matrix;
}

/**
 * S = L·Lᵀ for symmetric positive definite S, with X = L⁻¹ (both lower triangular, upper parts zero): what whitening
 * (Q = A·L⁻ᵀ) and CholeskyQR2 need. A non-positive pivot is a RangeError ("not positive definite").
 */
export const Cholesky = 'Cholesky';
export interface CholeskyInputs {
  readonly s: Matrix;
}
export type CholeskyAttrs = Record<string, never>;
export interface CholeskyOutput {
  readonly l: Matrix;
  readonly inverse: Matrix;
}

/** Thin Householder QR A = Q·R (m ≥ n), LAPACK's sign convention (as numpy.linalg.qr). */
export const Qr = 'Qr';
export interface QrInputs {
  readonly a: Matrix;
}
export type QrAttrs = Record<string, never>;
export interface QrOutput {
  readonly q: Matrix;
  readonly r: Matrix;
}

/** Name → (inputs, attrs, output): the one table the registry and backends are typed from. */
export interface KernelSignatures {
  [Gram]: { inputs: GramInputs; attrs: GramAttrs; output: Matrix };
  [CrossGram]: { inputs: CrossGramInputs; attrs: CrossGramAttrs; output: Matrix };
  [Matmul]: { inputs: MatmulInputs; attrs: MatmulAttrs; output: Matrix };
  [BatchedMatmul]: { inputs: BatchedMatmulInputs; attrs: BatchedMatmulAttrs; output: MatrixBatch };
  [Eigh]: { inputs: EighInputs; attrs: EighAttrs; output: EighOutput };
  [Svd]: { inputs: SvdInputs; attrs: SvdAttrs; output: SvdOutput };
  [Cholesky]: { inputs: CholeskyInputs; attrs: CholeskyAttrs; output: CholeskyOutput };
  [Qr]: { inputs: QrInputs; attrs: QrAttrs; output: QrOutput };
}

export type KernelName = keyof KernelSignatures;
export type KernelInputs<K extends KernelName> = KernelSignatures[K]['inputs'];
export type KernelAttrs<K extends KernelName> = KernelSignatures[K]['attrs'];
export type KernelOutput<K extends KernelName> = KernelSignatures[K]['output'];

export const KERNEL_NAMES: readonly KernelName[] = [Gram, CrossGram, Matmul, BatchedMatmul, Eigh, Svd, Cholesky, Qr];

/** The decompositions: every float64 CPU backend has them; a backend without them borrows the 'auto' one's. */
export const DECOMPOSITIONS = [Eigh, Svd, Cholesky, Qr] as const;

/** Whether a Matmul is the Gram matrix AᵀA or AAᵀ of one stored matrix (then symmetric). */
export function isGramProduct(inputs: MatmulInputs, attrs: MatmulAttrs): boolean {
  return inputs.a === inputs.b && attrs.transposeA !== attrs.transposeB;
}
