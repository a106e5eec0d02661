import { describe, expect, it } from 'vitest';
import { VectorMachine } from '../../../native/kernels/wasm/vector-machine.js';
import { normalGenerator } from '../linalg/helpers.js';

/** The eigensolvers' SIMD loops against plain loops, for every length parity and rotation-count remainder. */
describe('vector module (WebAssembly SIMD level-2 loops)', () => {
  const normal = normalGenerator(91);
  const fill = (a: Float64Array): Float64Array => {
    for (let i = 0; i < a.length; i++) a[i] = normal();
    return a;
  };

  it.each([1, 2, 3, 4, 7, 8, 13])('symvLower and syr2Lower on a %i-row lower triangle', (count) => {
    const n = count + 3; // row stride wider than the block
    const vm = new VectorMachine([n * n, n, n, n]);
    const a = fill(vm.alloc(n * n));
    const v = fill(vm.alloc(n));
    const q = fill(vm.alloc(n));
    const p = vm.alloc(n);
    const want = new Float64Array(n);
    for (let j = 0; j < count; j++) {
      for (let k = 0; k < j; k++) {
        want[j]! += a[j * n + k]! * v[k]!;
        want[k]! += a[j * n + k]! * v[j]!;
      }
      want[j]! += a[j * n + j]! * v[j]!;
    }
    vm.exports.symvLower(a.byteOffset, n * 8, v.byteOffset, p.byteOffset, count);
    for (let j = 0; j < n; j++) expect(p[j]).toBeCloseTo(want[j]!, 13);
    const before = Float64Array.from(a);
    vm.exports.syr2Lower(a.byteOffset, n * 8, v.byteOffset, q.byteOffset, count);
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < n; k++) {
        const expected = j < count && k <= j ? before[j * n + k]! - (v[j]! * q[k]! + q[j]! * v[k]!) : before[j * n + k]!;
        expect(a[j * n + k]).toBe(expected); // same operations in the same order: bit-identical
      }
    }
  });

  it.each([
    [5, 4, 0],
    [9, 8, 0],
    [6, 7, 2],
    [10, 3, 1],
    [12, 11, 3],
  ])('rotateRows: %i rows of length %i, rotations down to %i (triples, then singles)', (rows, len, to) => {
    const from = rows - 2;
    const vm = new VectorMachine([rows * len, rows, rows]);
    const w = fill(vm.alloc(rows * len));
    const cs = vm.alloc(rows);
    const ss = vm.alloc(rows);
    for (let i = 0; i < rows; i++) {
      const t = normal();
      cs[i] = Math.cos(t);
      ss[i] = Math.sin(t);
    }
    const want = Float64Array.from(w);
    for (let i = from; i >= to; i--) {
      for (let k = 0; k < len; k++) {
        const y = want[i * len + k]!;
        const x = want[(i + 1) * len + k]!;
        want[(i + 1) * len + k] = ss[i]! * y + cs[i]! * x;
        want[i * len + k] = cs[i]! * y - ss[i]! * x;
      }
    }
    vm.exports.rotateRows(w.byteOffset, len * 8, cs.byteOffset, ss.byteOffset, from, to, len);
    expect(Array.from(w)).toEqual(Array.from(want));
  });

  it.each([1, 2, 5, 6])('bidiagonalRows over 3 rows of length %i', (len) => {
    const count = 3;
    const ld = len + 2;
    const vm = new VectorMachine([count * ld, count, len, len, len]);
    const x = fill(vm.alloc(count * ld));
    const fs = fill(vm.alloc(count));
    const acc = fill(vm.alloc(len));
    const u = fill(vm.alloc(len));
    const next = fill(vm.alloc(len));
    const gamma = 0.37;
    const wantX = Float64Array.from(x);
    const wantNext = Float64Array.from(next);
    for (let r = 0; r < count; r++) {
      let dot = 0;
      for (let j = 0; j < len; j++) {
        wantX[r * ld + j] = wantX[r * ld + j]! - fs[r]! * acc[j]!;
        dot += wantX[r * ld + j]! * u[j]!;
      }
      const g = gamma * dot;
      for (let j = 0; j < len; j++) wantX[r * ld + j] = wantX[r * ld + j]! - g * u[j]!;
      for (let j = 1; j < len; j++) wantNext[j]! += wantX[r * ld]! * wantX[r * ld + j]!;
    }
    vm.exports.bidiagonalRows(x.byteOffset, ld * 8, count, len, fs.byteOffset, acc.byteOffset, u.byteOffset, gamma, next.byteOffset);
    for (let i = 0; i < x.length; i++) expect(x[i]).toBeCloseTo(wantX[i]!, 13);
    for (let j = 1; j < len; j++) expect(next[j]).toBeCloseTo(wantNext[j]!, 13);
  });

  it('refuses more than a wasm32 memory can hold, in one clear line', () => {
    expect(() => new VectorMachine([2 ** 29, 2 ** 29])).toThrow(/need 8\.0 GiB of WebAssembly memory here; 4 GiB is the most/);
  });
});
