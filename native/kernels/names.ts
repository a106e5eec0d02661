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

/** Name → (inputs, attrs, output): the one table the registry and backends are typed from. */
export interface KernelSignatures {
  [Gram]: { inputs: GramInputs; attrs: GramAttrs; output: Matrix };
  [CrossGram]: { inputs: CrossGramInputs; attrs: CrossGramAttrs; output: Matrix };
  [Matmul]: { inputs: MatmulInputs; attrs: MatmulAttrs; output: Matrix };
  [BatchedMatmul]: { inputs: BatchedMatmulInputs; attrs: BatchedMatmulAttrs; output: MatrixBatch };
}

export type KernelName = keyof KernelSignatures;
export type KernelInputs<K extends KernelName> = KernelSignatures[K]['inputs'];
export type KernelAttrs<K extends KernelName> = KernelSignatures[K]['attrs'];
export type KernelOutput<K extends KernelName> = KernelSignatures[K]['output'];

export const KERNEL_NAMES: readonly KernelName[] = [Gram, CrossGram, Matmul, BatchedMatmul];

/** Whether a Matmul is the Gram matrix AᵀA or AAᵀ of one stored matrix (then symmetric). */
export function isGramProduct(inputs: MatmulInputs, attrs: MatmulAttrs): boolean {
  return inputs.a === inputs.b && attrs.transposeA !== attrs.transposeB;
}
