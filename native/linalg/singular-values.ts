/**
 * Singular values only, accurate to ~ε·‖A‖ absolute, in about (8/3)·n³ flops for an n×n matrix — half the work of an
 * eigendecomposition with vectors, and free of the √ε loss of taking √eigenvalues of AᵀA near zero.
 *
 * Algorithm: Golub–Kahan Householder bidiagonalisation A = U·B·Vᵀ (B upper bidiagonal: d on the diagonal, e above),
 * then the eigenvalues of the 2n×2n Golub–Kahan tridiagonal matrix with zero diagonal and off-diagonal
 * (d₀, e₀, d₁, e₁, …, d_{n−1}), which are ±σ_i (Golub & Kahan 1965; implicit QL of eigh.ts, O(n²)).
 * Row-major throughout: left reflectors accumulate vᵀA row by row, right reflectors take one dot product per row.
 */
import { VectorMachine } from '../kernels/wasm/vector-machine.js';
import { tridiagonalEigenvalues } from './eigh.js';
import type { Matrix } from './matrix.js';
import { norm2 } from './util.js';

export function singularValues(a: Matrix): Float64Array {
  const tall = a.rows >= a.cols;
  const m = tall ? a.rows : a.cols;
  const n = tall ? a.cols : a.rows;
  if (n === 0) return new Float64Array(0);
  // Work on a copy with rows ≥ columns (the transpose has the same singular values), in a vector machine so the
  // per-row passes run as WebAssembly SIMD.
  const machine = new VectorMachine([m * n, m, m, n, n, n]);
  const w = machine.alloc(m * n);
  if (tall) w.set(a.data);
  else for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) w[j * n + i] = a.data[i * a.cols + j]!;

  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  const v = machine.alloc(m); // left Householder vector (rows k..m−1)
  const fs = machine.alloc(m); // β·v_i: each later row's left-update coefficient
  const u = machine.alloc(n); // right Householder vector (columns k+1..n−1)
  let acc = machine.alloc(n); // vᵀ·W over the trailing columns
  let next = machine.alloc(n); // Σ_i x_i·W[i, :] for the next step's left reflector, built during this pass
  const { bidiagonalRows } = machine.exports;
  // acc for step 0: Σ_i x_i·W[i, :] with x = column 0 (corrected by −α·W[0, :] once α is known).
  for (let i = 0; i < m; i++) {
    const xi = w[i * n]!;
    if (xi === 0) continue;
    const ro = i * n;
    for (let j = 1; j < n; j++) acc[j]! += xi * w[ro + j]!;
  }
  for (let k = 0; k < n; k++) {
    // Left reflector of column k: v = x − α·e_k. acc currently holds Σ x_i·W[i, k+1:]; subtract α·W[k, k+1:].
    for (let i = k; i < m; i++) v[i] = w[i * n + k]!;
    d[k] = reflect(v, k, m);
    const beta = reflectorBeta(v, k, m);
    const alpha = d[k]!;
    const rk = k * n;
    for (let j = k + 1; j < n; j++) acc[j] = acc[j]! - alpha * w[rk + j]!;
    // Row k: left update, then the right reflector from what it becomes.
    const fk = beta * v[k]!;
    for (let j = k + 1; j < n; j++) w[rk + j]! -= fk * acc[j]!;
    if (k >= n - 1) break;
    for (let j = k + 1; j < n; j++) u[j] = w[rk + j]!;
    e[k] = reflect(u, k + 1, n);
    const gamma = reflectorBeta(u, k + 1, n);
    // One pass over every later row: left update, right update, and the next step's accumulation.
    next.fill(0, k + 2, n);
    for (let i = k + 1; i < m; i++) fs[i] = beta * v[i]!;
    const col = (k + 1) * 8;
    bidiagonalRows(w.byteOffset + (k + 1) * n * 8 + col, n * 8, m - k - 1, n - k - 1, fs.byteOffset + col, acc.byteOffset + col, u.byteOffset + col, gamma, next.byteOffset + col);
    const swap = acc;
    acc = next;
    next = swap;
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
