/**
 * Generates the single-thread WebAssembly SIMD module behind the dense eigensolvers' O(n²)-per-step loops (the
 * "level-2" work that the blocked products of product-module.ts cannot take):
 *
 *   symvLower   p[0:count) += A·v for the symmetric leading block whose lower triangle is stored in rows of A
 *               (Householder tridiagonalisation's matrix–vector product; p must hold zeros or a partial sum);
 *   syr2Lower   A ← A − v·qᵀ − q·vᵀ on that lower triangle (its rank-2 update);
 *   rotateRows  the plane rotations of one implicit-QL sweep applied to consecutive row pairs of W;
 *   bidiagonalRows  one step of Golub–Kahan bidiagonalisation over the trailing rows (left update, right
 *               reflector, and the next step's accumulation in one pass per row);
 *   columnStats, centerColumns  the two passes of centering a layer (per-neuron sums, min and max; then x − mean
 *               in place with Σc and Σc²), which every comparison starts with.
 *
 * Each runs in place on the caller's memory and returns synchronously, so the eigensolver's control flow stays in
 * TypeScript and only these loops run here. Per entry the arithmetic is the scalar loops' (same operations, same
 * order); only symvLower's dot product sums even and odd entries in separate lanes before adding them.
 * All pointers are byte offsets; lengths and indices count float64 elements.
 */
import { ValType, type Code } from './emit/code.js';
import { assembleModule, FunctionBuilder, type FunctionSpec } from './emit/module.js';
import { MAX_PAGES } from './product-module.js';

const F64 = 8;
const V128 = 16;

export interface VectorExports {
  /** For j < count, with a_j = row j of A (byte stride lda): p[j] += Σ_{k≤j} a_jk·v_k and p[k] += a_jk·v_j (k < j). */
  symvLower(a: number, lda: number, v: number, p: number, count: number): void;
  /** For j < count and k ≤ j: a_jk −= v_j·q_k + q_j·v_k. */
  syr2Lower(a: number, lda: number, v: number, q: number, count: number): void;
  /**
   * For i = from, from−1, …, to: rows r_i and r_{i+1} of W (byte stride ld, `len` entries each) become
   * r_{i+1} ← s_i·r_i + c_i·r_{i+1}, r_i ← c_i·r_i − s_i·r_{i+1}, with c_i = cs[i], s_i = ss[i].
   */
  rotateRows(w: number, ld: number, cs: number, ss: number, from: number, to: number, len: number): void;
  /**
   * For each of `count` rows x (first at `row`, byte stride ld, `len` entries), with f = fs[r]:
   * x ← x − f·acc; g = γ·(x·u); x ← x − g·u; then next[1:len) += x₀·x[1:len).
   */
  bidiagonalRows(row: number, ld: number, count: number, len: number, fs: number, acc: number, u: number, gamma: number, next: number): void;
  /** Over `rows` rows of `cols` entries at x: sum[j] += x_j, lo[j] = min(lo[j], x_j), hi[j] = max(hi[j], x_j). */
  columnStats(x: number, rows: number, cols: number, sum: number, lo: number, hi: number): void;
  /** In place over `rows` rows of `cols` entries: c = x_j − mean[j], x_j ← c, s1[j] += c, s2[j] += c·c. */
  centerColumns(x: number, rows: number, cols: number, mean: number, s1: number, s2: number): void;
}

const { i32, f64, v128 } = ValType;

/** ptr += bytes. */
function bump(c: Code, ptr: number, bytes: number): void {
  c.get(ptr).i32(bytes).i32Add().set(ptr);
}

/** Address base + index·8. */
function element(c: Code, base: number, index: number): Code {
  return c.get(base).get(index).i32(3).i32Shl().i32Add();
}

/**
 * `loop while (lead += 16) ≠ end` around `body`, skipped when lead starts at end: the f64x2 part of a row whose
 * pair count is (end − lead)/16. The body must advance every other pointer itself.
 */
function pairLoop(c: Code, lead: number, end: number, body: (l: Code) => void): void {
  c.get(lead).get(end).i32Ne().if((t) =>
    t.loop((l) => {
      body(l);
      l.get(lead).i32(V128).i32Add().tee(lead).get(end).i32Ne().brIf(0);
    }),
  );
}

/** for (j = 0; j < count; j++) { row = base + j·stride; body } — the outer loop of every function here. */
function rowLoop(c: Code, base: number, stride: number, count: number, j: number, row: number, body: (l: Code) => void): void {
  c.i32(0).set(j);
  c.get(j).get(count).i32LtS().if((t) =>
    t.loop((l) => {
      l.get(base).get(j).get(stride).i32Mul().i32Add().set(row);
      body(l);
      l.get(j).i32(1).i32Add().tee(j).get(count).i32LtS().brIf(0);
    }),
  );
}

function symvLower(): FunctionSpec {
  const f = new FunctionBuilder('symvLower', [i32, i32, i32, i32, i32]);
  const [a, lda, v, p, count] = [0, 1, 2, 3, 4] as const;
  const j = f.local(i32);
  const pa = f.local(i32);
  const pv = f.local(i32);
  const pp = f.local(i32);
  const end = f.local(i32);
  const vj = f.local(f64);
  const s = f.local(f64);
  const a0 = f.local(f64);
  const vjv = f.local(v128);
  const acc = f.local(v128);
  const av = f.local(v128);
  rowLoop(f.body, a, lda, count, j, pa, (l) => {
    l.get(v).set(pv);
    l.get(p).set(pp);
    // Pairs cover k < j rounded down to even; an odd j leaves one scalar entry before the diagonal.
    l.get(pa).get(j).i32(-2).i32And().i32(3).i32Shl().i32Add().set(end);
    element(l, v, j).f64Load().tee(vj).f64x2Splat().set(vjv);
    l.v128Zero().set(acc);
    pairLoop(l, pa, end, (b) => {
      b.get(pa).v128Load().set(av);
      b.get(acc).get(av).get(pv).v128Load().f64x2Mul().f64x2Add().set(acc);
      b.get(pp).get(pp).v128Load().get(av).get(vjv).f64x2Mul().f64x2Add().v128Store();
      bump(b, pv, V128);
      bump(b, pp, V128);
    });
    l.get(acc).f64x2ExtractLane(0).get(acc).f64x2ExtractLane(1).f64Add().set(s);
    l.get(j).i32(1).i32And().if((odd) => {
      odd.get(pa).f64Load().set(a0);
      odd.get(s).get(a0).get(pv).f64Load().f64Mul().f64Add().set(s);
      odd.get(pp).get(pp).f64Load().get(a0).get(vj).f64Mul().f64Add().f64Store();
      bump(odd, pa, F64);
      bump(odd, pp, F64);
    });
    // pa is at a_jj and pp at p_j.
    l.get(pp).get(pp).f64Load().get(s).get(pa).f64Load().get(vj).f64Mul().f64Add().f64Add().f64Store();
  });
  return f.spec();
}

function syr2Lower(): FunctionSpec {
  const f = new FunctionBuilder('syr2Lower', [i32, i32, i32, i32, i32]);
  const [a, lda, v, q, count] = [0, 1, 2, 3, 4] as const;
  const j = f.local(i32);
  const pa = f.local(i32);
  const pv = f.local(i32);
  const pq = f.local(i32);
  const end = f.local(i32);
  const vj = f.local(f64);
  const qj = f.local(f64);
  const vjv = f.local(v128);
  const qjv = f.local(v128);
  rowLoop(f.body, a, lda, count, j, pa, (l) => {
    l.get(v).set(pv);
    l.get(q).set(pq);
    // Entries k = 0..j: (j + 1) of them, pairs first.
    l.get(pa).get(j).i32(1).i32Add().i32(-2).i32And().i32(3).i32Shl().i32Add().set(end);
    element(l, v, j).f64Load().tee(vj).f64x2Splat().set(vjv);
    element(l, q, j).f64Load().tee(qj).f64x2Splat().set(qjv);
    pairLoop(l, pa, end, (b) => {
      b.get(pa).get(pa).v128Load().get(vjv).get(pq).v128Load().f64x2Mul().get(qjv).get(pv).v128Load().f64x2Mul()
        .f64x2Add().f64x2Sub().v128Store();
      bump(b, pv, V128);
      bump(b, pq, V128);
    });
    l.get(j).i32(1).i32And().i32Eqz().if((odd) => {
      odd.get(pa).get(pa).f64Load().get(vj).get(pq).f64Load().f64Mul().get(qj).get(pv).f64Load().f64Mul()
        .f64Add().f64Sub().f64Store();
    });
  });
  return f.spec();
}

function rotateRows(): FunctionSpec {
  const f = new FunctionBuilder('rotateRows', [i32, i32, i32, i32, i32, i32, i32]);
  const [w, ld, cs, ss, from, to, len] = [0, 1, 2, 3, 4, 5, 6] as const;
  const i = f.local(i32);
  const index = f.local(i32);
  const end = f.local(i32);
  // r[3] is row i+1, r[2] row i, r[1] row i−1, r[0] row i−2.
  const r = [f.local(i32), f.local(i32), f.local(i32), f.local(i32)];
  const scalar = { c: [f.local(f64), f.local(f64), f.local(f64)], s: [f.local(f64), f.local(f64), f.local(f64)], x: f.local(f64), y: f.local(f64) };
  const vector = { c: [f.local(v128), f.local(v128), f.local(v128)], s: [f.local(v128), f.local(v128), f.local(v128)], x: f.local(v128), y: f.local(v128) };
  const code = f.body;

  /**
   * `count` consecutive rotations (i, i−1, …) in one pass over rows r[3−count..3], one entry or one pair of
   * entries per call: the upper row of each pair is carried in x to the next pair, so every row is loaded and
   * stored once per pass however many rotations touch it.
   */
  const step = (b: Code, count: number, simd: boolean): void => {
    const regs = simd ? vector : scalar;
    const load = (ptr: number): Code => (simd ? b.get(ptr).v128Load() : b.get(ptr).f64Load());
    const mul = (): Code => (simd ? b.f64x2Mul() : b.f64Mul());
    const add = (): Code => (simd ? b.f64x2Add() : b.f64Add());
    const sub = (): Code => (simd ? b.f64x2Sub() : b.f64Sub());
    const store = (): Code => (simd ? b.v128Store() : b.f64Store());
    load(r[3]!).set(regs.x);
    for (let t = 0; t < count; t++) {
      load(r[2 - t]!).set(regs.y);
      // upper ← s·y + c·x ; x ← c·y − s·x
      b.get(r[3 - t]!).get(regs.s[t]!).get(regs.y);
      mul().get(regs.c[t]!).get(regs.x);
      mul();
      add();
      store();
      b.get(regs.c[t]!).get(regs.y);
      mul().get(regs.s[t]!).get(regs.x);
      mul();
      sub().set(regs.x);
    }
    b.get(r[3 - count]!).get(regs.x);
    store();
  };

  /** Rotations i, …, i−count+1 over whole rows: the pairs, then the odd last entry. */
  const pass = (l: Code, count: number): void => {
    for (let t = 0; t <= count; t++) l.get(w).get(i).i32(1 - t).i32Add().get(ld).i32Mul().i32Add().set(r[3 - t]!);
    for (let t = 0; t < count; t++) {
      l.get(i).i32(t).i32Sub().set(index);
      element(l, cs, index).f64Load().tee(scalar.c[t]!).f64x2Splat().set(vector.c[t]!);
      element(l, ss, index).f64Load().tee(scalar.s[t]!).f64x2Splat().set(vector.s[t]!);
    }
    const lead = r[3 - count]!;
    l.get(lead).get(len).i32(-2).i32And().i32(3).i32Shl().i32Add().set(end);
    pairLoop(l, lead, end, (b) => {
      step(b, count, true);
      for (let t = 0; t < count; t++) bump(b, r[3 - t]!, V128);
    });
    l.get(len).i32(1).i32And().if((odd) => step(odd, count, false));
  };

  code.get(from).set(i);
  // Three rotations per pass while there are three left, then one at a time.
  code.block((out) =>
    out.loop((l) => {
      l.get(i).i32(2).i32Sub().get(to).i32LtS().brIf(1);
      pass(l, 3);
      l.get(i).i32(3).i32Sub().set(i);
      l.br(0);
    }),
  );
  code.get(i).get(to).i32GeS().if((t) =>
    t.loop((l) => {
      pass(l, 1);
      l.get(i).i32(1).i32Sub().tee(i).get(to).i32GeS().brIf(0);
    }),
  );
  return f.spec();
}

function bidiagonalRows(): FunctionSpec {
  const f = new FunctionBuilder('bidiagonalRows', [i32, i32, i32, i32, i32, i32, i32, f64, i32]);
  const [row, ld, count, len, fs, acc, u, gamma, next] = [0, 1, 2, 3, 4, 5, 6, 7, 8] as const;
  const r = f.local(i32);
  const px = f.local(i32);
  const pa = f.local(i32);
  const pu = f.local(i32);
  const pn = f.local(i32);
  const end = f.local(i32);
  const fr = f.local(f64);
  const g = f.local(f64);
  const x0 = f.local(f64);
  const t = f.local(f64);
  const fv = f.local(v128);
  const gv = f.local(v128);
  const xv = f.local(v128);
  const x0v = f.local(v128);
  const dot = f.local(v128);
  const code = f.body;
  const rowStart = f.local(i32);
  rowLoop(code, row, ld, count, r, rowStart, (l) => {
    // Pass 1 over x[0:len): x ← x − f·acc and the dot product with u.
    l.get(rowStart).set(px);
    l.get(acc).set(pa);
    l.get(u).set(pu);
    element(l, fs, r).f64Load().tee(fr).f64x2Splat().set(fv);
    l.v128Zero().set(dot);
    l.get(px).get(len).i32(-2).i32And().i32(3).i32Shl().i32Add().set(end);
    pairLoop(l, px, end, (b) => {
      b.get(px).v128Load().get(fv).get(pa).v128Load().f64x2Mul().f64x2Sub().set(xv);
      b.get(px).get(xv).v128Store();
      b.get(dot).get(xv).get(pu).v128Load().f64x2Mul().f64x2Add().set(dot);
      bump(b, pa, V128);
      bump(b, pu, V128);
    });
    l.get(dot).f64x2ExtractLane(0).get(dot).f64x2ExtractLane(1).f64Add().set(t);
    l.get(len).i32(1).i32And().if((odd) => {
      odd.get(px).f64Load().get(fr).get(pa).f64Load().f64Mul().f64Sub().set(x0);
      odd.get(px).get(x0).f64Store();
      odd.get(t).get(x0).get(pu).f64Load().f64Mul().f64Add().set(t);
    });
    l.get(gamma).get(t).f64Mul().tee(g).f64x2Splat().set(gv);
    // Pass 2: x₀ first, then x[1:len) with the accumulation into next[1:len).
    l.get(rowStart).set(px);
    l.get(px).get(px).f64Load().get(g).get(u).f64Load().f64Mul().f64Sub().tee(x0).f64Store();
    l.get(x0).f64x2Splat().set(x0v);
    bump(l, px, F64);
    l.get(u).i32(F64).i32Add().set(pu);
    l.get(next).i32(F64).i32Add().set(pn);
    l.get(px).get(len).i32(1).i32Sub().i32(-2).i32And().i32(3).i32Shl().i32Add().set(end);
    pairLoop(l, px, end, (b) => {
      b.get(px).v128Load().get(gv).get(pu).v128Load().f64x2Mul().f64x2Sub().set(xv);
      b.get(px).get(xv).v128Store();
      b.get(pn).get(pn).v128Load().get(x0v).get(xv).f64x2Mul().f64x2Add().v128Store();
      bump(b, pu, V128);
      bump(b, pn, V128);
    });
    l.get(len).i32(1).i32Sub().i32(1).i32And().if((odd) => {
      odd.get(px).f64Load().get(g).get(pu).f64Load().f64Mul().f64Sub().set(t);
      odd.get(px).get(t).f64Store();
      odd.get(pn).get(pn).f64Load().get(x0).get(t).f64Mul().f64Add().f64Store();
    });
  });
  return f.spec();
}

type ColumnStep = (c: Code, simd: boolean, at: number, columns: readonly number[]) => void;

/**
 * A pass over `rows` rows of `cols` entries at x (row stride cols·8) with per-column arrays walked alongside: the
 * step made by `make` (which may take locals of its own) handles one pair of entries (simd) or the odd last one,
 * `at` pointing at the entry in x and `columns[i]` at the matching entry of array i.
 */
function columnPass(name: string, arrays: number, make: (f: FunctionBuilder) => ColumnStep): FunctionSpec {
  const f = new FunctionBuilder(name, [i32, i32, i32, ...Array.from({ length: arrays }, () => i32)]);
  const [x, rows, cols] = [0, 1, 2] as const;
  const bases = Array.from({ length: arrays }, (_, i) => 3 + i);
  const step = make(f);
  const r = f.local(i32);
  const row = f.local(i32);
  const stride = f.local(i32);
  const px = f.local(i32);
  const end = f.local(i32);
  const pointers = bases.map(() => f.local(i32));
  const code = f.body;
  code.get(cols).i32(3).i32Shl().set(stride);
  rowLoop(code, x, stride, rows, r, row, (l) => {
    l.get(row).set(px);
    bases.forEach((base, i) => l.get(base).set(pointers[i]!));
    l.get(px).get(cols).i32(-2).i32And().i32(3).i32Shl().i32Add().set(end);
    pairLoop(l, px, end, (b) => {
      step(b, true, px, pointers);
      for (const p of pointers) bump(b, p, V128);
    });
    l.get(cols).i32(1).i32And().if((odd) => step(odd, false, px, pointers));
  });
  return f.spec();
}

/** Scalar or f64x2 forms of the few operations the column passes use. */
function lanes(c: Code, simd: boolean) {
  return {
    load: (p: number): Code => (simd ? c.get(p).v128Load() : c.get(p).f64Load()),
    store: (): Code => (simd ? c.v128Store() : c.f64Store()),
    add: (): Code => (simd ? c.f64x2Add() : c.f64Add()),
    sub: (): Code => (simd ? c.f64x2Sub() : c.f64Sub()),
    mul: (): Code => (simd ? c.f64x2Mul() : c.f64Mul()),
    min: (): Code => (simd ? c.f64x2Min() : c.f64Min()),
    max: (): Code => (simd ? c.f64x2Max() : c.f64Max()),
  };
}

function columnStats(): FunctionSpec {
  return columnPass('columnStats', 3, () => (c, simd, at, [sum, lo, hi]) => {
    const o = lanes(c, simd);
    c.get(sum!);
    o.load(sum!);
    o.load(at);
    o.add();
    o.store();
    c.get(lo!);
    o.load(lo!);
    o.load(at);
    o.min();
    o.store();
    c.get(hi!);
    o.load(hi!);
    o.load(at);
    o.max();
    o.store();
  });
}

function centerColumns(): FunctionSpec {
  return columnPass('centerColumns', 3, (f) => {
    const cs = f.local(f64);
    const cv = f.local(v128);
    return (c, simd, at, [mean, s1, s2]) => {
      const o = lanes(c, simd);
      const centered = simd ? cv : cs;
      o.load(at);
      o.load(mean!);
      o.sub();
      c.set(centered);
      c.get(at).get(centered);
      o.store();
      c.get(s1!);
      o.load(s1!);
      c.get(centered);
      o.add();
      o.store();
      c.get(s2!);
      o.load(s2!);
      c.get(centered).get(centered);
      o.mul();
      o.add();
      o.store();
    };
  });
}

/** The module bytes (generated at run time from this source, like the product module). */
export function vectorModuleBytes(): Uint8Array {
  return assembleModule({ initialPages: 1, maximumPages: MAX_PAGES, shared: false }, [symvLower(), syr2Lower(), rotateRows(), bidiagonalRows(), columnStats(), centerColumns()]);
}
