/**
 * Symmetric eigendecomposition by LAPACK's divide and conquer (dsyevd/ssyevd). A symmetric row-major matrix is its
 * own column-major layout; eigenvalues come back ascending with eigenvector j in column j, so both are reversed into
 * the kernel's descending order, vectors as columns of a row-major matrix.
 */
import { matrix, type Matrix } from '../../linalg/matrix.js';
import type { EighOutput } from '../names.js';
import { blasAddon } from './backend.js';
import { widen, zeros, type Real } from './layout.js';

/** (S + Sᵀ)/2 in the kernel's precision, as the JavaScript eigensolver reads it. */
function symmetrised(s: Matrix, single: boolean): Real {
  const n = s.rows;
  const a = zeros(n * n, single);
  const d = s.data;
  for (let i = 0; i < n; i++) {
    a[i * n + i] = d[i * n + i]!;
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (d[i * n + j]! + d[j * n + i]!);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

function solve(s: Matrix, vectors: boolean, single: boolean): { values: Float64Array; vectors: Matrix | null } {
  const n = s.rows;
  if (s.cols !== n) throw new RangeError(`eigh: matrix is ${s.rows}×${s.cols}, not square`);
  const a = symmetrised(s, single);
  const w = zeros(n, single);
  const info = blasAddon().syevd(vectors ? 'V' : 'N', 'L', n, a, Math.max(1, n), w);
  if (info !== 0) throw new Error(`eigh: LAPACK ${single ? 's' : 'd'}syevd failed (info ${info}) on a ${n}×${n} matrix`);
  const values = new Float64Array(n);
  for (let k = 0; k < n; k++) values[k] = w[n - 1 - k]!;
  if (!vectors) return { values, vectors: null };
  const v = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const column = (n - 1 - k) * n;
    for (let r = 0; r < n; r++) v[r * n + k] = a[column + r]!;
  }
  return { values, vectors: matrix(n, n, widen(v)) };
}

export function blasEigh(s: Matrix, vectors: boolean, single: boolean): EighOutput {
  const now = solve(s, vectors, single);
  let later: Promise<Matrix> | undefined;
  return {
    values: now.values,
    vectors: () => (later ??= now.vectors ? Promise.resolve(now.vectors) : Promise.resolve().then(() => solve(s, true, single).vectors!)),
  };
}
