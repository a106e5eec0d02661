/**
 * Generates the WebAssembly module behind the wasm-simd backend: float64 C += Aᵀ·B on packed panels, the
 * GotoBLAS/BLIS structure (Goto & van de Geijn, "Anatomy of high-performance matrix multiplication", TOMS 2008;
 * Van Zee & van de Geijn, "BLIS", TOMS 2015):
 *
 *   packPanels  copies a kb × w block of a row-major matrix into column panels of width m (m = mr for the left
 *               factor, nr for the right), each panel kb × m contiguous and zero-padded past w, so the
 *               micro-kernel streams both operands with unit stride and never needs edge cases.
 *   micro       C[mr × nr] += Σ_k a_k ⊗ b_k: the register-blocked core. mr·nr/2 f64x2 accumulators stay in
 *               registers for the whole kb loop; each step loads nr/2 vectors of b and mr broadcast scalars of a.
 *   macro       sweeps micro over an mt × nt grid of tiles of one packed block; for a Gram block it skips tiles
 *               strictly below the diagonal (the caller mirrors them).
 *   crossGramRows  the cache-blocking loops (kc rows × nc columns of Y × mc columns of X) around pack + macro:
 *               C += X[rows]ᵀ Y[rows] for one slice of rows. Living in wasm, a worker thread only has to call it.
 *   crossGramBatch  crossGramRows over `count` independent small problems laid out at fixed strides.
 *
 * Row-major X (rows = datapoints) is already "A transposed" for C = XᵀY: row r of X is the column a_r, so packing
 * is a strided copy, no transpose. Exact float64 either way: each step is an IEEE float64 multiply and add (or one
 * fused multiply-add, see `Accumulate`); only the summation order differs from a naive loop.
 */
import { ValType, type Code } from './emit/code.js';
import { assembleModule, FunctionBuilder, type FunctionSpec } from './emit/module.js';

export interface MicroShape {
  /** Rows of the register tile (broadcast scalars of the left factor per step). */
  readonly mr: number;
  /** Columns of the register tile; even, since f64x2 vectors hold two. */
  readonly nr: number;
  /** k-steps per loop iteration: fewer branches and pointer bumps per flop. */
  readonly unroll: number;
}

/**
 * 4 × 4, not unrolled: 8 accumulators + 2 b vectors + 1 broadcast + 1 product = 12 of the 15 xmm registers V8
 * allocates on x64, so nothing spills. Unrolling or larger tiles (2×8, 4×6, 6×4, 5×4) measured slower here: V8
 * hoists the unrolled loads ahead of the arithmetic and spills (see docs/kernels.md for the figures).
 */
export const DEFAULT_SHAPE: MicroShape = { mr: 4, nr: 4, unroll: 1 };

/**
 * Cache blocking: kc rows per packed block (a kc × nr panel of the right factor, 8 KiB, stays in L1 while it is
 * reused across the block), mc columns of the left factor per packed block (256 KiB, in L2), nc columns of the right
 * factor per packed block. The measured optimum is flat around these values on this machine.
 */
export interface Blocking {
  readonly kc: number;
  readonly mc: number;
  readonly nc: number;
}
export const DEFAULT_BLOCKING: Blocking = { kc: 256, mc: 128, nc: 256 };

/**
 * How the micro-kernel accumulates: 'mul-add' (WebAssembly SIMD 1.0, two IEEE operations, bit-identical to a
 * sequential sum per entry) or 'relaxed-madd' (relaxed SIMD f64x2.relaxed_madd: one fused multiply-add where the
 * CPU has FMA, about 20% faster here; a single rounding per step instead of two, so results differ in the last bits).
 * Relaxed SIMD ships in V8 11.4+ (Electron ≥ 25, Node ≥ 22); Node 20 has it only behind a flag.
 */
export type Accumulate = 'mul-add' | 'relaxed-madd';

export const PAGE_BYTES = 65536;
/** wasm32 addresses 4 GiB at most; the pool grows the shared memory on demand up to this. */
export const MAX_PAGES = 65536;

const F64 = 8;
const V128 = 16;

/** The export names and signatures, as the TypeScript side sees them. All pointers and strides are in bytes. */
export interface ProductExports {
  /**
   * C (row stride `ldc`) += X[0:rows]ᵀ · Y[0:rows], X with p columns and Y with q, element (r, i) of X at
   * x + r·xRowStride + i·xColStride (likewise Y): row-major when the column stride is 8, transposed storage otherwise.
   * C must have room for p and q rounded up to the tile (mr, nr). `lowerSkip` = 1 for Gram (Y = X): only tiles
   * touching the upper triangle are computed, `diagonal0` being the global index of X's first column minus Y's
   * (non-zero when the call covers one off-diagonal tile of a larger Gram). `packA`/`packB`: `packBytes(...)` each.
   */
  crossGramRows(x: number, xRowStride: number, xColStride: number, y: number, yRowStride: number, yColStride: number,
    rows: number, p: number, q: number, c: number, ldc: number, packA: number, packB: number, lowerSkip: number,
    diagonal0: number): void;
  /**
   * For i < count: zero C_i, then crossGramRows on row-major X_i, Y_i, C_i found at the given byte strides from x, y,
   * c; `lowerSkip` = 1 when every Y_i is X_i (Gram items: upper triangles only).
   */
  crossGramBatch(count: number, x: number, xStride: number, y: number, yStride: number, c: number, cStride: number,
    ldx: number, ldy: number, rows: number, p: number, q: number, ldc: number, packA: number, packB: number,
    lowerSkip: number): void;
  /** memory.fill(ptr, 0, bytes). */
  fillZero(ptr: number, bytes: number): void;
  /**
   * Pack kb rows × w columns starting at `src` into mr-wide panels at `dst`. Element (r, c) is at
   * src + r·rowStride + c·colStride: colStride 8 for row-major storage, rowStride 8 for an operand stored transposed.
   */
  packLeft(src: number, rowStride: number, colStride: number, kb: number, w: number, dst: number): void;
  /** The same into nr-wide panels. */
  packRight(src: number, rowStride: number, colStride: number, kb: number, w: number, dst: number): void;
  /** C[mr × nr] at `c` (row stride `ldcBytes`) += Σ_k over kb steps of packed a, b. */
  micro(a: number, b: number, c: number, ldcBytes: number, kb: number): void;
  /**
   * All mt × nt tiles of one packed block pair. `diagonal` = (first row of the block) − (first column); a tile whose
   * rows all lie below the diagonal is skipped when `lowerSkip` is 1 (Gram).
   */
  macro(a: number, b: number, c: number, ldcBytes: number, kb: number, mt: number, nt: number, diagonal: number,
    lowerSkip: number): void;
}

function packPanels(name: string, m: number): FunctionSpec {
  const { i32 } = ValType;
  const f = new FunctionBuilder(name, [i32, i32, i32, i32, i32, i32]);
  const [src, rowStride, colStride, kb, w, dst] = [0, 1, 2, 3, 4, 5] as const;
  const c0 = f.local(i32);
  const s = f.local(i32);
  const d = f.local(i32);
  const e = f.local(i32);
  const k = f.local(i32);
  const j = f.local(i32);
  const cols = f.local(i32);
  const code = f.body;

  /** Copy one full row of a panel from contiguous columns: f64x2 pairs plus a trailing scalar when m is odd. */
  const copyFullRow = (c: Code): void => {
    for (let jj = 0; jj + 1 < m; jj += 2) c.get(d).get(s).v128Load(jj * F64).v128Store(jj * F64);
    if (m % 2 === 1) c.get(d).get(s).f64Load((m - 1) * F64).f64Store((m - 1) * F64);
  };
  /** Edge panel: columns past `cols` are written as zeros so the micro-kernel can run a full tile. */
  const copyEdgeRow = (c: Code): void => {
    for (let jj = 0; jj < m; jj++) {
      c.i32(jj).get(cols).i32LtS().if(
        (t) => t.get(d).get(s).f64Load(jj * F64).f64Store(jj * F64),
        (z) => z.get(d).f64Const(0).f64Store(jj * F64),
      );
    }
  };
  const rowLoop = (c: Code, copyRow: (c: Code) => void): void => {
    c.get(dst).set(d);
    c.get(kb).set(k);
    c.get(k).i32(0).i32GtS().if((t) =>
      t.loop((l) => {
        copyRow(l);
        l.get(s).get(rowStride).i32Add().set(s);
        l.get(d).i32(m * F64).i32Add().set(d);
        l.get(k).i32(1).i32Sub().tee(k).brIf(0);
      }),
    );
  };
  /**
   * Columns not contiguous (the operand is stored transposed): one panel column at a time, reading along the
   * operand's stored rows (unit stride when rowStride is 8) and writing every m-th slot of the panel.
   */
  const stridedPanel = (c: Code): void => {
    c.i32(0).set(j);
    c.block((exit) =>
      exit.loop((columns) => {
        columns.get(j).i32(m).i32GeS().brIf(1);
        columns.get(dst).get(j).i32(3).i32Shl().i32Add().set(d);
        columns.get(s).get(j).get(colStride).i32Mul().i32Add().set(e);
        columns.get(kb).set(k);
        columns.get(k).i32(0).i32GtS().if((t) =>
          t.get(j).get(cols).i32LtS().if(
            (copy) =>
              copy.loop((l) => {
                l.get(d).get(e).f64Load().f64Store();
                l.get(e).get(rowStride).i32Add().set(e);
                l.get(d).i32(m * F64).i32Add().set(d);
                l.get(k).i32(1).i32Sub().tee(k).brIf(0);
              }),
            (zero) =>
              zero.loop((l) => {
                l.get(d).f64Const(0).f64Store();
                l.get(d).i32(m * F64).i32Add().set(d);
                l.get(k).i32(1).i32Sub().tee(k).brIf(0);
              }),
          ),
        );
        columns.get(j).i32(1).i32Add().set(j);
        columns.br(0);
      }),
    );
  };

  code.i32(0).set(c0);
  code.block((exit) =>
    exit.loop((panels) => {
      panels.get(c0).get(w).i32GeS().brIf(1);
      panels.get(w).get(c0).i32Sub().set(cols);
      panels.get(src).get(c0).get(colStride).i32Mul().i32Add().set(s);
      panels.get(colStride).i32(F64).i32Eq().if(
        (contiguous) =>
          contiguous.get(cols).i32(m).i32GeS().if(
            (full) => rowLoop(full, copyFullRow),
            (edge) => rowLoop(edge, copyEdgeRow),
          ),
        (strided) => stridedPanel(strided),
      );
      panels.get(dst).get(kb).i32(m * F64).i32Mul().i32Add().set(dst);
      panels.get(c0).i32(m).i32Add().set(c0);
      panels.br(0);
    }),
  );
  return f.spec();
}

function microKernel(shape: MicroShape, fused: boolean): FunctionSpec {
  const { mr, nr, unroll } = shape;
  if (nr % 2 !== 0) throw new RangeError(`micro-kernel nr must be even, got ${nr}`);
  const nv = nr / 2;
  const { i32, v128 } = ValType;
  const f = new FunctionBuilder('micro', [i32, i32, i32, i32, i32]);
  const [a, b, c, ldc, kb] = [0, 1, 2, 3, 4] as const;
  const acc: number[][] = [];
  for (let i = 0; i < mr; i++) acc.push(Array.from({ length: nv }, () => f.local(v128)));
  const bv = Array.from({ length: nv }, () => f.local(v128));
  const av = f.local(v128);
  const row = f.local(i32);
  const aEnd = f.local(i32);
  const aStart = f.local(i32);
  const code = f.body;
  code.get(a).set(aStart);

  // Load the C tile into the accumulators.
  code.get(c).set(row);
  for (let i = 0; i < mr; i++) {
    for (let v = 0; v < nv; v++) code.get(row).v128Load(v * V128).set(acc[i]![v]!);
    if (i + 1 < mr) code.get(row).get(ldc).i32Add().set(row);
  }

  /** One k-step `u` steps ahead of the pointers: nv vector loads of b, then mr broadcasts of a, mul then add. */
  const step = (l: Code, u: number): void => {
    for (let v = 0; v < nv; v++) l.get(b).v128Load((u * nr + 2 * v) * F64).set(bv[v]!);
    for (let i = 0; i < mr; i++) {
      l.get(a).v128Load64Splat((u * mr + i) * F64).set(av);
      for (let v = 0; v < nv; v++) {
        if (fused) l.get(av).get(bv[v]!).get(acc[i]![v]!).f64x2RelaxedMadd().set(acc[i]![v]!);
        else l.get(acc[i]![v]!).get(av).get(bv[v]!).f64x2Mul().f64x2Add().set(acc[i]![v]!);
      }
    }
  };
  // The loops run until `a` reaches an end address: one compare per iteration, no separate counter.
  const loopUntil = (c0: Code, steps: number, end: number): void => {
    c0.get(a).get(end).i32Ne().if((t) =>
      t.loop((l) => {
        for (let u = 0; u < steps; u++) step(l, u);
        l.get(a).i32(steps * mr * F64).i32Add().tee(a);
        l.get(b).i32(steps * nr * F64).i32Add().set(b);
        l.get(end).i32Ne().brIf(0);
      }),
    );
  };
  // Unrolled part: ⌊kb / unroll⌋·unroll steps; then the remaining steps one at a time.
  code.get(a).get(kb).i32(unroll).i32DivU().i32(unroll * mr * F64).i32Mul().i32Add().set(aEnd);
  loopUntil(code, unroll, aEnd);
  if (unroll > 1) {
    code.get(aStart).get(kb).i32(mr * F64).i32Mul().i32Add().set(aEnd);
    loopUntil(code, 1, aEnd);
  }

  code.get(c).set(row);
  for (let i = 0; i < mr; i++) {
    for (let v = 0; v < nv; v++) code.get(row).get(acc[i]![v]!).v128Store(v * V128);
    if (i + 1 < mr) code.get(row).get(ldc).i32Add().set(row);
  }
  return f.spec();
}

function macroKernel(shape: MicroShape, microIndex: number): FunctionSpec {
  const { mr, nr } = shape;
  const { i32 } = ValType;
  const f = new FunctionBuilder('macro', [i32, i32, i32, i32, i32, i32, i32, i32, i32]);
  const [ap, bp, c, ldc, kb, mt, nt, diagonal, lowerSkip] = [0, 1, 2, 3, 4, 5, 6, 7, 8] as const;
  const jr = f.local(i32);
  const ir = f.local(i32);
  const aPanel = f.local(i32);
  const bPanel = f.local(i32);
  const cCol = f.local(i32);
  const cTile = f.local(i32);
  const rowOffset = f.local(i32);
  const aStride = f.local(i32);
  const bStride = f.local(i32);
  const cTileStride = f.local(i32);
  const code = f.body;

  code.get(kb).i32(mr * F64).i32Mul().set(aStride);
  code.get(kb).i32(nr * F64).i32Mul().set(bStride);
  code.get(ldc).i32(mr).i32Mul().set(cTileStride);
  code.get(bp).set(bPanel);
  code.get(c).set(cCol);
  code.i32(0).set(jr);
  // Column tiles outside, row tiles inside: the kb × nr panel of B stays in L1 while A's panels stream from L2.
  code.block((exitJ) =>
    exitJ.loop((loopJ) => {
      loopJ.get(jr).get(nt).i32GeS().brIf(1);
      loopJ.get(ap).set(aPanel);
      loopJ.get(cCol).set(cTile);
      loopJ.get(diagonal).set(rowOffset);
      loopJ.i32(0).set(ir);
      loopJ.block((exitI) =>
        exitI.loop((loopI) => {
          loopI.get(ir).get(mt).i32GeS().brIf(1);
          // Gram: skip when the tile's first row is at or past the column just after the tile (all below diagonal).
          loopI
            .get(lowerSkip).i32Eqz()
            .get(rowOffset).get(jr).i32(nr).i32Mul().i32(nr).i32Add().i32LtS()
            .i32Add()
            .if((t) => t.get(aPanel).get(bPanel).get(cTile).get(ldc).get(kb).call(microIndex));
          loopI.get(aPanel).get(aStride).i32Add().set(aPanel);
          loopI.get(cTile).get(cTileStride).i32Add().set(cTile);
          loopI.get(rowOffset).i32(mr).i32Add().set(rowOffset);
          loopI.get(ir).i32(1).i32Add().set(ir);
          loopI.br(0);
        }),
      );
      loopJ.get(bPanel).get(bStride).i32Add().set(bPanel);
      loopJ.get(cCol).i32(nr * F64).i32Add().set(cCol);
      loopJ.get(jr).i32(1).i32Add().set(jr);
      loopJ.br(0);
    }),
  );
  return f.spec();
}

function fillZero(): FunctionSpec {
  const { i32 } = ValType;
  const f = new FunctionBuilder('fillZero', [i32, i32]);
  f.body.get(0).i32(0).get(1).memoryFill();
  return f.spec();
}

/** min(a, b) of two i32 locals, left on the stack. */
function minOf(c: Code, a: number, b: number): void {
  c.get(a).get(b).get(a).get(b).i32LtS().select();
}

function crossGramRows(shape: MicroShape, blocking: Blocking, index: FunctionIndex): FunctionSpec {
  const { mr, nr } = shape;
  const { kc, mc, nc } = blocking;
  const { i32 } = ValType;
  const f = new FunctionBuilder('crossGramRows', Array<ValType>(15).fill(i32));
  const [x, xRow, xCol, y, yRow, yCol, rows, p, q, c, ldc, packA, packB, lowerSkip, diagonal0] =
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14] as const;
  const kk = f.local(i32);
  const kb = f.local(i32);
  const jc = f.local(i32);
  const nb = f.local(i32);
  const ic = f.local(i32);
  const icEnd = f.local(i32);
  const mb = f.local(i32);
  const rest = f.local(i32);
  const blockSize = f.local(i32);
  const code = f.body;

  /** for (v = 0; v < end; v += step) { body } with `end` a local, written as block/loop. */
  const forStep = (c0: Code, v: number, end: number, step: number, body: (l: Code) => void): void => {
    c0.i32(0).set(v);
    c0.block((exit) =>
      exit.loop((l) => {
        l.get(v).get(end).i32GeS().brIf(1);
        body(l);
        l.get(v).i32(step).i32Add().set(v);
        l.br(0);
      }),
    );
  };
  const clampedBlock = (c0: Code, start: number, end: number, size: number, out: number): void => {
    c0.get(end).get(start).i32Sub().set(rest);
    c0.i32(size).set(blockSize);
    minOf(c0, rest, blockSize);
    c0.set(out);
  };

  forStep(code, kk, rows, kc, (rowsLoop) => {
    clampedBlock(rowsLoop, kk, rows, kc, kb);
    forStep(rowsLoop, jc, q, nc, (colsLoop) => {
      clampedBlock(colsLoop, jc, q, nc, nb);
      // packRight(y + kk·yRow + jc·yCol, yRow, yCol, kb, nb, packB)
      colsLoop.get(y).get(kk).get(yRow).i32Mul().i32Add().get(jc).get(yCol).i32Mul().i32Add();
      colsLoop.get(yRow).get(yCol).get(kb).get(nb).get(packB).call(index.packRight);
      // Gram: rows of X past the end of this column block only meet tiles below the diagonal.
      colsLoop.get(jc).get(nb).i32Add().get(diagonal0).i32Sub().set(rest);
      minOf(colsLoop, p, rest);
      colsLoop.get(p).get(lowerSkip).select().set(icEnd);
      forStep(colsLoop, ic, icEnd, mc, (blockLoop) => {
        clampedBlock(blockLoop, ic, icEnd, mc, mb);
        blockLoop.get(x).get(kk).get(xRow).i32Mul().i32Add().get(ic).get(xCol).i32Mul().i32Add();
        blockLoop.get(xRow).get(xCol).get(kb).get(mb).get(packA).call(index.packLeft);
        // macro(packA, packB, c + ic·ldc + jc·8, ldc, kb, ⌈mb/mr⌉, ⌈nb/nr⌉, ic − jc, lowerSkip)
        blockLoop.get(packA).get(packB);
        blockLoop.get(c).get(ic).get(ldc).i32Mul().i32Add().get(jc).i32(3).i32Shl().i32Add();
        blockLoop.get(ldc).get(kb);
        blockLoop.get(mb).i32(mr - 1).i32Add().i32(mr).i32DivU();
        blockLoop.get(nb).i32(nr - 1).i32Add().i32(nr).i32DivU();
        blockLoop.get(ic).get(jc).i32Sub().get(diagonal0).i32Add().get(lowerSkip).call(index.macro);
      });
    });
  });
  return f.spec();
}

function crossGramBatch(index: FunctionIndex): FunctionSpec {
  const { i32 } = ValType;
  const f = new FunctionBuilder('crossGramBatch', Array<ValType>(16).fill(i32));
  const [count, x, xStride, y, yStride, c, cStride, ldx, ldy, rows, p, q, ldc, packA, packB, lowerSkip] =
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] as const;
  const i = f.local(i32);
  const code = f.body;
  code.i32(0).set(i);
  code.block((exit) =>
    exit.loop((l) => {
      l.get(i).get(count).i32GeS().brIf(1);
      l.get(c).i32(0).get(cStride).memoryFill();
      l.get(x).get(ldx).i32(F64).get(y).get(ldy).i32(F64).get(rows).get(p).get(q).get(c).get(ldc).get(packA).get(packB);
      l.get(lowerSkip).i32(0);
      l.call(index.crossGramRows);
      l.get(x).get(xStride).i32Add().set(x);
      l.get(y).get(yStride).i32Add().set(y);
      l.get(c).get(cStride).i32Add().set(c);
      l.get(i).i32(1).i32Add().set(i);
      l.br(0);
    }),
  );
  return f.spec();
}

/** Function indices inside the module, for `call`. */
interface FunctionIndex {
  readonly packLeft: number;
  readonly packRight: number;
  readonly micro: number;
  readonly macro: number;
  readonly crossGramRows: number;
}

/** Bytes of scratch each thread needs for its two packed blocks. */
export function packBytes(shape: MicroShape = DEFAULT_SHAPE, blocking: Blocking = DEFAULT_BLOCKING): {
  left: number;
  right: number;
} {
  const roundUp = (v: number, m: number): number => Math.ceil(v / m) * m;
  return { left: roundUp(blocking.mc, shape.mr) * blocking.kc * F64, right: roundUp(blocking.nc, shape.nr) * blocking.kc * F64 };
}

export interface ModuleOptions {
  readonly shape?: MicroShape;
  readonly blocking?: Blocking;
  readonly accumulate?: Accumulate;
  /** Import a shared memory (default, for worker threads) or a private one (a pool of the calling thread alone). */
  readonly shared?: boolean;
}

/**
 * The module bytes for one micro-kernel shape, blocking and accumulation. Generation takes microseconds, so the
 * module is built at run time from this readable source; no binary artifact is kept in the repository.
 */
export function productModuleBytes(options: ModuleOptions = {}): Uint8Array {
  const { shape = DEFAULT_SHAPE, blocking = DEFAULT_BLOCKING, accumulate = 'mul-add', shared = true } = options;
  if (blocking.mc % shape.mr !== 0 || blocking.nc % shape.nr !== 0) {
    throw new RangeError(`blocking ${blocking.mc}×${blocking.nc} is not a multiple of the ${shape.mr}×${shape.nr} tile`);
  }
  const index: FunctionIndex = { packLeft: 0, packRight: 1, micro: 2, macro: 3, crossGramRows: 4 };
  const functions = [
    packPanels('packLeft', shape.mr),
    packPanels('packRight', shape.nr),
    microKernel(shape, accumulate === 'relaxed-madd'),
    macroKernel(shape, index.micro),
    crossGramRows(shape, blocking, index),
    crossGramBatch(index),
    fillZero(),
  ];
  return assembleModule({ initialPages: 1, maximumPages: MAX_PAGES, shared }, functions);
}

/** The fastest accumulation this engine validates. */
export function bestAccumulate(validate: (bytes: Uint8Array) => boolean): Accumulate {
  return validate(productModuleBytes({ accumulate: 'relaxed-madd' })) ? 'relaxed-madd' : 'mul-add';
}
