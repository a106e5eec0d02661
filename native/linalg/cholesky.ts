/**
 * Cholesky factorisation S = L·Lᵀ of a symmetric positive definite matrix, and the inverse transpose L⁻ᵀ that
 * turns nearly orthonormal columns into orthonormal ones (Q ← Q·L⁻ᵀ, the second pass of CholeskyQR2).
 */
import { matrix, type Matrix } from './matrix.js';

/** Lower-triangular L (row-major, upper part zero). Throws RangeError when a pivot is not positive. */
export function cholesky(s: Matrix): Matrix {
  const n = s.rows;
  if (s.cols !== n) throw new RangeError(`cholesky: matrix is ${s.rows}×${s.cols}, not square`);
  const l = matrix(n, n);
  const ld = l.data;
  const sd = s.data;
  for (let i = 0; i < n; i++) {
    const io = i * n;
    for (let j = 0; j <= i; j++) {
      const jo = j * n;
      let sum = sd[io + j]!;
      for (let k = 0; k < j; k++) sum -= ld[io + k]! * ld[jo + k]!;
      if (i === j) {
        if (!(sum > 0)) throw new RangeError(`cholesky: matrix is not positive definite (pivot ${i} is ${sum})`);
        ld[io + i] = Math.sqrt(sum);
      } else {
        ld[io + j] = sum / ld[jo + j]!;
      }
    }
  }
  return l;
}

/** L⁻ᵀ for lower-triangular L: upper triangular, computed column by column by back substitution. */
export function inverseTransposeLower(l: Matrix): Matrix {
  const n = l.rows;
  const ld = l.data;
  // X = L⁻¹ (lower) by forward substitution on each unit vector, then transpose.
  const x = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let i = c; i < n; i++) {
      let sum = i === c ? 1 : 0;
      const io = i * n;
      for (let k = c; k < i; k++) sum -= ld[io + k]! * x[k * n + c]!;
      x[io + c] = sum / ld[io + i]!;
    }
  }
  const out = matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) out.data[j * n + i] = x[i * n + j]!;
  return out;
}
