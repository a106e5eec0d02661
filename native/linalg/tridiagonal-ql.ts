/**
 * Implicit QL on a symmetric tridiagonal matrix (tql2 of EISPACK as printed in JAMA), with the eigenvector rows it
 * rotates kept in a vector machine so each sweep's rotations run as WebAssembly SIMD over contiguous rows. Shared by
 * the real and Hermitian eigensolvers and by the leaves of the divide-and-conquer solver.
 */
import { VectorMachine } from '../kernels/wasm/vector-machine.js';
import { EPS, hypot } from './util.js';

const MAX_QL_ITERATIONS = 64;

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
        let r = hypot(p, 1);
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
          r = hypot(p, e[i]!);
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

