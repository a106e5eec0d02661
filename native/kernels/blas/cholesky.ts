/**
 * Cholesky S = L·Lᵀ by dpotrf and X = L⁻¹ by dtrtri. On the column-major view (S itself, it is symmetric) the upper
 * factor U = Lᵀ is computed; stored column-major upper is row-major lower L, and U⁻¹ stored is row-major L⁻¹.
 */
import { matrix, type Matrix } from '../../linalg/matrix.js';
import type { CholeskyOutput } from '../names.js';
import { blasAddon } from './backend.js';
import { scratch, widen } from './layout.js';

/** Keeps the row-major lower triangle (column-major upper), zeroing the rest LAPACK left untouched. */
function lowerOnly(a: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, (i + 1) * n);
  return a;
}

export function blasCholesky(s: Matrix, single: boolean): CholeskyOutput {
  const n = s.rows;
  if (s.cols !== n) throw new RangeError(`cholesky: matrix is ${s.rows}×${s.cols}, not square`);
  if (n === 0) return { l: matrix(0, 0), inverse: matrix(0, 0) };
  const addon = blasAddon();
  const a = scratch(s.data, single);
  const info = addon.potrf('U', n, a, n);
  if (info > 0) throw new RangeError(`cholesky: matrix is not positive definite (pivot ${info - 1} is not positive)`);
  if (info < 0) throw new Error(`cholesky: LAPACK potrf rejected argument ${-info}`);
  const l = lowerOnly(Float64Array.from(a), n);
  // trtri reads and writes the column-major upper triangle only, so the zeroed rest stays zero.
  const x = single ? Float32Array.from(l) : Float64Array.from(l);
  const status = addon.trtri('U', 'N', n, x, n);
  if (status !== 0) throw new RangeError(`cholesky: factor is singular at ${status - 1}`);
  return { l: matrix(n, n, l), inverse: matrix(n, n, widen(x)) };
}
