/**
 * Eigenvalues and eigenvectors of a symmetric tridiagonal matrix by divide and conquer: Cuppen's tearing (1981),
 * LAPACK's deflation (dlaed2), a safeguarded rational solver for the secular equation, and Gu & Eisenstat's
 * recomputed weights (1995), which make the eigenvectors orthogonal to working precision however close the
 * eigenvalues are. The O(n³) work is each merge's product Q·U, done by `product` (a float64 kernel); blocks of at
 * most LEAF_SIZE rows are solved by implicit QL. Typical cost ≈ (4/3)·n³ flops in products (fewer when deflation
 * is common), against ~6n³ flops of rotations for QL with vectors.
 *
 * T = [T₁ 0; 0 T₂] + β·v·vᵀ (v = e_last(T₁) + e_first(T₂), T₁/T₂ with β taken off their touching diagonal entries);
 * with T_i = Q_i·D_i·Q_iᵀ, T = Q·(D + β·z·zᵀ)·Qᵀ where Q = diag(Q₁, Q₂) and z = Qᵀv (last row of Q₁, first of Q₂).
 * The eigenvalues of D + ρ·z·zᵀ (ρ > 0, after a sign flip) are the roots of 1 + ρ·Σ z_i²/(d_i − λ) = 0, one in
 * each gap (d_j, d_{j+1}) and the last in (d_k, d_k + ρ‖z‖²]; eigenvector j ∝ (z_i/(d_i − λ_j))_i.
 */
import type { CrossProduct } from './eigh.js';
import { matrix } from './matrix.js';
import { rotatedRows, tridiagonalQL } from './tridiagonal-ql.js';
import { EPS, hypot } from './util.js';

/** Blocks this small go to QL (LAPACK's SMLSIZ is 25). */
export const LEAF_SIZE = 32;

const MAX_SECULAR_ITERATIONS = 100;

export interface TridiagonalEigen {
  /** Eigenvalues, in no particular order. */
  readonly values: Float64Array;
  /** n × n row-major; column c is the unit eigenvector of values[c]. */
  readonly vectors: Float64Array;
}

/**
 * diag: the diagonal (n); off: the sub-diagonal, off[i] = T[i+1][i] (n − 1). Inputs are not modified.
 */
export async function tridiagonalEigen(diag: ArrayLike<number>, off: ArrayLike<number>, product: CrossProduct): Promise<TridiagonalEigen> {
  const n = diag.length;
  // Scale to max-norm 1 (dstedc does the same): the deflation tolerances below mix units on that assumption.
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(diag[i]!));
  for (let i = 0; i + 1 < n; i++) scale = Math.max(scale, Math.abs(off[i]!));
  if (scale === 0) {
    const vectors = new Float64Array(n * n);
    for (let i = 0; i < n; i++) vectors[i * n + i] = 1;
    return { values: new Float64Array(n), vectors };
  }
  const d = Float64Array.from(diag, (x) => x / scale);
  const e = Float64Array.from(off, (x) => x / scale);
  const result = await solve(d, e, 0, n, product);
  for (let i = 0; i < n; i++) result.values[i]! *= scale;
  return result;
}

async function solve(d: Float64Array, e: Float64Array, lo: number, hi: number, product: CrossProduct): Promise<TridiagonalEigen> {
  const n = hi - lo;
  if (n <= LEAF_SIZE) return leaf(d, e, lo, hi);
  const mid = lo + (n >> 1);
  const beta = e[mid - 1]!;
  d[mid - 1]! -= beta;
  d[mid]! -= beta;
  const left = await solve(d, e, lo, mid, product);
  const right = await solve(d, e, mid, hi, product);
  return merge(left, mid - lo, right, n - (mid - lo), beta, product);
}

function leaf(d: Float64Array, e: Float64Array, lo: number, hi: number): TridiagonalEigen {
  const n = hi - lo;
  const values = d.slice(lo, hi);
  const sub = new Float64Array(n);
  for (let i = 0; i + 1 < n; i++) sub[i] = e[lo + i]!;
  const rows = rotatedRows(n);
  tridiagonalQL(values, sub, n, rows);
  const vectors = new Float64Array(n * n);
  for (let c = 0; c < n; c++) for (let r = 0; r < n; r++) vectors[r * n + c] = rows.w[c * n + r]!;
  return { values, vectors };
}

async function merge(left: TridiagonalEigen, n1: number, right: TridiagonalEigen, n2: number, beta: number, product: CrossProduct): Promise<TridiagonalEigen> {
  const n = n1 + n2;
  // Q = diag(Q₁, Q₂) and z = Qᵀ·v.
  const q = new Float64Array(n * n);
  for (let r = 0; r < n1; r++) q.set(left.vectors.subarray(r * n1, (r + 1) * n1), r * n);
  for (let r = 0; r < n2; r++) q.set(right.vectors.subarray(r * n2, (r + 1) * n2), (n1 + r) * n + n1);
  const z = new Float64Array(n);
  z.set(left.vectors.subarray((n1 - 1) * n1, n1 * n1), 0);
  z.set(right.vectors.subarray(0, n2), n1);
  // D + β·z·zᵀ with β < 0 is −((−D) + |β|·z·zᵀ): solve the latter and flip the signs back.
  const sign = beta < 0 ? -1 : 1;
  const d = new Float64Array(n);
  for (let i = 0; i < n1; i++) d[i] = sign * left.values[i]!;
  for (let i = 0; i < n2; i++) d[n1 + i] = sign * right.values[i]!;
  let zz = 0;
  for (let i = 0; i < n; i++) zz += z[i]! * z[i]!;
  const zn = Math.sqrt(zz);
  for (let i = 0; i < n; i++) z[i]! /= zn;
  const rho = Math.abs(beta) * zz;

  // Ascending order of d; col[i] is the column of Q that belongs to position i.
  const col = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i]! - d[j]!);
  const ds = Float64Array.from(col, (c) => d[c]!);
  const zs = Float64Array.from(col, (c) => z[c]!);

  // Deflation (dlaed2): a negligible weight, or two eigenvalues close enough that one rotation zeroes a weight.
  let dmax = 0;
  let zmax = 0;
  for (let i = 0; i < n; i++) {
    dmax = Math.max(dmax, Math.abs(ds[i]!));
    zmax = Math.max(zmax, Math.abs(zs[i]!));
  }
  const tol = 8 * EPS * Math.max(dmax, zmax);
  const kept: number[] = [];
  const deflated: number[] = [];
  let previous = -1;
  for (let j = 0; j < n; j++) {
    if (rho * Math.abs(zs[j]!) <= tol) {
      deflated.push(j);
      continue;
    }
    if (previous < 0) {
      previous = j;
      continue;
    }
    const s0 = zs[previous]!;
    const c0 = zs[j]!;
    const tau = hypot(c0, s0);
    const c = c0 / tau;
    const s = -s0 / tau;
    if (Math.abs((ds[j]! - ds[previous]!) * c * s) <= tol) {
      zs[j] = tau;
      zs[previous] = 0;
      rotateColumns(q, n, col[previous]!, col[j]!, c, s);
      const dp = ds[previous]!;
      const dj = ds[j]!;
      ds[previous] = dp * c * c + dj * s * s;
      ds[j] = dp * s * s + dj * c * c;
      deflated.push(previous);
    } else {
      kept.push(previous);
    }
    previous = j;
  }
  if (previous >= 0) kept.push(previous);

  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  const k = kept.length;
  if (k > 0) {
    const dl = Float64Array.from(kept, (i) => ds[i]!);
    const zl = Float64Array.from(kept, (i) => zs[i]!);
    const { lambda, delta } = secularSolve(dl, zl, rho);
    const u = secularVectors(dl, zl, delta);
    // Columns of Q for the kept positions, as rows of Xᵀ (k × n); product gives X·U (n × k).
    const xt = new Float64Array(k * n);
    for (let i = 0; i < k; i++) {
      const c = col[kept[i]!]!;
      for (let r = 0; r < n; r++) xt[i * n + r] = q[r * n + c]!;
    }
    const xu = k === 1 ? matrix(n, 1, xt) : await product(matrix(k, n, xt), matrix(k, k, u));
    for (let j = 0; j < k; j++) {
      values[j] = sign * lambda[j]!;
      for (let r = 0; r < n; r++) vectors[r * n + j] = xu.data[r * k + j]!;
    }
  }
  deflated.forEach((p, t) => {
    const j = k + t;
    values[j] = sign * ds[p]!;
    const c = col[p]!;
    for (let r = 0; r < n; r++) vectors[r * n + j] = q[r * n + c]!;
  });
  return { values, vectors };
}

/** Columns a, b of the n × n row-major q: (x, y) ← (c·x + s·y, c·y − s·x), dlaed2's DROT. */
function rotateColumns(q: Float64Array, n: number, a: number, b: number, c: number, s: number): void {
  for (let r = 0; r < n; r++) {
    const x = q[r * n + a]!;
    const y = q[r * n + b]!;
    q[r * n + a] = c * x + s * y;
    q[r * n + b] = c * y - s * x;
  }
}

/**
 * The k roots of 1 + ρ·Σ z_i²/(d_i − λ) = 0 for strictly increasing d and ρ > 0, and delta (k × k, row i, column j)
 * = d_i − λ_j. Each root is found relative to its nearer pole d_o (λ = d_o + τ), so every d_i − λ_j is formed as
 * (d_i − d_o) − τ without cancellation — the accuracy Gu–Eisenstat's weights need.
 */
export function secularSolve(d: Float64Array, z: Float64Array, rho: number): { lambda: Float64Array; delta: Float64Array } {
  const k = d.length;
  const z2 = Float64Array.from(z, (x) => x * x);
  let zz = 0;
  for (let i = 0; i < k; i++) zz += z2[i]!;
  const lambda = new Float64Array(k);
  const delta = new Float64Array(k * k);
  const column = new Float64Array(k);
  const diff = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const { origin, tau } = secularRoot(d, z2, rho, zz, j, diff, column);
    lambda[j] = d[origin]! + tau;
    for (let i = 0; i < k; i++) delta[i * k + j] = column[i]!;
  }
  return { lambda, delta };
}

/**
 * Root j, as its origin pole and offset τ; on return `column` holds d_i − λ_j. g(τ) = 1/ρ + Σ z_i²/((d_i − d_o) − τ)
 * increases on the bracket, which shrinks with every evaluation; each step solves a model that keeps the two
 * nearest poles exactly and fits the rest (value and slope) by one pole each — quadratic or better convergence —
 * and falls back to bisection whenever the model's root leaves the bracket.
 */
function secularRoot(d: Float64Array, z2: Float64Array, rho: number, zz: number, j: number, diff: Float64Array, column: Float64Array): { origin: number; tau: number } {
  const k = d.length;
  const invRho = 1 / rho;
  const last = j === k - 1;
  let origin = j;
  let lo = 0;
  let hi = rho * zz;
  if (!last) {
    const half = (d[j + 1]! - d[j]!) / 2;
    let g = invRho;
    for (let i = 0; i < k; i++) g += z2[i]! / (d[i]! - d[j]! - half);
    if (g >= 0) hi = half;
    else {
      origin = j + 1;
      lo = -half;
      hi = 0;
    }
  }
  const base = d[origin]!;
  for (let i = 0; i < k; i++) diff[i] = d[i]! - base;
  let tau = (lo + hi) / 2;
  for (let iter = 0; iter < MAX_SECULAR_ITERATIONS; iter++) {
    let psi = 0;
    let dpsi = 0;
    let phi = 0;
    let dphi = 0;
    let size = invRho;
    for (let i = 0; i < k; i++) {
      const del = diff[i]! - tau;
      column[i] = del;
      const t = z2[i]! / del;
      if (i <= j) {
        psi += t;
        dpsi += t / del;
      } else {
        phi += t;
        dphi += t / del;
      }
      size += Math.abs(t);
    }
    const g = invRho + psi + phi;
    if (g === 0 || Math.abs(g) <= 8 * EPS * size) return { origin, tau };
    if (g < 0) lo = tau;
    else hi = tau;
    if (hi - lo <= 2 * EPS * Math.max(Math.abs(lo), Math.abs(hi))) return { origin, tau };
    // Model: C + b/(δ_j − s) + e/(δ_{j+1} − s) = 0 with the current δ, solved for the step s.
    const dj = column[j]!;
    const b = dpsi * dj * dj;
    let step: number;
    if (last) {
      const c0 = invRho + psi - dpsi * dj;
      step = c0 > 0 ? dj + b / c0 : NaN;
    } else {
      const dj1 = column[j + 1]!;
      const e = dphi * dj1 * dj1;
      const c0 = invRho + (psi - dpsi * dj) + (phi - dphi * dj1);
      step = quadraticRootBetween(c0, -(c0 * (dj + dj1) + b + e), c0 * dj * dj1 + b * dj1 + e * dj, dj, dj1);
    }
    const next = tau + step;
    tau = next > lo && next < hi ? next : (lo + hi) / 2;
  }
  for (let i = 0; i < k; i++) column[i] = diff[i]! - tau;
  return { origin, tau };
}

/** The root of a·s² + b·s + c in the open interval (low, high), NaN when there is none. */
function quadraticRootBetween(a: number, b: number, c: number, low: number, high: number): number {
  const inside = (s: number): boolean => s > low && s < high;
  if (a === 0) {
    const s = -c / b;
    return inside(s) ? s : NaN;
  }
  const disc = b * b - 4 * a * c;
  if (!(disc >= 0)) return NaN;
  const q = -(b + (b >= 0 ? 1 : -1) * Math.sqrt(disc)) / 2;
  const s1 = q / a;
  const s2 = q !== 0 ? c / q : NaN;
  if (inside(s1)) return s1;
  return inside(s2) ? s2 : NaN;
}

/**
 * Eigenvectors of D + ρ·z·zᵀ (k × k, column j for root j) from Gu–Eisenstat's ẑ: the weights for which the computed
 * roots are exact, ẑ_i² ∝ Π_j (λ_j − d_i) / Π_{j≠i} (d_j − d_i) (LAPACK dlaed3), then u_j ∝ (ẑ_i/(d_i − λ_j))_i.
 */
export function secularVectors(d: Float64Array, z: Float64Array, delta: Float64Array): Float64Array {
  const k = d.length;
  const zhat = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let w = delta[i * k + i]!;
    for (let j = 0; j < k; j++) if (j !== i) w *= delta[i * k + j]! / (d[i]! - d[j]!);
    zhat[i] = (z[i]! < 0 ? -1 : 1) * Math.sqrt(Math.max(-w, 0));
  }
  const u = new Float64Array(k * k);
  const norms = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = zhat[i]! / delta[i * k + j]!;
      u[i * k + j] = v;
      norms[j]! += v * v;
    }
  }
  for (let j = 0; j < k; j++) norms[j] = 1 / Math.sqrt(norms[j]!);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) u[i * k + j]! *= norms[j]!;
  return u;
}
