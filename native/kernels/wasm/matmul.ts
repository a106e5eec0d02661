import { matrix } from '../../linalg/matrix.js';
import { mirrorUpper } from '../cpu/shared.js';
import { isGramProduct, Matmul } from '../names.js';
import type { KernelConfig } from '../registry.js';
import { CPU_WASM_SIMD, kernelPool } from './backend.js';
import { operand, partitionedProduct } from './partitioned-product.js';

/**
 * op(A)·op(B) = XᵀY with X = op(A)ᵀ and Y = op(B), each passed in its stored layout: A (m × k) is Xᵀ unless
 * transposeA, B (n × k) is Yᵀ when transposeB. The packing reads transposed storage through strides.
 */
export const matmulConfig: KernelConfig<typeof Matmul> = {
  kernelName: Matmul,
  backendName: CPU_WASM_SIMD,
  kernelFunc: async ({ inputs, attrs }) => {
    const { a, b } = inputs;
    const x = operand(a, !attrs.transposeA);
    const pool = await kernelPool();
    if (isGramProduct(inputs, attrs)) {
      const n = attrs.transposeA ? a.cols : a.rows;
      const c = await partitionedProduct(pool, x, undefined);
      mirrorUpper(c, n);
      return matrix(n, n, c);
    }
    const m = attrs.transposeA ? a.cols : a.rows;
    const n = attrs.transposeB ? b.rows : b.cols;
    return matrix(m, n, await partitionedProduct(pool, x, operand(b, attrs.transposeB)));
  },
};
