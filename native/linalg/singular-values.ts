/**
 * Singular values only, accurate to ~ε·‖A‖ absolute, in about (8/3)·n³ flops for an n×n matrix — half the work of an
 * eigendecomposition with vectors, and free of the √ε loss of taking √eigenvalues of AᵀA near zero.
 *
 * Algorithm: Golub–Kahan Householder bidiagonalisation A = U·B·Vᵀ (B upper bidiagonal: d on the diagonal, e above),
 * then the eigenvalues of the 2n×2n Golub–Kahan tridiagonal matrix with zero diagonal and off-diagonal
 * (d₀, e₀, d₁, e₁, …, d_{n−1}), which are ±σ_i (Golub & Kahan 1965; implicit QL of eigh.ts, O(n²)).
 * Row-major throughout: left reflectors accumulate vᵀA row by row, right reflectors take one dot product per row.
 */
import { tridiagonalEigenvalues } from './eigh.js';
import type { Matrix } from './matrix.js';
import { norm2 } from './util.js';

export function singularValues(a: Matrix): Float64Array {
  const tall = a.rows >= a.cols;
  const m = tall ? a.rows : a.cols;
  const n = tall ? a.cols : a.rows;
  if (n === 0) return new Float64Array(0);
  // Work on a copy with rows ≥ columns (the transpose has the same singular values).
  const w = new Float64Array(m * n);
  if (tall) w.set(a.data);
  else for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) w[j * n + i] = a.data[i * a.cols + j]!;

  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  const v = new Float64Array(m);
  const acc = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // Left reflector: zero column k below the diagonal.
    for (let i = k; i < m; i++) v[i] = w[i * n + k]!;
    d[k] = reflect(v, k, m);
    const beta = reflectorBeta(v, k, m);
    if (beta !== 0) {
      acc.fill(0, k + 1, n);
      for (let i = k; i < m; i++) {
        const vi = v[i]!;
        if (vi === 0) continue;
        const ro = i * n;
        for (let j = k + 1; j < n; j++) acc[j]! += vi * w[ro + j]!;
      }
      for (let i = k; i < m; i++) {
        const f = beta * v[i]!;
        if (f === 0) continue;
        const ro = i * n;
        for (let j = k + 1; j < n; j++) w[ro + j]! -= f * acc[j]!;
      }
    }
    if (k >= n - 1) continue;
    // Right reflector: zero row k right of the superdiagonal.
    const ro = k * n;
    for (let j = k + 1; j < n; j++) v[j] = w[ro + j]!;
    e[k] = reflect(v, k + 1, n);
    const gamma = reflectorBeta(v, k + 1, n);
    if (gamma === 0) continue;
    for (let i = k + 1; i < m; i++) {
      const io = i * n;
      let s0 = 0;
      let s1 = 0;
      let j = k + 1;
      for (; j + 1 < n; j += 2) {
        s0 += w[io + j]! * v[j]!;
        s1 += w[io + j + 1]! * v[j + 1]!;
      }
      if (j < n) s0 += w[io + j]! * v[j]!;
      const f = gamma * (s0 + s1);
      if (f === 0) continue;
      for (let jj = k + 1; jj < n; jj++) w[io + jj]! -= f * v[jj]!;
    }
  }

  // Golub–Kahan tridiagonal: zero diagonal, off-diagonal d₀, e₀, d₁, e₁, …
  const off = new Float64Array(2 * n - 1);
  for (let k = 0; k < n; k++) {
    off[2 * k] = d[k]!;
    if (k < n - 1) off[2 * k + 1] = e[k]!;
  }
  const eig = tridiagonalEigenvalues(new Float64Array(2 * n), off);
  // ±σ pairs: the n largest are σ₁ ≥ … ≥ σ_n (the smallest may come out as a rounding-size negative).
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = Math.abs(eig[i]!);
  return s.sort().reverse();
}

/**
 * Turns v[from..to) into a Householder vector with v[from] = x₀ − α (α = −sign(x₀)·‖x‖) and returns α, the value the
 * reflected vector keeps in its first entry. Unnormalised; reflectorBeta gives the matching 2/‖v‖².
 */
function reflect(v: Float64Array, from: number, to: number): number {
  const x0 = v[from]!;
  const norm = norm2(v, from, to - from);
  if (norm === 0) return 0;
  const alpha = x0 > 0 ? -norm : norm;
  v[from] = x0 - alpha;
  return alpha;
}

function reflectorBeta(v: Float64Array, from: number, to: number): number {
  let ss = 0;
  for (let i = from; i < to; i++) ss += v[i]! * v[i]!;
  return ss === 0 ? 0 : 2 / ss;
}
