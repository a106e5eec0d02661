/**
 * The heavy operations every measure needs, called by name through the kernel registry (./registry.ts): the products
 * gram, crossGram, matmul (any transposes, without copying) and batchedMatmul, and the decompositions eighOf,
 * svdOf, choleskyOf and qrOf. These ops validate shapes, then run the kernel on the backend the choice resolves to
 * (./engine.ts): by default the fastest exact one here — blas (the machine's BLAS/LAPACK) where it loads, else
 * cpu-wasm-simd. `backendInfo(choice)` says which backend that is, with its precision and tolerance.
 */
import { matrix, type Matrix } from '../linalg/matrix.js';
import { firstColumns } from '../linalg/util.js';
import type { BackendInfo } from './backend.js';
import { BLAS, BLAS_F32 } from './blas/backend.js';
import { blasLeadingCross, blasMatmul } from './blas/products.js';
import { resolveBackend, runDecomposition, runKernel, type KernelChoice } from './engine.js';
import {
  BatchedMatmul,
  Cholesky,
  CrossGram,
  Eigh,
  Gram,
  Matmul,
  Qr,
  Svd,
  type CholeskyOutput,
  type EighOutput,
  type MatrixBatch,
  type QrOutput,
  type SvdOutput,
} from './names.js';
import { registeredBackends } from './registry.js';
import { callerThreadProduct } from './wasm/caller-product.js';
import { CPU_WASM_SIMD, kernelPool } from './wasm/backend.js';
import { leadingColumns, partitionedProduct } from './wasm/partitioned-product.js';
import './register-all.js';

export type { BackendInfo, Precision } from './backend.js';
export type { KernelChoice, KernelResult } from './engine.js';
export type { CholeskyOutput, EighOutput, MatrixBatch, QrOutput, SvdOutput } from './names.js';
export { backendLabel, resolveDecompositionBackend, runDecomposition, runKernel } from './engine.js';
export { BLAS, BLAS_F32 } from './blas/backend.js';

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
 * Xᵀ·Y in float64 never waiting for the kernel threads: the eigensolvers' merge and back-transformation products,
 * which sit on the critical path while the kernel threads may be busy with a layer-sized product for the same
 * comparison. BLAS when it is the 'auto' backend (it runs on the calling thread anyway), else WebAssembly SIMD on
 * this thread, else the JavaScript kernel.
 */
export async function crossGramOnThisThread(x: Matrix, y: Matrix): Promise<Matrix> {
  if (x.rows !== y.rows) throw new RangeError(`crossGram: ${x.rows} rows vs ${y.rows}`);
  if ((await resolveBackend('auto')).name === BLAS) return blasMatmul(x, y, true, false, false);
  return callerThreadProduct(x, y);
}

/**
 * X[:, :kx]ᵀ·Y[:, :ky] for row-major X and Y: the leading columns read in place on the wasm-simd backend (a
 * truncated basis needs no copy), through copies and `crossGram` on any other.
 */
export async function crossGramLeading(x: Matrix, kx: number, y: Matrix, ky: number, options: KernelOptions = {}): Promise<Matrix> {
  checkMatrix('crossGram', x);
  checkMatrix('crossGram', y);
  if (x.rows !== y.rows) throw new RangeError(`crossGram: ${x.rows} rows vs ${y.rows}`);
  const backend = (await resolveBackend(options.backend)).name;
  if (backend === CPU_WASM_SIMD) {
    return matrix(kx, ky, await partitionedProduct(await kernelPool(), leadingColumns(x, kx), leadingColumns(y, ky)));
  }
  if (backend === BLAS || backend === BLAS_F32) return blasLeadingCross(x, kx, y, ky, backend === BLAS_F32);
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

function checkSquare(name: string, s: Matrix): void {
  checkMatrix(name, s);
  if (s.rows !== s.cols) throw new RangeError(`${name}: matrix is ${s.rows}×${s.cols}, not square`);
}

export interface EighKernelOptions extends KernelOptions {
  /** Compute the eigenvectors together with the values (default true); false stages them (EighOutput.vectors). */
  readonly vectors?: boolean;
}

/**
 * S = V·diag(λ)·Vᵀ of a symmetric S, values descending. On the chosen backend when it has decompositions, else on
 * the 'auto' one (a GPU product backend never runs the eigensolver).
 */
export async function eighOf(s: Matrix, options: EighKernelOptions = {}): Promise<EighOutput> {
  checkSquare('eigh', s);
  return (await runDecomposition(Eigh, { s }, { vectors: options.vectors ?? true }, options.backend)).output;
}

/** Thin SVD A = U·diag(s)·Vᵀ; `vectors: false` gives the singular values alone (U, V empty). */
export async function svdOf(a: Matrix, options: KernelOptions & { readonly vectors?: boolean } = {}): Promise<SvdOutput> {
  checkMatrix('svd', a);
  return (await runDecomposition(Svd, { a }, { vectors: options.vectors ?? true }, options.backend)).output;
}

/** S = L·Lᵀ and L⁻¹ for symmetric positive definite S; RangeError when a pivot is not positive. */
export async function choleskyOf(s: Matrix, options: KernelOptions = {}): Promise<CholeskyOutput> {
  checkSquare('cholesky', s);
  return (await runDecomposition(Cholesky, { s }, {}, options.backend)).output;
}

/** Thin QR A = Q·R for rows ≥ columns, LAPACK's signs. */
export async function qrOf(a: Matrix, options: KernelOptions = {}): Promise<QrOutput> {
  checkMatrix('qr', a);
  if (a.rows < a.cols) throw new RangeError(`qr: thin QR needs rows ≥ columns, got ${a.rows}×${a.cols}`);
  return (await runDecomposition(Qr, { a }, {}, options.backend)).output;
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
    kernel_backend: info.label,
    precision: info.precision,
    ...(choice === 'gpu' && info.device !== 'gpu' ? { backend_note: `no GPU kernel backend is available here; ran on ${info.name} (${info.precision})` } : {}),
  };
}

/** Stops worker threads and releases device memory of every backend; they restart on next use. */
export async function disposeKernels(): Promise<void> {
  await Promise.all(registeredBackends().map((b) => b.dispose()));
}
