/**
 * Thin QR by dgeqrf + dorgqr on a column-major copy of A (the row-major data is Aᵀ, which is not what is factored).
 * LAPACK's own sign convention, the one numpy.linalg.qr and linalg/qr.ts follow.
 */
import { matrix, type Matrix } from '../../linalg/matrix.js';
import type { QrOutput } from '../names.js';
import { blasAddon } from './backend.js';
import { zeros } from './layout.js';

export function blasQr(a: Matrix, single: boolean): QrOutput {
  const m = a.rows;
  const n = a.cols;
  if (m < n) throw new RangeError(`qr: thin QR needs rows ≥ columns, got ${m}×${n}`);
  if (n === 0) return { q: matrix(m, 0), r: matrix(0, 0) };
  const addon = blasAddon();
  const c = zeros(m * n, single); // column-major A, ld m
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c[i + j * m] = a.data[i * n + j]!;
  const tau = zeros(n, single);
  let info = addon.geqrf(m, n, c, m, tau);
  if (info !== 0) throw new Error(`qr: LAPACK geqrf failed (info ${info})`);
  const r = matrix(n, n);
  for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) r.data[i * n + j] = c[i + j * m]!;
  info = addon.orgqr(m, n, n, c, m, tau);
  if (info !== 0) throw new Error(`qr: LAPACK orgqr failed (info ${info})`);
  const q = matrix(m, n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q.data[i * n + j] = c[i + j * m]!;
  return { q, r };
}
