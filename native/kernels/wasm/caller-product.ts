import { matrix, type Matrix } from '../../linalg/matrix.js';
import { crossGramImpl } from '../cpu/shared.js';
import { callerThreadPool, wasmSimdBackend } from './backend.js';
import { operand, partitionedProduct } from './partitioned-product.js';

/**
 * Xᵀ·Y in float64 on the calling thread (WebAssembly SIMD where available, else the JavaScript kernel), never
 * waiting for the kernel threads: the eigensolvers' merge and back-transformation products, which sit on the
 * critical path while the kernel threads may be busy with a layer-sized product for the same comparison.
 */
export async function callerThreadProduct(x: Matrix, y: Matrix): Promise<Matrix> {
  if (x.rows !== y.rows) throw new RangeError(`crossGram: ${x.rows} rows vs ${y.rows}`);
  if (!(await wasmSimdBackend.probe()).available) return crossGramImpl(x, y);
  return matrix(x.cols, y.cols, await partitionedProduct(await callerThreadPool(), operand(x), operand(y)));
}
