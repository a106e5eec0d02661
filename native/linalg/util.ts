/**
 * Small dense helpers shared by the decompositions and measures. All row-major float64 (see matrix.ts).
 * The loops are ordered so the innermost index walks contiguous memory (i-k-j products), which is what makes
 * plain JavaScript fast enough here.
 */
import { matrix, type Matrix } from './matrix.js';

/** Unit roundoff of float64 (2^-52), the ε of every tolerance in this folder. */
export const EPS = 2 ** -52;

/**
 * The one numerical rank cut-off: a value is "zero" when it is at most ε·dims·largest.
 * Used for singular values (pass σmax) and, squared by the caller where needed, for Gram eigenvalues.
 */
export function rankTolerance(largest: number, dims: number): number {
  return EPS * Math.max(dims, 1) * largest;
}

export function identity(n: number): Matrix {
  const out = matrix(n, n);
  for (let i = 0; i < n; i++) out.data[i * n + i] = 1;
  return out;
}

export function transpose(a: Matrix): Matrix {
  const { rows, cols, data } = a;
  const out = new Float64Array(rows * cols);
  // Blocked so both the reads and the writes stay within a few cache lines per tile.
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++) {
        const ro = i * cols;
        for (let j = j0; j < j1; j++) out[j * rows + i] = data[ro + j]!;
      }
    }
  }
  return matrix(cols, rows, out);
}

/** A·B. */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new RangeError(`matmul: ${a.rows}×${a.cols} · ${b.rows}×${b.cols}`);
  const n = a.rows;
  const p = a.cols;
  const q = b.cols;
  const ad = a.data;
  const bd = b.data;
  const out = new Float64Array(n * q);
  for (let i = 0; i < n; i++) {
    const oo = i * q;
    const ao = i * p;
    for (let k = 0; k < p; k++) {
      const v = ad[ao + k]!;
      if (v === 0) continue;
      const bo = k * q;
      for (let j = 0; j < q; j++) out[oo + j]! += v * bd[bo + j]!;
    }
  }
  return matrix(n, q, out);
}

/** Aᵀ·B without forming Aᵀ (A and B share their row count). */
export function matmulTN(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== b.rows) throw new RangeError(`matmulTN: ${a.rows}×${a.cols}ᵀ · ${b.rows}×${b.cols}`);
  const p = a.cols;
  const q = b.cols;
  const ad = a.data;
  const bd = b.data;
  const out = new Float64Array(p * q);
  for (let r = 0; r < a.rows; r++) {
    const ao = r * p;
    const bo = r * q;
    for (let i = 0; i < p; i++) {
      const v = ad[ao + i]!;
      if (v === 0) continue;
      const oo = i * q;
      for (let j = 0; j < q; j++) out[oo + j]! += v * bd[bo + j]!;
    }
  }
  return matrix(p, q, out);
}

/** A·Bᵀ (A and B share their column count): every entry is a contiguous dot product. */
export function matmulNT(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.cols) throw new RangeError(`matmulNT: ${a.rows}×${a.cols} · (${b.rows}×${b.cols})ᵀ`);
  const n = a.rows;
  const q = b.rows;
  const p = a.cols;
  const ad = a.data;
  const bd = b.data;
  const out = new Float64Array(n * q);
  for (let i = 0; i < n; i++) {
    const ao = i * p;
    for (let j = 0; j < q; j++) {
      const bo = j * p;
      let s = 0;
      for (let k = 0; k < p; k++) s += ad[ao + k]! * bd[bo + k]!;
      out[i * q + j] = s;
    }
  }
  return matrix(n, q, out);
}

/** A·Aᵀ, symmetric: computes one triangle and mirrors it. */
export function outerGram(a: Matrix): Matrix {
  const n = a.rows;
  const p = a.cols;
  const d = a.data;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const io = i * p;
    for (let j = 0; j <= i; j++) {
      const jo = j * p;
      let s = 0;
      for (let k = 0; k < p; k++) s += d[io + k]! * d[jo + k]!;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return matrix(n, n, out);
}

/** Column means. */
export function columnMeans(a: Matrix): Float64Array {
  const { rows, cols, data } = a;
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) mean[j]! += data[o + j]!;
  }
  for (let j = 0; j < cols; j++) mean[j]! /= rows;
  return mean;
}

/**
 * A copy with every column's mean subtracted. Two passes (mean, then a mean of the residuals) so constant columns
 * come out as exact zeros far more often than with one pass, and near-constant columns keep their true spread.
 */
export function centerColumns(a: Matrix): Matrix {
  const { rows, cols, data } = a;
  const mean = columnMeans(a);
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) out[o + j] = data[o + j]! - mean[j]!;
  }
  const centered = matrix(rows, cols, out);
  const residual = columnMeans(centered);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) out[o + j]! -= residual[j]!;
  }
  return centered;
}

/** The columns listed in `keep`, in that order. */
export function selectColumns(a: Matrix, keep: readonly number[] | Int32Array): Matrix {
  const { rows, cols, data } = a;
  const k = keep.length;
  const out = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const oo = r * k;
    for (let j = 0; j < k; j++) out[oo + j] = data[o + keep[j]!]!;
  }
  return matrix(rows, k, out);
}

/** The first k columns of row-major `a`: `a` itself when k is all of them, else a copy. */
export function firstColumns(a: Matrix, k: number): Matrix {
  if (k === a.cols) return a;
  if (!(k >= 0 && k <= a.cols)) throw new RangeError(`firstColumns: ${k} of ${a.cols} columns`);
  const out = matrix(a.rows, k);
  for (let r = 0; r < a.rows; r++) out.data.set(a.data.subarray(r * a.cols, r * a.cols + k), r * k);
  return out;
}

/** Euclidean norm of a vector. Scaled, so it neither overflows nor underflows. */
export function norm2(v: ArrayLike<number>, offset = 0, length = v.length - offset): number {
  let scale = 0;
  for (let i = 0; i < length; i++) scale = Math.max(scale, Math.abs(v[offset + i]!));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (let i = 0; i < length; i++) {
    const x = v[offset + i]! / scale;
    s += x * x;
  }
  return scale * Math.sqrt(s);
}

/** Frobenius norm. */
export function frobenius(a: Matrix): number {
  return norm2(a.data);
}

/** Largest |a_ij − b_ij|; shapes must match. */
export function maxAbsDiff(a: Matrix, b: Matrix): number {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new RangeError('maxAbsDiff: shapes differ');
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

/** True when every value is finite. */
export function allFinite(data: Float64Array): boolean {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return false;
  return true;
}

/** Copies a matrix's data so in-place algorithms never touch their input. */
export function copyMatrix(a: Matrix): Matrix {
  return matrix(a.rows, a.cols, Float64Array.from(a.data));
}

/** Squares of magnitudes inside (HYPOT_SAFE_LOW, HYPOT_SAFE_HIGH) neither overflow nor underflow to denormals. */
const HYPOT_SAFE_HIGH = 1e150;
const HYPOT_SAFE_LOW = 1e-150;

/**
 * √(a² + b²) without overflow or underflow, like Math.hypot, but several times faster where the plain formula is
 * safe (V8's Math.hypot takes a slow generic path): the hot loops of QL call it once per rotation.
 */
export function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  const big = x > y ? x : y;
  if (big < HYPOT_SAFE_HIGH && (x > HYPOT_SAFE_LOW || x === 0) && (y > HYPOT_SAFE_LOW || y === 0)) return Math.sqrt(a * a + b * b);
  return Math.hypot(a, b);
}

