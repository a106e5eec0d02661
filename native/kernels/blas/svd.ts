/**
 * Thin SVD by LAPACK's divide and conquer (dgesdd/sgesdd). Row-major A is column-major Aᵀ = U'·S·V'ᵀ, so A's U is
 * V' (whose stored VT' is already U in row-major) and A's V is U' (transposed back).
 */
import { matrix } from '../../linalg/matrix.js';
import type { Matrix } from '../../linalg/matrix.js';
import type { SvdOutput } from '../names.js';
import { blasAddon } from './backend.js';
import { scratch, widen, zeros } from './layout.js';

export function blasSvd(a: Matrix, vectors: boolean, single: boolean): SvdOutput {
  const m = a.rows;
  const n = a.cols;
  const r = Math.min(m, n);
  if (r === 0) return { u: matrix(vectors ? m : 0, 0), s: new Float64Array(0), v: matrix(vectors ? n : 0, 0) };
  // Column-major Aᵀ: n × m with leading dimension n.
  const at = scratch(a.data, single);
  const s = zeros(r, single);
  const uPrime = zeros(vectors ? n * r : 1, single); // n × r, ld n
  const vtPrime = zeros(vectors ? r * m : 1, single); // r × m, ld r
  const info = blasAddon().gesdd(vectors ? 'S' : 'N', n, m, at, n, s, uPrime, n, vtPrime, r);
  if (info !== 0) throw new Error(`svd: LAPACK ${single ? 's' : 'd'}gesdd failed (info ${info}) on a ${m}×${n} matrix`);
  const values = widen(s);
  if (!vectors) return { u: matrix(0, 0), s: values === s ? Float64Array.from(values) : values, v: matrix(0, 0) };
  // U (m × r row-major) = V' = (VT')ᵀ: row i of U is column i of VT' (column-major r × m), i.e. VT' as stored.
  const u = matrix(m, r, widen(vtPrime));
  // V (n × r row-major) = U' (column-major n × r): element (i, j) at uPrime[i + j·n].
  const v = matrix(n, r);
  for (let i = 0; i < n; i++) for (let j = 0; j < r; j++) v.data[i * r + j] = uPrime[i + j * n]!;
  return { u, s: values, v };
}
