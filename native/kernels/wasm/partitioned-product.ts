/**
 * XᵀY (or XᵀX) on the pool. The output is cut into tiles of TILE_ROWS × TILE_COLS (for a Gram, only tiles touching
 * the upper triangle); the threads claim tiles from a shared counter and each tile is computed whole, over all rows,
 * by one thread. Hence:
 *   - every entry is one fixed-order sum: the result is bit-identical whatever the thread count or scheduling;
 *   - a thread slowed by other programs simply claims fewer tiles, so both cores stay useful on a busy machine;
 *   - no per-thread partial products to zero, store or add up.
 * The price is packing: X is packed once per tile column and Y once per tile row, a few percent of the flops.
 *
 * Inputs are copied into the wasm memory in row chunks of about CHUNK_BYTES, so any number of datapoints works
 * within wasm32's 4 GiB (tiles then accumulate chunk after chunk). Two chunk buffers alternate: this thread copies
 * chunk k+1 while the workers multiply chunk k, so the copy hides behind the arithmetic. Below SMALL_FLOPS everything
 * runs on the calling thread with no messaging.
 */
import type { Matrix } from '../../linalg/matrix.js';
import type { KernelPool, TaskQueue } from './pool.js';
import { DEFAULT_BLOCKING, DEFAULT_SHAPE, packBytes } from './product-module.js';

const F64 = 8;
const ALIGN = 64;
/** The first 64 bytes of the memory hold the task counter. */
const COUNTER = 0;
const CHUNK_BYTES = 64 * 2 ** 20;
/** Below this many flops a worker round trip (tens of µs) costs more than it saves. */
const SMALL_FLOPS = 2e6;
/** Output tile: one mc block of X's columns by one nc block of Y's, the natural unit of the packed loops. */
const TILE_ROWS = DEFAULT_BLOCKING.mc;
const TILE_COLS = DEFAULT_BLOCKING.nc;

const roundUp = (v: number, m: number): number => Math.ceil(v / m) * m;

class Arena {
  private end = ALIGN;
  take(bytes: number): number {
    const at = this.end;
    this.end = roundUp(at + bytes, ALIGN);
    return at;
  }
  get size(): number {
    return this.end;
  }
}

interface Tile {
  readonly i0: number;
  readonly rows: number;
  readonly j0: number;
  readonly cols: number;
}

function outputTiles(p: number, q: number, symmetric: boolean): Tile[] {
  const tiles: Tile[] = [];
  for (let j0 = 0; j0 < q; j0 += TILE_COLS) {
    const cols = Math.min(TILE_COLS, q - j0);
    // Gram: a tile whose first row is at or below its last column + 1 has no entry on or above the diagonal.
    const iEnd = symmetric ? Math.min(p, j0 + cols) : p;
    for (let i0 = 0; i0 < iEnd; i0 += TILE_ROWS) tiles.push({ i0, rows: Math.min(TILE_ROWS, iEnd - i0), j0, cols });
  }
  // Biggest first, so the last tiles claimed are the short ones (the Gram's diagonal tiles).
  return tiles.sort((a, b) => b.rows * b.cols - a.rows * a.cols);
}

/**
 * A logical n × p factor X (rows = datapoints) as stored: `matrix` itself, or, when `transposed`, `matrix` holds Xᵀ
 * (p × n). The packing reads either layout through strides, so a transposed operand is never materialised.
 */
export interface Operand {
  readonly matrix: Matrix;
  readonly transposed: boolean;
  /** Only the first `leading` columns of a row-major (not transposed) matrix take part. */
  readonly leading?: number;
}

export const operand = (matrix: Matrix, transposed = false): Operand => ({ matrix, transposed });
/** The first k columns of row-major `matrix`, read in place. */
export const leadingColumns = (matrix: Matrix, k: number): Operand => {
  if (!(k >= 0 && k <= matrix.cols)) throw new RangeError(`leadingColumns: ${k} of ${matrix.cols} columns`);
  return { matrix, transposed: false, leading: k };
};
const rowsOf = (o: Operand): number => (o.transposed ? o.matrix.cols : o.matrix.rows);
const colsOf = (o: Operand): number => (o.transposed ? o.matrix.rows : (o.leading ?? o.matrix.cols));

/** Where rows [r0, r1) of an operand sit in the wasm memory once copied, as byte strides of element (r, i). */
interface Placed {
  readonly at: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/** Copies rows [r0, r1) of the logical operand to `at`, keeping its storage order (no transpose). */
function place(o: Operand, r0: number, r1: number, memory: Float64Array, at: number): Placed {
  const { data } = o.matrix;
  const p = colsOf(o);
  const len = r1 - r0;
  if (!o.transposed) {
    const stride = o.matrix.cols;
    if (p === stride) memory.set(data.subarray(r0 * p, r1 * p), at / F64);
    else for (let r = r0; r < r1; r++) memory.set(data.subarray(r * stride, r * stride + p), at / F64 + (r - r0) * p);
    return { at, rowStride: p * F64, colStride: F64 };
  }
  const n = rowsOf(o);
  if (len === n) memory.set(data, at / F64);
  else for (let i = 0; i < p; i++) memory.set(data.subarray(i * n + r0, i * n + r1), at / F64 + i * len);
  return { at, rowStride: F64, colStride: len * F64 };
}

/**
 * Returns the p × q product XᵀY as a new array. With `y` undefined it computes XᵀX and fills only entries on or
 * above the diagonal (the caller mirrors).
 */
export function partitionedProduct(
  pool: KernelPool,
  x: Operand,
  y: Operand | undefined,
  chunkBytes = CHUNK_BYTES,
): Promise<Float64Array> {
  if (y && rowsOf(x) !== rowsOf(y)) throw new RangeError(`product: ${rowsOf(x)} rows vs ${rowsOf(y)}`);
  return pool.exclusive(() => run(pool, x, y, chunkBytes));
}

async function run(pool: KernelPool, x: Operand, y: Operand | undefined, chunkBytes: number): Promise<Float64Array> {
  const { mr, nr } = DEFAULT_SHAPE;
  const symmetric = y === undefined;
  const rows = rowsOf(x);
  const p = colsOf(x);
  const q = symmetric ? p : colsOf(y);
  const out = new Float64Array(p * q);
  if (rows === 0 || p === 0 || q === 0) return out;

  const onCaller = pool.threads === 0 || 2 * rows * p * q < SMALL_FLOPS;
  const tiles = outputTiles(p, q, symmetric);
  const threads = onCaller ? 1 : Math.max(1, Math.min(pool.threads, tiles.length));
  const bytesPerRow = (symmetric ? p : p + q) * F64;
  // Whole kc blocks per chunk (the packed loops' unit), at least one.
  const kc = DEFAULT_BLOCKING.kc;
  const chunkRows = Math.min(rows, Math.max(kc, Math.floor(chunkBytes / bytesPerRow / kc) * kc));

  // Tiles are multiples of the register tile except at the edges, where C's padding takes the overhang.
  const P = roundUp(p, mr);
  const Q = roundUp(q, nr);
  const pack = packBytes();
  const arena = new Arena();
  const buffers = Array.from({ length: chunkRows < rows ? 2 : 1 }, () => {
    const xAt = arena.take(chunkRows * p * F64);
    return { xAt, yAt: symmetric ? xAt : arena.take(chunkRows * q * F64) };
  });
  const cAt = arena.take(P * Q * F64);
  const scratch = Array.from({ length: threads }, () => ({ packA: arena.take(pack.left), packB: arena.take(pack.right) }));
  pool.reserve(arena.size);
  pool.local.fillZero(cAt, P * Q * F64);

  const load = (r0: number, buffer: { xAt: number; yAt: number }): { xs: Placed; ys: Placed; count: number } => {
    const r1 = Math.min(rows, r0 + chunkRows);
    const memory = pool.f64();
    const xs = place(x, r0, r1, memory, buffer.xAt);
    return { xs, ys: symmetric ? xs : place(y, r0, r1, memory, buffer.yAt), count: r1 - r0 };
  };
  let chunk = load(0, buffers[0]!);
  for (let r0 = 0, k = 0; r0 < rows; r0 += chunkRows, k++) {
    const { xs, ys, count } = chunk;
    const queue: TaskQueue = {
      counter: COUNTER,
      fn: 'crossGramRows',
      length: tiles.length,
      args: (t, w) => {
        const { i0, rows: tileRows, j0, cols } = tiles[t]!;
        const { packA, packB } = scratch[w]!;
        return [xs.at + i0 * xs.colStride, xs.rowStride, xs.colStride, ys.at + j0 * ys.colStride, ys.rowStride,
          ys.colStride, count, tileRows, cols, cAt + (i0 * Q + j0) * F64, Q * F64, packA, packB, symmetric ? 1 : 0,
          i0 - j0];
      },
    };
    const running = pool.runParallel(Array.from({ length: threads }, () => []), queue, onCaller);
    if (r0 + chunkRows < rows) {
      // The next chunk goes to the other buffer while the workers read this one (or, on the caller, after it).
      if (onCaller) await running;
      chunk = load(r0 + chunkRows, buffers[(k + 1) % 2]!);
    }
    await running;
  }

  // Drop the tile padding (one copy when there is none).
  const memory = pool.f64();
  if (Q === q) out.set(memory.subarray(cAt / F64, cAt / F64 + p * q));
  else for (let i = 0; i < p; i++) out.set(memory.subarray(cAt / F64 + i * Q, cAt / F64 + i * Q + q), i * q);
  return out;
}
