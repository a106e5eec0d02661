/**
 * Thin singular value decomposition A = U·diag(s)·Vᵀ (A m×n, U m×r, V n×r, r = min(m, n)).
 *
 * Algorithm: one-sided (Hestenes) Jacobi, preconditioned. For m ≥ n the columns of A are first rotated by the
 * eigenvectors of AᵀA (eigh.ts), which makes them nearly orthogonal, so the Jacobi sweeps that follow converge in
 * one to three sweeps instead of ~10; Jacobi then fixes what the squared Gram could not resolve (small singular
 * values, nearly equal ones). Columns are kept as contiguous ROWS of a transposed copy, so each rotation touches two
 * contiguous arrays. For m < n the decomposition of Aᵀ is computed and the factors swapped.
 *
 * Accuracy: singular values with absolute error ~ε·√m·‖A‖ (relative ~1e-15 on well-conditioned input); U and V
 * orthonormal to ~ε·√m. Singular vectors of zero singular values are completed to an orthonormal set.
 * Cost ~ (4 + 3·sweeps)·m·n² + eigh(n): meant for small and medium matrices (n up to a few hundred);
 * the measures use eigh directly on their large Gram matrices.
 */
import { eigh } from './eigh.js';
import { matrix, type Matrix } from './matrix.js';
import { EPS, norm2, rankTolerance, transpose } from './util.js';

export interface SvdResult {
  /** m×r, orthonormal columns. */
  readonly u: Matrix;
  /** Singular values, descending, r = min(m, n). */
  readonly s: Float64Array;
  /** n×r, orthonormal columns. */
  readonly v: Matrix;
}

const MAX_SWEEPS = 60;

export function svd(a: Matrix): SvdResult {
  if (a.rows < a.cols) {
    const t = tallSvd(transpose(a));
    return { u: t.v, s: t.s, v: t.u };
  }
  return tallSvd(a);
}

/** m ≥ n. */
function tallSvd(a: Matrix): SvdResult {
  const m = a.rows;
  const n = a.cols;
  if (n === 0) return { u: matrix(m, 0), s: new Float64Array(0), v: matrix(0, 0) };

  // Precondition: V0 = eigenvectors of AᵀA; rows of bt are the columns of A·V0, rows of vt the columns of V0.
  const at = transpose(a); // n×m: row j = column j of A
  const gram = new Float64Array(n * n);
  const ad = at.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += ad[i * m + k]! * ad[j * m + k]!;
      gram[i * n + j] = s;
      gram[j * n + i] = s;
    }
  }
  const v0 = eigh(matrix(n, n, gram)).vectors;
  const vt = transpose(v0).data; // row j = eigenvector j
  const bt = new Float64Array(n * m);
  for (let j = 0; j < n; j++) {
    const bo = j * m;
    for (let i = 0; i < n; i++) {
      const c = vt[j * n + i]!;
      if (c === 0) continue;
      const ao = i * m;
      for (let k = 0; k < m; k++) bt[bo + k]! += c * ad[ao + k]!;
    }
  }

  jacobiSweeps(bt, m, vt, n);

  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) norms[j] = norm2(bt, j * m, m);
  const order = Array.from({ length: n }, (_, j) => j).sort((x, y) => norms[y]! - norms[x]!);
  const s = new Float64Array(n);
  for (let k = 0; k < n; k++) s[k] = norms[order[k]!]!;
  const tol = rankTolerance(s[0]!, m);

  // Columns of U as rows first (contiguous), transposed at the end.
  const ut = new Float64Array(n * m);
  const v = matrix(n, n);
  let rank = 0;
  for (let k = 0; k < n; k++) {
    const j = order[k]!;
    for (let i = 0; i < n; i++) v.data[i * n + k] = vt[j * n + i]!;
    if (s[k]! > tol && s[k]! > 0) {
      const inv = 1 / s[k]!;
      for (let i = 0; i < m; i++) ut[k * m + i] = bt[j * m + i]! * inv;
      rank++;
    }
  }
  if (rank < n) completeOrthonormalRows(ut, m, rank, n);
  return { u: transpose(matrix(n, m, ut)), s, v };
}

/**
 * Cyclic one-sided Jacobi on the rows of bt (n rows of length m), mirroring each rotation on the rows of vt
 * (n rows of length n). Stops after a sweep in which every pair was orthogonal to the tolerance.
 */
function jacobiSweeps(bt: Float64Array, m: number, vt: Float64Array, n: number): void {
  const tol = EPS * Math.sqrt(m) * 4;
  const sq = new Float64Array(n);
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    for (let j = 0; j < n; j++) {
      const o = j * m;
      let s = 0;
      for (let k = 0; k < m; k++) s += bt[o + k]! * bt[o + k]!;
      sq[j] = s;
    }
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      const po = p * m;
      for (let q = p + 1; q < n; q++) {
        const alpha = sq[p]!;
        const beta = sq[q]!;
        if (alpha === 0 || beta === 0) continue;
        const qo = q * m;
        let gamma = 0;
        for (let k = 0; k < m; k++) gamma += bt[po + k]! * bt[qo + k]!;
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha) * Math.sqrt(beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let k = 0; k < m; k++) {
          const x = bt[po + k]!;
          const y = bt[qo + k]!;
          bt[po + k] = c * x - s * y;
          bt[qo + k] = s * x + c * y;
        }
        const pv = p * n;
        const qv = q * n;
        for (let k = 0; k < n; k++) {
          const x = vt[pv + k]!;
          const y = vt[qv + k]!;
          vt[pv + k] = c * x - s * y;
          vt[qv + k] = s * x + c * y;
        }
        sq[p] = alpha - t * gamma;
        sq[q] = beta + t * gamma;
      }
    }
    if (!rotated) return;
  }
  throw new Error(`svd: one-sided Jacobi did not converge in ${MAX_SWEEPS} sweeps (${m}×${n})`);
}

/**
 * Fills rows rank..count−1 of `rows` (each of length len) with unit vectors orthogonal to all earlier rows:
 * Gram–Schmidt, twice, of the coordinate vectors, skipping those already (nearly) in the span.
 */
export function completeOrthonormalRows(rows: Float64Array, len: number, rank: number, count: number): void {
  let filled = rank;
  const cand = new Float64Array(len);
  for (let e = 0; e < len && filled < count; e++) {
    cand.fill(0);
    cand[e] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (let r = 0; r < filled; r++) {
        const ro = r * len;
        let dot = 0;
        for (let k = 0; k < len; k++) dot += rows[ro + k]! * cand[k]!;
        for (let k = 0; k < len; k++) cand[k]! -= dot * rows[ro + k]!;
      }
    }
    const nrm = norm2(cand);
    // The residuals' squared norms over all coordinate vectors sum to len − filled, so this bar always leaves one
    // that passes; it rejects coordinate vectors lying mostly inside the span (they would lose digits).
    if (nrm < 0.5 * Math.sqrt((len - filled) / len)) continue;
    const fo = filled * len;
    for (let k = 0; k < len; k++) rows[fo + k] = cand[k]! / nrm;
    filled++;
  }
  if (filled < count) throw new Error('svd: could not complete an orthonormal basis');
}
