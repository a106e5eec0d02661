/**
 * The products on BLAS: Gram XᵀX by syrk (half the flops, mirrored so it is exactly symmetric), everything else by
 * gemm on the row-major operands as they are stored (operands swapped, see layout.ts).
 */
import { matrix, type Matrix } from '../../linalg/matrix.js';
import type { MatrixBatch } from '../names.js';
import { blasAddon } from './backend.js';
import { mirrorUpperColumnMajor, scaledInput, unscaled, zeros, type Real } from './layout.js';

/** XᵀX (p × p) of row-major X (rows × p): syrk on Xᵀ, the column-major view. */
export function blasGram(x: Matrix, single: boolean): Matrix {
  const p = x.cols;
  const c = zeros(p * p, single);
  const { array, exponent } = scaledInput(x.data, single);
  if (p > 0 && x.rows > 0) {
    blasAddon().syrk('U', 'N', p, x.rows, 1, array, p, 0, c, p);
    mirrorUpperColumnMajor(c, p);
  }
  return matrix(p, p, unscaled(c, 2 * exponent));
}

/** X·Xᵀ (rows × rows) of row-major X: syrk with the transpose of the column-major view. */
function outerGram(x: Matrix, single: boolean): Matrix {
  const n = x.rows;
  const c = zeros(n * n, single);
  const { array, exponent } = scaledInput(x.data, single);
  if (n > 0 && x.cols > 0) {
    blasAddon().syrk('U', 'T', n, x.cols, 1, array, x.cols, 0, c, n);
    mirrorUpperColumnMajor(c, n);
  }
  return matrix(n, n, unscaled(c, 2 * exponent));
}

/** op(A)·op(B) into `c` (m × n row-major), reading A and B as stored; `c` is overwritten. */
function gemmInto(a: Real, aRows: number, aCols: number, transA: boolean, b: Real, bRows: number, bCols: number, transB: boolean, c: Real): void {
  const m = transA ? aCols : aRows;
  const n = transB ? bRows : bCols;
  const k = transA ? aRows : aCols;
  if (m === 0 || n === 0) return;
  if (k === 0) {
    c.fill(0);
    return;
  }
  // Cᵀ = op(B)ᵀ·op(A)ᵀ in column-major, where stored B is Bᵀ and stored A is Aᵀ.
  blasAddon().gemm(transB ? 'T' : 'N', transA ? 'T' : 'N', n, m, k, 1, b, Math.max(1, bCols), a, Math.max(1, aCols), 0, c, n);
}

/** One stored matrix, passed once or twice (the same object, or two views of the same data and shape). */
function sameMatrix(a: Matrix, b: Matrix): boolean {
  return a === b || (a.data === b.data && a.rows === b.rows && a.cols === b.cols);
}

export function blasMatmul(a: Matrix, b: Matrix, transA: boolean, transB: boolean, single: boolean): Matrix {
  if (sameMatrix(a, b) && transA !== transB) return transA ? blasGram(a, single) : outerGram(a, single);
  const m = transA ? a.cols : a.rows;
  const n = transB ? b.rows : b.cols;
  const c = zeros(m * n, single);
  const sa = scaledInput(a.data, single);
  const sb = scaledInput(b.data, single);
  gemmInto(sa.array, a.rows, a.cols, transA, sb.array, b.rows, b.cols, transB, c);
  return matrix(m, n, unscaled(c, sa.exponent + sb.exponent));
}

/**
 * The float32 copies of prepared bases, made once per basis rather than once per pair: an all-pairs job crosses
 * every basis with every other, and rounding a 10000 × 512 basis costs about as much as the sgemm itself. Only the
 * leading-columns product uses it, whose inputs are prepared bases (never modified after preparation); entries go
 * with their basis (a WeakMap keyed by its data).
 */
const rounded = new WeakMap<Float64Array, { readonly array: Real; readonly exponent: number }>();

function roundedBasis(data: Float64Array): { readonly array: Real; readonly exponent: number } {
  let entry = rounded.get(data);
  if (!entry) {
    entry = scaledInput(data, true);
    rounded.set(data, entry);
  }
  return entry;
}

/**
 * X[:, :kx]ᵀ·Y[:, :ky] read in place: the leading columns of a row-major matrix are the leading rows of its
 * column-major view, so only the extents shrink (the leading dimensions stay the full widths).
 */
export function blasLeadingCross(x: Matrix, kx: number, y: Matrix, ky: number, single: boolean): Matrix {
  const c = zeros(kx * ky, single);
  const sx = single ? roundedBasis(x.data) : scaledInput(x.data, false);
  const sy = single ? roundedBasis(y.data) : scaledInput(y.data, false);
  if (kx > 0 && ky > 0 && x.rows > 0) {
    blasAddon().gemm('N', 'T', ky, kx, x.rows, 1, sy.array, Math.max(1, y.cols), sx.array, Math.max(1, x.cols), 0, c, ky);
  }
  return matrix(kx, ky, unscaled(c, sx.exponent + sy.exponent));
}

export function blasBatchedMatmul(a: MatrixBatch, b: MatrixBatch, transA: boolean, transB: boolean, single: boolean): MatrixBatch {
  const m = transA ? a.cols : a.rows;
  const n = transB ? b.rows : b.cols;
  const out = zeros(a.count * m * n, single);
  const sa = scaledInput(a.data, single);
  const sb = scaledInput(b.data, single);
  const ad = sa.array;
  const bd = sb.array;
  const strideA = a.rows * a.cols;
  const strideB = b.rows * b.cols;
  const gramItems = (a === b || a.data === b.data) && transA !== transB;
  for (let i = 0; i < a.count; i++) {
    const ai = ad.subarray(i * strideA, (i + 1) * strideA);
    const bi = bd.subarray(i * strideB, (i + 1) * strideB);
    const ci = out.subarray(i * m * n, (i + 1) * m * n);
    gemmInto(ai, a.rows, a.cols, transA, bi, b.rows, b.cols, transB, ci);
    if (gramItems) mirrorUpperColumnMajor(ci, m); // exactly symmetric, as the other backends' Gram items
  }
  return { count: a.count, rows: m, cols: n, data: unscaled(out, sa.exponent + sb.exponent) };
}
