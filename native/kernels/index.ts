/**
 * The heavy products every measure needs, called by name through the kernel registry (./registry.ts): gram,
 * crossGram, matmul (any transposes, without copying) and batchedMatmul. These ops
 * validate shapes, then run the kernel on the backend the choice resolves to (./engine.ts): by default the fastest
 * exact one here, cpu-wasm-simd. `backendInfo(choice)` says which backend that is, with its precision and tolerance.
 */
import { matrix, type Matrix } from '../linalg/matrix.js';
import { firstColumns } from '../linalg/util.js';
import type { BackendInfo } from './backend.js';
import { resolveBackend, runKernel, type KernelChoice } from './engine.js';
import { BatchedMatmul, CrossGram, Gram, Matmul, type MatrixBatch } from './names.js';
import { getBackend, registeredBackends } from './registry.js';
import { callerThreadPool, CPU_WASM_SIMD, kernelPool } from './wasm/backend.js';
import { leadingColumns, operand, partitionedProduct } from './wasm/partitioned-product.js';
import './register-all.js';

export type { BackendInfo, Precision } from './backend.js';
export type { KernelChoice, KernelResult } from './engine.js';
export type { MatrixBatch } from './names.js';
export { runKernel } from './engine.js';

export interface KernelOptions {
  /** 'auto' (default) | 'cpu' | 'gpu' | a backend name such as 'cpu-js'. */
  readonly backend?: KernelChoice;
}

function checkMatrix(name: string, m: Matrix): void {
  if (m.data.length !== m.rows * m.cols) {
    throw new RangeError(`${name}: data has ${m.data.length} values, expected ${m.rows}×${m.cols}`);
  }
}

/** Xᵀ X (cols × cols) for row-major X (rows = datapoints). Exactly symmetric. */
export async function gram(x: Matrix, options: KernelOptions = {}): Promise<Matrix> {
  checkMatrix('gram', x);
  return (await runKernel(Gram, { x }, {}, options.backend)).output;
}

/** Xᵀ Y (x.cols × y.cols); X and Y must have the same number of rows. */
export async function crossGram(x: Matrix, y: Matrix, options: KernelOptions = {}): Promise<Matrix> {
  checkMatrix('crossGram', x);
  checkMatrix('crossGram', y);
  if (x.rows !== y.rows) throw new RangeError(`crossGram: ${x.rows} rows vs ${y.rows}`);
  return (await runKernel(CrossGram, { x, y }, {}, options.backend)).output;
}

/**
 * Xᵀ·Y in float64 on the calling thread (WebAssembly SIMD where available, else the JavaScript kernel), never
 * waiting for the kernel threads: the eigensolvers' merge and back-transformation products, which sit on the
 * critical path while the kernel threads may be busy with a layer-sized product for the same comparison.
 */
export async function crossGramOnThisThread(x: Matrix, y: Matrix): Promise<Matrix> {
  if (x.rows !== y.rows) throw new RangeError(`crossGram: ${x.rows} rows vs ${y.rows}`);
  if (!(await getBackend(CPU_WASM_SIMD).probe()).available) return crossGram(x, y, { backend: 'cpu-js' });
  return matrix(x.cols, y.cols, await partitionedProduct(await callerThreadPool(), operand(x), operand(y)));
}

/**
 * X[:, :kx]ᵀ·Y[:, :ky] for row-major X and Y: the leading columns read in place on the wasm-simd backend (a
 * truncated basis needs no copy), through copies and `crossGram` on any other.
 */
export async function crossGramLeading(x: Matrix, kx: number, y: Matrix, ky: number, options: KernelOptions = {}): Promise<Matrix> {
  checkMatrix('crossGram', x);
  checkMatrix('crossGram', y);
  if (x.rows !== y.rows) throw new RangeError(`crossGram: ${x.rows} rows vs ${y.rows}`);
  if ((await resolveBackend(options.backend)).name === CPU_WASM_SIMD) {
    return matrix(kx, ky, await partitionedProduct(await kernelPool(), leadingColumns(x, kx), leadingColumns(y, ky)));
  }
  return crossGram(firstColumns(x, kx), firstColumns(y, ky), options);
}

export interface MatmulOptions extends KernelOptions {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

/**
 * op(A)·op(B), op = transpose where asked, reading the stored matrices as they are (no transposed copy is made on
 * the wasm backend). `matmul(a, w)` replaces `crossGram(transpose(a), w)`; `matmul(x, x, { transposeB: true })` is
 * X·Xᵀ, computed as a Gram (half the work, exactly symmetric) because both operands are the same object.
 */
export async function matmul(a: Matrix, b: Matrix, options: MatmulOptions = {}): Promise<Matrix> {
  checkMatrix('matmul', a);
  checkMatrix('matmul', b);
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  const k = transposeA ? a.rows : a.cols;
  const kb = transposeB ? b.cols : b.rows;
  if (k !== kb) throw new RangeError(`matmul: inner dimensions ${k} vs ${kb}`);
  return (await runKernel(Matmul, { a, b }, { transposeA, transposeB }, options.backend)).output;
}

export interface BatchedMatmulOptions extends KernelOptions {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

/** C_i = op(A_i)·op(B_i) for i < count, op = transpose where asked. */
export async function batchedMatmul(a: MatrixBatch, b: MatrixBatch, options: BatchedMatmulOptions = {}): Promise<MatrixBatch> {
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  for (const [name, batch] of [['a', a], ['b', b]] as const) {
    if (batch.data.length !== batch.count * batch.rows * batch.cols) {
      throw new RangeError(`batchedMatmul: ${name} has ${batch.data.length} values, expected ${batch.count}×${batch.rows}×${batch.cols}`);
    }
  }
  if (a.count !== b.count) throw new RangeError(`batchedMatmul: ${a.count} matrices vs ${b.count}`);
  const k = transposeA ? a.rows : a.cols;
  const kb = transposeB ? b.cols : b.rows;
  if (k !== kb) throw new RangeError(`batchedMatmul: inner dimensions ${k} vs ${kb}`);
  return (await runKernel(BatchedMatmul, { a, b }, { transposeA, transposeB }, options.backend)).output;
}

/** The backend that serves calls made with this choice. */
export function backendInfo(choice: KernelChoice = 'auto'): Promise<BackendInfo> {
  return resolveBackend(choice);
}

/** How a result names the kernels that ran, as compare and matrix report it (docs/kernels.md). */
export interface BackendFields {
  /** The device class the contract names: "cpu" or "gpu". */
  backend: BackendInfo['device'];
  kernel_backend: string;
  precision: BackendInfo['precision'];
  /** Present when a GPU was asked for and none is here: the run went to the CPU instead of failing. */
  backend_note?: string;
}

export function backendFieldsOf(choice: KernelChoice, info: BackendInfo): BackendFields {
  return {
    backend: info.device,
    kernel_backend: info.name,
    precision: info.precision,
    ...(choice === 'gpu' && info.device !== 'gpu' ? { backend_note: `no GPU kernel backend is available here; ran on ${info.name} (${info.precision})` } : {}),
  };
}

/** Stops worker threads and releases device memory of every backend; they restart on next use. */
export async function disposeKernels(): Promise<void> {
  await Promise.all(registeredBackends().map((b) => b.dispose()));
}
