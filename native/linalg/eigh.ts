/**
 * Symmetric eigendecomposition S = V·diag(λ)·Vᵀ.
 *
 * Algorithm: Householder reduction to tridiagonal form (its matrix–vector product and rank-2 update in WebAssembly
 * SIMD, kernels/wasm/vector-module.ts), then the tridiagonal problem: eigenvalues alone by implicit QL (tql2 of
 * EISPACK as printed in JAMA, tridiagonal-ql.ts); with eigenvectors by QL (eigh, and eighWith below
 * DIVIDE_AND_CONQUER_FROM) or by divide and conquer (eighWith, tridiagonal-dc.ts); then the Householder reflectors
 * applied to the tridiagonal eigenvectors (2n³ flops; blocked WY products in eighWith) instead of being
 * accumulated up front. The matrix is kept as a full symmetric row-major copy so every inner loop walks a
 * contiguous row.
 * Accuracy: backward stable; |λ̂ − λ| ≲ n·ε·‖S‖ and eigenvectors orthonormal to ~n·ε.
 */
import { matrix, type Matrix } from './matrix.js';
import { VectorMachine } from '../kernels/wasm/vector-machine.js';
import { LEAF_SIZE, tridiagonalEigen } from './tridiagonal-dc.js';
import { rotatedRows, rotatedRowsLengths, tridiagonalQL, type RotatedRows } from './tridiagonal-ql.js';
import type { VectorExports } from '../kernels/wasm/vector-module.js';

export interface EighResult {
  /** Eigenvalues, descending. */
  readonly values: Float64Array;
  /** Columns are the unit eigenvectors, in the order of `values`. */
  readonly vectors: Matrix;
}

export interface EighOptions {
  /** Compute eigenvectors (default true). Without them the cost drops from ~6n³ to ~2n³ flops. */
  readonly vectors?: boolean;
}

export function eigh(s: Matrix, options: EighOptions = {}): EighResult {
  const phase = reduce(s, options.vectors ?? true);
  if (phase.w) applyReflectors(phase.a, phase.h, phase.n, phase.w);
  return finish(phase);
}

/** xᵀ·y for matrices with equal row counts — the signature of the `crossGram` kernel. */
export type CrossProduct = (x: Matrix, y: Matrix) => Promise<Matrix>;

const BLOCK = 64;

/** From this size on, eighWith solves the tridiagonal problem by divide and conquer instead of QL. */
export const DIVIDE_AND_CONQUER_FROM = 2 * LEAF_SIZE + 1;

/**
 * eigh with the heavy products done by `product` — pass the float64 `crossGram` kernel: the tridiagonal
 * eigenvectors by divide and conquer (tridiagonal-dc.ts, its merges are products) and the back-transformation
 * (2n³ flops) as blocked products. Same result as eigh up to rounding.
 */
export async function eighWith(s: Matrix, product: CrossProduct, options: EighOptions = {}): Promise<EighResult> {
  if (!(options.vectors ?? true)) return { values: eighStaged(s, product).values, vectors: matrix(0, 0) };
  if (s.rows >= DIVIDE_AND_CONQUER_FROM) return divideAndConquer(tridiagonalForm(s), product); // its own eigenvalues
  const staged = eighStaged(s, product);
  return { values: staged.values, vectors: await staged.vectors() };
}

/** Eigenvalues and eigenvectors from the tridiagonal form by divide and conquer, then the back-transformation. */
async function divideAndConquer({ n, a, h, d, e }: TridiagonalForm, product: CrossProduct): Promise<EighResult> {
  const solved = await tridiagonalEigen(d, e.subarray(1), product);
  await applyReflectorsBlocked(a, h, n, solved.vectors, product);
  return finish({ n, a, h, d: solved.values, w: solved.vectors }, solved.vectors);
}

/** An eigendecomposition in two stages: the eigenvalues now, the eigenvectors only if they turn out to be needed. */
export interface StagedEigh {
  /** Eigenvalues, descending. */
  readonly values: Float64Array;
  /** Columns are the unit eigenvectors in the order of `values` (computed on the first call). */
  vectors(): Promise<Matrix>;
}

/**
 * The tridiagonal form once; the eigenvalues from it by QL without vectors (O(n²) more); the eigenvectors on demand
 * by divide and conquer (QL below DIVIDE_AND_CONQUER_FROM) and the back-transformation, products by `product`.
 */
export function eighStaged(s: Matrix, product: CrossProduct): StagedEigh {
  const form = tridiagonalForm(s);
  const { n, a, h, d, e } = form;
  const values = tridiagonalEigenvalues(d, e.subarray(1));
  let vectors: Promise<Matrix> | undefined;
  const solveVectors = async (): Promise<Matrix> => {
    if (n >= DIVIDE_AND_CONQUER_FROM) return (await divideAndConquer(form, product)).vectors;
    const rows = rotatedRows(n);
    const dd = Float64Array.from(d);
    if (n > 0) implicitQL(dd, Float64Array.from(e), n, rows);
    applyReflectors(a, h, n, rows.w);
    return finish({ n, a, h, d: dd, w: rows.w }).vectors;
  };
  return {
    values,
    vectors: () => (vectors ??= solveVectors()),
  };
}

interface Reduced {
  readonly n: number;
  /** Householder vectors (row i, entries 0..i−1) after tridiagonalisation. */
  readonly a: Float64Array;
  readonly h: Float64Array;
  /** Eigenvalues, unsorted. */
  readonly d: Float64Array;
  /** Eigenvector rows of the tridiagonal matrix (null: values only). */
  readonly w: Float64Array | null;
}

/** Tridiagonalisation and QL: everything but the back-transformation. */
function reduce(s: Matrix, wantVectors: boolean): Reduced {
  const { n, a, h, d, e, machine } = tridiagonalForm(s, wantVectors ? rotatedRowsLengths(s.rows) : []);
  const rows = wantVectors ? rotatedRows(n, machine) : null;
  if (n > 0) implicitQL(d, e, n, rows);
  return { n, a, h, d, w: rows ? rows.w : null };
}

interface TridiagonalForm {
  readonly n: number;
  /** Householder vectors (row i, entries 0..i−1). */
  readonly a: Float64Array;
  readonly h: Float64Array;
  /** Diagonal, and sub-diagonal with e[i] = T[i][i−1] (e[0] = 0). */
  readonly d: Float64Array;
  readonly e: Float64Array;
  /** The vector machine `a` lives in, with room left for arrays of the `extra` lengths. */
  readonly machine: VectorMachine;
}

/** Householder tridiagonalisation of (S + Sᵀ)/2. */
function tridiagonalForm(s: Matrix, extra: readonly number[] = []): TridiagonalForm {
  const n = s.rows;
  if (s.cols !== n) throw new RangeError(`eigh: matrix is ${s.rows}×${s.cols}, not square`);
  const machine = new VectorMachine([n * n, n, ...extra]);
  // Work on a symmetrised copy: (S + Sᵀ)/2 makes a Gram computed with rounding exactly symmetric.
  const a = machine.alloc(n * n);
  const sd = s.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = i === j ? sd[i * n + i]! : 0.5 * (sd[i * n + j]! + sd[j * n + i]!);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const h = new Float64Array(n);
  if (n > 0) tridiagonalize(a, n, d, e, h, machine.alloc(n), machine.exports);
  return { n, a, h, d, e, machine };
}

/**
 * Sorts descending and lays the eigenvectors out as columns, from the rows of `w` or, when given, the columns of
 * `columns`.
 */
function finish({ n, d, w }: Reduced, columns?: Float64Array): EighResult {
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[j]! - d[i]!);
  const values = new Float64Array(n);
  for (let k = 0; k < n; k++) values[k] = d[order[k]!]!;
  const vectors = matrix(w ? n : 0, w ? n : 0);
  if (columns) {
    const vd = vectors.data;
    for (let r = 0; r < n; r++) {
      const o = r * n;
      for (let k = 0; k < n; k++) vd[o + k] = columns[o + order[k]!]!;
    }
  } else if (w) {
    const vd = vectors.data;
    for (let k = 0; k < n; k++) {
      const src = order[k]! * n;
      for (let r = 0; r < n; r++) vd[r * n + k] = w[src + r]!;
    }
  }
  return { values, vectors };
}

/**
 * The back-transformation on the eigenvector columns of V: V ← P_{n−1}·…·P_1·V, in blocks of BLOCK consecutive
 * reflectors. A block in compact WY form (LAPACK dlarft, forward) is P_first·…·P_last = I − Y·T·Yᵀ, so applying
 * P_last·…·P_first is V ← V − Y·(Tᵀ·(Yᵀ·V)); Y is zero below row len = last, so only the first len rows of V —
 * a contiguous prefix — take part. Every product (YᵀY for T, YᵀV, Tᵀ·(YᵀV), Y·(…)) goes to `product`.
 */
async function applyReflectorsBlocked(a: Float64Array, h: Float64Array, n: number, v: Float64Array, product: CrossProduct): Promise<void> {
  for (let first = 2; first < n; first += BLOCK) {
    const last = Math.min(n - 1, first + BLOCK - 1);
    const b = last - first + 1;
    const len = last; // reflector i touches 0..i−1
    // Y (len × b) and its transpose (b × len).
    const y = new Float64Array(len * b);
    const yt = new Float64Array(b * len);
    const tau = new Float64Array(b);
    for (let c = 0; c < b; c++) {
      const i = first + c;
      if (h[i] === 0) continue;
      tau[c] = 1 / h[i]!;
      const ro = i * n;
      for (let k = 0; k < i; k++) {
        y[k * b + c] = a[ro + k]!;
        yt[c * len + k] = a[ro + k]!;
      }
    }
    // T (b × b upper): T_cc = τ_c; T[0:c, c] = −τ_c · T[0:c, 0:c] · (Y[:, 0:c]ᵀ y_c), the dot products from YᵀY.
    const yty = (await product(matrix(len, b, y), matrix(len, b, y))).data;
    const t = new Float64Array(b * b);
    for (let c = 0; c < b; c++) {
      t[c * b + c] = tau[c]!;
      if (tau[c] === 0) continue;
      for (let r = 0; r < c; r++) {
        let sum = 0;
        for (let q = r; q < c; q++) sum += t[r * b + q]! * yty[q * b + c]!;
        t[r * b + c] = -tau[c]! * sum;
      }
    }
    const prefix = matrix(len, n, v.subarray(0, len * n));
    const g = await product(matrix(len, b, y), prefix); // Yᵀ·V[:len] (b × n)
    const tg = await product(matrix(b, b, t), g); // Tᵀ·(YᵀV)
    const e = (await product(matrix(b, len, yt), tg)).data; // Y·(TᵀG) (len × n)
    for (let k = 0; k < len * n; k++) v[k]! -= e[k]!;
  }
}

/**
 * Eigenvalues (descending) of the symmetric tridiagonal matrix with diagonal `d` and off-diagonal `e`
 * (e[i] = T[i+1][i], length n − 1): implicit QL without vectors, O(n²). Inputs are not modified.
 */
export function tridiagonalEigenvalues(d: ArrayLike<number>, e: ArrayLike<number>): Float64Array {
  const n = d.length;
  const dd = Float64Array.from(d);
  const ee = new Float64Array(n);
  for (let i = 1; i < n; i++) ee[i] = e[i - 1]!; // implicitQL's layout: ee[i] = T[i][i−1]
  if (n > 0) implicitQL(dd, ee, n, null);
  return dd.sort().reverse();
}

/**
 * Householder tridiagonalisation, last row first, reading and updating only the lower triangle (the upper one is
 * stale after the first step). On return d/e hold the diagonal and sub-diagonal (e[i] = T[i][i−1], e[0] = 0); row i
 * of `a` (entries 0..i−1) holds reflector i's vector v with P_i = I − v·vᵀ/h[i] (h[i] = 0: no reflector).
 */
function tridiagonalize(a: Float64Array, n: number, d: Float64Array, e: Float64Array, h: Float64Array, p: Float64Array, simd: VectorExports): void {
  const lda = n * 8;
  for (let i = n - 1; i >= 1; i--) {
    const ri = i * n;
    d[i] = a[ri + i]!;
    let scale = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(a[ri + k]!);
    if (i === 1 || scale === 0) {
      // Nothing to annihilate: row i is already (0, …, 0, a[i][i−1]).
      e[i] = a[ri + i - 1]!;
      h[i] = 0;
      continue;
    }
    let sigma = 0;
    for (let k = 0; k < i; k++) {
      const x = a[ri + k]! / scale;
      a[ri + k] = x;
      sigma += x * x;
    }
    const f = a[ri + i - 1]!;
    const g = f > 0 ? -Math.sqrt(sigma) : Math.sqrt(sigma);
    e[i] = scale * g;
    const hi = sigma - f * g;
    a[ri + i - 1] = f - g;
    h[i] = hi;
    // p = A₀·v over the leading i×i block from its lower triangle: row j contributes a dot product to p[j]
    // (entries k ≤ j) and, by symmetry, v[j]·A[j][k] to every p[k] with k < j — one contiguous pass per row.
    p.fill(0, 0, i);
    simd.symvLower(a.byteOffset, lda, a.byteOffset + ri * 8, p.byteOffset, i);
    // q = p/h − (vᵀp / 2h²)·v ; A₀ ← A₀ − v·qᵀ − q·vᵀ (lower triangle only).
    let kv = 0;
    for (let j = 0; j < i; j++) {
      p[j]! /= hi;
      kv += p[j]! * a[ri + j]!;
    }
    const kk = kv / (2 * hi);
    for (let j = 0; j < i; j++) p[j]! -= kk * a[ri + j]!;
    simd.syr2Lower(a.byteOffset, lda, a.byteOffset + ri * 8, p.byteOffset, i);
  }
  d[0] = a[0]!;
  e[0] = 0;
}

/**
 * Implicit QL on the symmetric tridiagonal (d, e) — tql2. The rotations of one sweep depend only on d and e, so
 * they are recorded and then applied to the rows of `w` together (applyRotations), which keeps rows in registers.
 * On return d holds the (unsorted) eigenvalues.
 */
function implicitQL(d: Float64Array, e: Float64Array, n: number, rows: RotatedRows | null): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  tridiagonalQL(d, e, n, rows);
}

/**
 * Turns eigenvectors y of T into eigenvectors z = Q·y of S, Q = P_{n−1}·…·P_1. With y stored as row yᵀ,
 * zᵀ = yᵀ·P_1·P_2·…·P_{n−1}: reflectors are applied to every row in increasing order, four at a time — one pass
 * takes the four dot products, a tiny triangular recurrence turns them into the sequential coefficients, and a
 * second pass subtracts all four (the same arithmetic as one at a time, with a quarter of the memory traffic).
 */
function applyReflectors(a: Float64Array, h: Float64Array, n: number, w: Float64Array): void {
  const B = 4;
  const vs = new Float64Array(B * n);
  const hs = new Float64Array(B);
  const gram = new Float64Array(B * B);
  const dots = new Float64Array(B);
  const t = new Float64Array(B);
  for (let first = 2; first < n; first += B) {
    const count = Math.min(B, n - first);
    const len = first + count - 1; // longest support in the block (reflector i touches 0..i−1)
    vs.fill(0);
    for (let b = 0; b < count; b++) {
      const i = first + b;
      hs[b] = h[i]!;
      if (h[i] !== 0) vs.set(a.subarray(i * n, i * n + i), b * n);
    }
    for (let b = count; b < B; b++) hs[b] = 0;
    for (let b = 0; b < B; b++) {
      for (let c = 0; c < b; c++) {
        let s = 0;
        for (let k = 0; k < len; k++) s += vs[b * n + k]! * vs[c * n + k]!;
        gram[c * B + b] = s;
      }
    }
    const o1 = n;
    const o2 = 2 * n;
    const o3 = 3 * n;
    for (let r = 0; r < n; r++) {
      const ro = r * n;
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      for (let k = 0; k < len; k++) {
        const z = w[ro + k]!;
        d0 += z * vs[k]!;
        d1 += z * vs[o1 + k]!;
        d2 += z * vs[o2 + k]!;
        d3 += z * vs[o3 + k]!;
      }
      dots[0] = d0;
      dots[1] = d1;
      dots[2] = d2;
      dots[3] = d3;
      // Sequential application: after P_b the next dot product is reduced by t_b·(v_b·v_c).
      let any = false;
      for (let b = 0; b < B; b++) {
        if (hs[b] === 0) {
          t[b] = 0;
          continue;
        }
        let s = dots[b]!;
        for (let c = 0; c < b; c++) s -= t[c]! * gram[c * B + b]!;
        t[b] = s / hs[b]!;
        if (t[b] !== 0) any = true;
      }
      if (!any) continue;
      const t0 = t[0]!;
      const t1 = t[1]!;
      const t2 = t[2]!;
      const t3 = t[3]!;
      for (let k = 0; k < len; k++) {
        w[ro + k]! -= t0 * vs[k]! + t1 * vs[o1 + k]! + t2 * vs[o2 + k]! + t3 * vs[o3 + k]!;
      }
    }
  }
}
