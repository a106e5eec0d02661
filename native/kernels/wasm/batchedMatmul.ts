/**
 * Many small products C_i = op(A_i)·op(B_i) on the pool. Each is rewritten into the kernel's native form
 * C_i = X_iᵀ Y_i with X_i = op(A_i)ᵀ (k × m) and Y_i = op(B_i) (k × n), both row-major, while being copied into the
 * shared memory (a transpose only where the stored layout differs); the batch is then split into tasks that the
 * threads claim, each running `crossGramBatch` over its items. When `a` and `b` are the same batch and exactly one
 * side is transposed, every item is a Gram matrix: one copy, upper triangles only, mirrored (exactly symmetric).
 */
import { batchedMatmulImpl, mirrorUpper, productShape } from '../cpu/shared.js';
import { BatchedMatmul, type BatchedMatmulAttrs, type MatrixBatch } from '../names.js';
import type { KernelConfig } from '../registry.js';
import { CPU_WASM_SIMD, kernelPool } from './backend.js';
import type { KernelPool, TaskQueue } from './pool.js';
import { DEFAULT_SHAPE, packBytes } from './product-module.js';

const F64 = 8;
/** Below this many flops in total the JavaScript loops win: copying and padding would dominate. */
const SMALL_FLOPS = 1e5;
const SMALL_FLOPS_PER_THREAD = 2e6;
const TASK_FLOPS = 4e6;

const roundUp = (v: number, m: number): number => Math.ceil(v / m) * m;

/** Copies rows × cols row-major `src` (at `from`) to `dst` (at `to`) as the same matrix or its transpose. */
function copyMatrix(src: Float64Array, from: number, rows: number, cols: number, transpose: boolean, dst: Float64Array, to: number): void {
  if (!transpose) {
    dst.set(src.subarray(from, from + rows * cols), to);
    return;
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) dst[to + j * rows + i] = src[from + i * cols + j]!;
  }
}

async function run(pool: KernelPool, a: MatrixBatch, b: MatrixBatch, attrs: BatchedMatmulAttrs): Promise<MatrixBatch> {
  const { m, k, n } = productShape(a, b, attrs);
  const count = a.count;
  const { mr, nr } = DEFAULT_SHAPE;
  const M = roundUp(m, mr);
  const N = roundUp(n, nr);
  const xBytes = roundUp(k * m * F64, 64);
  const yBytes = roundUp(k * n * F64, 64);
  const cBytes = roundUp(M * N * F64, 64);
  const gramItems = a === b && attrs.transposeA !== attrs.transposeB;
  const flops = 2 * count * m * k * n;
  const threads = Math.max(1, Math.min(pool.threads, count, Math.floor(flops / SMALL_FLOPS_PER_THREAD)));
  const pack = packBytes();

  const xAt = 64;
  const yAt = gramItems ? xAt : xAt + count * xBytes;
  const cAt = gramItems ? xAt + count * xBytes : yAt + count * yBytes;
  const packAt = cAt + count * cBytes;
  pool.reserve(packAt + threads * (pack.left + pack.right));

  const memory = pool.f64();
  const aSize = a.rows * a.cols;
  const bSize = b.rows * b.cols;
  for (let i = 0; i < count; i++) {
    // X_i = op(A_i)ᵀ: A stored k × m when transposeA, else m × k and transposed here.
    copyMatrix(a.data, i * aSize, a.rows, a.cols, !attrs.transposeA, memory, (xAt + i * xBytes) / F64);
    // Y_i = op(B_i): B stored k × n unless transposeB.
    if (!gramItems) copyMatrix(b.data, i * bSize, b.rows, b.cols, attrs.transposeB, memory, (yAt + i * yBytes) / F64);
  }

  // Tasks of about TASK_FLOPS each, claimed by the threads from the shared counter at byte 0.
  const perTask = Math.max(1, Math.ceil(TASK_FLOPS / (2 * m * k * n)));
  const queue: TaskQueue = {
    counter: 0,
    fn: 'crossGramBatch',
    length: Math.ceil(count / perTask),
    args: (t, w) => {
      const first = t * perTask;
      const items = Math.min(perTask, count - first);
      const packA = packAt + w * (pack.left + pack.right);
      const yFirst = gramItems ? xAt + first * xBytes : yAt + first * yBytes;
      return [items, xAt + first * xBytes, xBytes, yFirst, gramItems ? xBytes : yBytes, cAt + first * cBytes, cBytes,
        m * F64, n * F64, k, m, n, N * F64, packA, packA + pack.left, gramItems ? 1 : 0];
    },
  };
  await pool.runParallel(Array.from({ length: threads }, () => []), queue, threads === 1);

  const result = pool.f64();
  const out = new Float64Array(count * m * n);
  for (let i = 0; i < count; i++) {
    const base = (cAt + i * cBytes) / F64;
    for (let r = 0; r < m; r++) out.set(result.subarray(base + r * N, base + r * N + n), (i * m + r) * n);
    if (gramItems) mirrorUpper(out.subarray(i * m * n, (i + 1) * m * n), m);
  }
  return { count, rows: m, cols: n, data: out };
}

export const batchedMatmulConfig: KernelConfig<typeof BatchedMatmul> = {
  kernelName: BatchedMatmul,
  backendName: CPU_WASM_SIMD,
  kernelFunc: async ({ inputs: { a, b }, attrs }) => {
    const { m, k, n } = productShape(a, b, attrs);
    if (2 * a.count * m * k * n < SMALL_FLOPS || k === 0) return batchedMatmulImpl(a, b, attrs);
    const pool = await kernelPool();
    return pool.exclusive(() => run(pool, a, b, attrs));
  },
};
