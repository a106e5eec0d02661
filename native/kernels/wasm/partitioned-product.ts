/**
 * XᵀY (or XᵀX) on the pool: the rows (datapoints) are split evenly across threads, each thread accumulates its own
 * padded partial product C_t = X[rows_t]ᵀ Y[rows_t] in the shared memory, and the partials are summed in float64 at
 * the end. Splitting rows rather than output tiles balances the Gram triangle for free and lets every thread run
 * the same blocked loops; the extra cost is one p × q sum per thread.
 *
 * Inputs are copied into the wasm memory in row chunks of at most CHUNK_BYTES, so any number of datapoints works
 * within wasm32's 4 GiB; below SMALL_FLOPS the product runs on the calling thread with no messaging.
 */
import type { Matrix } from '../../linalg/matrix.js';
import { DEFAULT_SHAPE, packBytes } from './product-module.js';
import type { ExportCall, KernelPool } from './pool.js';

const F64 = 8;
const ALIGN = 64;
const CHUNK_BYTES = 256 * 2 ** 20;
/** Below this many flops a worker round trip (tens of µs) costs more than it saves. */
const SMALL_FLOPS = 2e6;
/** Fewer rows than this per thread and the per-thread partial sums stop paying off. */
const MIN_ROWS_PER_THREAD = 64;

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

/**
 * Returns the p × q product as a new array. With `y` undefined it computes XᵀX and fills only entries on or above
 * the diagonal (the caller mirrors).
 */
export function partitionedProduct(pool: KernelPool, x: Matrix, y: Matrix | undefined): Promise<Float64Array> {
  return pool.exclusive(() => run(pool, x, y));
}

async function run(pool: KernelPool, x: Matrix, y: Matrix | undefined): Promise<Float64Array> {
  const { mr, nr } = DEFAULT_SHAPE;
  const symmetric = y === undefined;
  const rows = x.rows;
  const p = x.cols;
  const q = symmetric ? p : y.cols;
  const out = new Float64Array(p * q);
  if (rows === 0 || p === 0 || q === 0) return out;

  const flops = 2 * rows * p * q;
  const threads = flops < SMALL_FLOPS ? 1 : Math.max(1, Math.min(pool.threads, Math.floor(rows / MIN_ROWS_PER_THREAD)));
  const onCaller = flops < SMALL_FLOPS;
  const bytesPerRow = (symmetric ? p : p + q) * F64;
  const chunkRows = Math.max(1, Math.min(rows, Math.floor(CHUNK_BYTES / bytesPerRow)));

  const P = roundUp(p, mr);
  const Q = roundUp(q, nr);
  const pack = packBytes();
  const arena = new Arena();
  const xAt = arena.take(chunkRows * p * F64);
  const yAt = symmetric ? xAt : arena.take(chunkRows * q * F64);
  const partials = Array.from({ length: threads }, () => ({
    c: arena.take(P * Q * F64),
    packA: arena.take(pack.left),
    packB: arena.take(pack.right),
  }));
  pool.reserve(arena.size);

  for (let r0 = 0; r0 < rows; r0 += chunkRows) {
    const r1 = Math.min(rows, r0 + chunkRows);
    const memory = pool.f64();
    memory.set(x.data.subarray(r0 * p, r1 * p), xAt / F64);
    if (!symmetric) memory.set(y.data.subarray(r0 * q, r1 * q), yAt / F64);
    const n = r1 - r0;
    const perThread: ExportCall[][] = partials.map((part, t) => {
      const start = Math.floor((t * n) / threads);
      const end = Math.floor(((t + 1) * n) / threads);
      const calls: ExportCall[] = [];
      if (r0 === 0) calls.push({ fn: 'fillZero', args: [part.c, P * Q * F64] });
      calls.push({
        fn: 'crossGramRows',
        args: [xAt + start * p * F64, p * F64, yAt + start * q * F64, q * F64, end - start, p, q, part.c, Q * F64,
          part.packA, part.packB, symmetric ? 1 : 0],
      });
      return calls;
    });
    if (onCaller) {
      for (const call of perThread[0]!) (pool.local[call.fn] as (...args: number[]) => void)(...call.args);
    } else {
      await pool.runParallel(perThread);
    }
  }

  // Sum the partials in float64 and drop the tile padding.
  const memory = pool.f64();
  for (const part of partials) {
    const base = part.c / F64;
    for (let i = 0; i < p; i++) {
      const from = base + i * Q;
      const to = i * q;
      for (let j = symmetric ? i : 0; j < q; j++) out[to + j] += memory[from + j]!;
    }
  }
  return out;
}
