/**
 * Thin QR factorisation A = Q·R (A m×n with m ≥ n, Q m×n orthonormal columns, R n×n upper triangular) by
 * Householder reflections, with the sign convention of LAPACK's dgeqrf (R's diagonal has the sign opposite to the
 * leading entry of each column), so Q matches numpy.linalg.qr column for column.
 * Columns are processed as contiguous rows of Aᵀ.
 */
import { matrix, type Matrix } from './matrix.js';
import { norm2, transpose } from './util.js';

export interface QrResult {
  readonly q: Matrix;
  readonly r: Matrix;
}

export function qr(a: Matrix): QrResult {
  const m = a.rows;
  const n = a.cols;
  if (m < n) throw new RangeError(`qr: thin QR needs rows ≥ columns, got ${m}×${n}`);
  const at = transpose(a).data; // row j = column j of A; becomes R above the diagonal and v below
  const tau = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const jo = j * m;
    const alpha = at[jo + j]!;
    const xnorm = norm2(at, jo + j + 1, m - j - 1);
    if (xnorm === 0) {
      tau[j] = 0; // already upper triangular in this column (LAPACK: H = I)
      continue;
    }
    const beta = -Math.sign(alpha || 1) * Math.hypot(alpha, xnorm);
    tau[j] = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    for (let k = j + 1; k < m; k++) at[jo + k]! *= scale;
    at[jo + j] = beta;
    // Apply H = I − τ·v·vᵀ (v = [1; at[j+1..]]) to the remaining columns.
    for (let c = j + 1; c < n; c++) {
      const co = c * m;
      let dot = at[co + j]!;
      for (let k = j + 1; k < m; k++) dot += at[jo + k]! * at[co + k]!;
      const t = tau[j]! * dot;
      at[co + j]! -= t;
      for (let k = j + 1; k < m; k++) at[co + k]! -= t * at[jo + k]!;
    }
  }
  const r = matrix(n, n);
  for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) r.data[i * n + j] = at[j * m + i]!;
  // Q = H_0·…·H_{n−1}·[I; 0], built backwards; columns of Q kept as rows of qt.
  const qt = new Float64Array(n * m);
  for (let c = 0; c < n; c++) qt[c * m + c] = 1;
  for (let j = n - 1; j >= 0; j--) {
    const tj = tau[j]!;
    if (tj === 0) continue;
    const jo = j * m;
    for (let c = j; c < n; c++) {
      const co = c * m;
      let dot = qt[co + j]!;
      for (let k = j + 1; k < m; k++) dot += at[jo + k]! * qt[co + k]!;
      const t = tj * dot;
      qt[co + j]! -= t;
      for (let k = j + 1; k < m; k++) qt[co + k]! -= t * at[jo + k]!;
    }
  }
  return { q: transpose(matrix(n, m, qt)), r };
}
