/**
 * Symmetric eigendecomposition S = V·diag(λ)·Vᵀ.
 *
 * Algorithm: Householder reduction to tridiagonal form, implicit QL with Wilkinson-type shifts on the tridiagonal
 * (the tred2/tql2 pair of EISPACK as printed in JAMA), then the Householder reflectors applied to the tridiagonal
 * eigenvectors. Deviations from JAMA, both for speed in JavaScript:
 *  - the matrix is kept as a full symmetric row-major copy so every inner loop walks a contiguous row;
 *  - eigenvectors are stored as ROWS while they are rotated (a QL rotation then touches two contiguous rows),
 *    and the reflectors are applied afterwards (2n³ flops) instead of being accumulated up front.
 * Accuracy: backward stable; |λ̂ − λ| ≲ n·ε·‖S‖ and eigenvectors orthonormal to ~n·ε.
 */
import { matrix, type Matrix } from './matrix.js';
import { VectorMachine } from '../kernels/wasm/vector-machine.js';
import type { VectorExports } from '../kernels/wasm/vector-module.js';
import { EPS } from './util.js';

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

const MAX_QL_ITERATIONS = 64;

export function eigh(s: Matrix, options: EighOptions = {}): EighResult {
  const phase = reduce(s, options.vectors ?? true);
  if (phase.w) applyReflectors(phase.a, phase.h, phase.n, phase.w);
  return finish(phase);
}

/** xᵀ·y for matrices with equal row counts — the signature of the `crossGram` kernel. */
export type CrossProduct = (x: Matrix, y: Matrix) => Promise<Matrix>;

/** Below this size the blocked back-transformation does not pay for its kernel calls. */
const BLOCKED_ABOVE = 384;
const BLOCK = 48;

/**
 * eigh with the back-transformation (2n³ of the ~6n³ flops) done as blocked matrix products by `product` —
 * pass the `crossGram` kernel. Same result as eigh up to rounding; the reduction and QL stay in JavaScript.
 */
export async function eighWith(s: Matrix, product: CrossProduct, options: EighOptions = {}): Promise<EighResult> {
  const phase = reduce(s, options.vectors ?? true);
  const { n, w } = phase;
  if (w && n > BLOCKED_ABOVE) {
    // Columns (eigenvectors) of V = Wᵀ: the block products then read and update contiguous row prefixes of V.
    const v = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let r = 0; r < n; r++) v[r * n + i] = w[i * n + r]!;
    await applyReflectorsBlocked(phase.a, phase.h, n, v, product);
    return finish(phase, v);
  }
  if (w) applyReflectors(phase.a, phase.h, n, w);
  return finish(phase);
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
  const n = s.rows;
  if (s.cols !== n) throw new RangeError(`eigh: matrix is ${s.rows}×${s.cols}, not square`);
  const machine = new VectorMachine(wantVectors ? [n * n, n, ...rotatedRowsLengths(n)] : [n * n, n]);
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
  const rows = wantVectors ? rotatedRows(n, machine) : null;
  if (n > 0) implicitQL(d, e, n, rows);
  return { n, a, h, d, w: rows ? rows.w : null };
}

/**
 * Eigenvector rows of a tridiagonal problem (the identity to start) and the rotation buffers of the QL sweeps, all
 * in one vector machine so the rotations run as WebAssembly SIMD over contiguous rows.
 */
export interface RotatedRows {
  /** n × n; row i is eigenvector i. */
  readonly w: Float64Array;
  readonly cs: Float64Array;
  readonly ss: Float64Array;
  /** Applies rotations i = from, from−1, …, to (cosines cs[i], sines ss[i]) to row pairs (i, i+1) of w. */
  rotate(from: number, to: number): void;
}

/** Array lengths rotatedRows allocates, for sizing the machine. */
export function rotatedRowsLengths(n: number): number[] {
  return [n * n, n, n];
}

export function rotatedRows(n: number, machine: VectorMachine = new VectorMachine(rotatedRowsLengths(n))): RotatedRows {
  const w = machine.alloc(n * n);
  for (let i = 0; i < n; i++) w[i * n + i] = 1;
  const cs = machine.alloc(n);
  const ss = machine.alloc(n);
  const { rotateRows } = machine.exports;
  return {
    w,
    cs,
    ss,
    rotate: (from, to) => rotateRows(w.byteOffset, n * 8, cs.byteOffset, ss.byteOffset, from, to, n),
  };
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
 * a contiguous prefix — take part. The two big products go to `product`.
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
    // T (b × b upper): T_cc = τ_c; T[0:c, c] = −τ_c · T[0:c, 0:c] · (Y[:, 0:c]ᵀ y_c).
    const t = new Float64Array(b * b);
    const z = new Float64Array(b);
    for (let c = 0; c < b; c++) {
      t[c * b + c] = tau[c]!;
      if (tau[c] === 0) continue;
      for (let r = 0; r < c; r++) {
        let dot = 0;
        const ro = r * len;
        const co = c * len;
        for (let k = 0; k < len; k++) dot += yt[ro + k]! * yt[co + k]!;
        z[r] = dot;
      }
      for (let r = 0; r < c; r++) {
        let sum = 0;
        for (let q = r; q < c; q++) sum += t[r * b + q]! * z[q]!;
        t[r * b + c] = -tau[c]! * sum;
      }
    }
    const prefix = matrix(len, n, v.subarray(0, len * n));
    const g = (await product(matrix(len, b, y), prefix)).data; // Yᵀ·V[:len] (b × n)
    // G ← Tᵀ·G in place, bottom row first (row q of TᵀG reads rows p ≤ q of G).
    for (let q = b - 1; q >= 0; q--) {
      const qo = q * n;
      const tqq = t[q * b + q]!;
      for (let j = 0; j < n; j++) g[qo + j]! *= tqq;
      for (let p = 0; p < q; p++) {
        const f = t[p * b + q]!;
        if (f === 0) continue;
        const po = p * n;
        for (let j = 0; j < n; j++) g[qo + j]! += f * g[po + j]!;
      }
    }
    const e = (await product(matrix(b, len, yt), matrix(b, n, g))).data; // Y·(TᵀG) (len × n)
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
 * The QL sweeps themselves, on d (diagonal) and e[k] = T[k+1][k] (e[n−1] = 0); rotations act on row pairs of `w`
 * (eigenvectors stored as rows). Shared with the Hermitian solver, whose phase-real tridiagonal is real symmetric.
 */
export function tridiagonalQL(d: Float64Array, e: Float64Array, n: number, rows: RotatedRows | null): void {
  const cs = rows?.cs;
  const ss = rows?.ss;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]!) > EPS * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > MAX_QL_ITERATIONS) throw new Error(`eigh: QL iteration did not converge (eigenvalue ${l} of ${n})`);
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let hh = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= hh;
        f += hh;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          hh = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = hh + s * (c * g + s * d[i]!);
          if (cs && ss) {
            cs[i] = c;
            ss[i] = s;
          }
        }
        rows?.rotate(m - 1, l);
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > EPS * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
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
