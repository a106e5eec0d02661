import { BatchedMatmul, type BatchedMatmulAttrs, type MatrixBatch } from '../names.js';
import type { KernelConfig } from '../registry.js';
import { CPU_JS } from './backend.js';

/** The shape of op(A)·op(B): m × k times k × n. Inputs are already validated by the op (../index.ts). */
export function productShape(a: MatrixBatch, b: MatrixBatch, attrs: BatchedMatmulAttrs): { m: number; k: number; n: number } {
  return { m: attrs.transposeA ? a.cols : a.rows, k: attrs.transposeA ? a.rows : a.cols, n: attrs.transposeB ? b.rows : b.cols };
}

/**
 * C_i = op(A_i)·op(B_i) by the i-l-j loop (row of C += a_il · row l of op(B)): unit stride in C and, without
 * transposeB, in B. Strides express the transposes so no copy is made; these are small matrices.
 */
export function batchedMatmulImpl(a: MatrixBatch, b: MatrixBatch, attrs: BatchedMatmulAttrs): MatrixBatch {
  const { m, k, n } = productShape(a, b, attrs);
  const out = new Float64Array(a.count * m * n);
  const [aRow, aCol] = attrs.transposeA ? [1, a.cols] : [a.cols, 1];
  const [bRow, bCol] = attrs.transposeB ? [1, b.cols] : [b.cols, 1];
  const aSize = a.rows * a.cols;
  const bSize = b.rows * b.cols;
  for (let t = 0; t < a.count; t++) {
    const ao = t * aSize;
    const bo = t * bSize;
    const co = t * m * n;
    for (let i = 0; i < m; i++) {
      const ci = co + i * n;
      for (let l = 0; l < k; l++) {
        const v = a.data[ao + i * aRow + l * aCol]!;
        const bl = bo + l * bRow;
        for (let j = 0; j < n; j++) out[ci + j] += v * b.data[bl + j * bCol]!;
      }
    }
  }
  return { count: a.count, rows: m, cols: n, data: out };
}

export const batchedMatmulConfig: KernelConfig<typeof BatchedMatmul> = {
  kernelName: BatchedMatmul,
  backendName: CPU_JS,
  kernelFunc: async ({ inputs, attrs }) => batchedMatmulImpl(inputs.a, inputs.b, attrs),
};
