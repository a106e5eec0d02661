import { matrix } from '../../linalg/matrix.js';
import { mirrorUpper } from '../cpu/shared.js';
import { Gram } from '../names.js';
import type { KernelConfig } from '../registry.js';
import { CPU_WASM_SIMD, kernelPool } from './backend.js';
import { operand, partitionedProduct } from './partitioned-product.js';

/** Only tiles touching the upper triangle are computed (half the flops), then mirrored. */
export const gramConfig: KernelConfig<typeof Gram> = {
  kernelName: Gram,
  backendName: CPU_WASM_SIMD,
  kernelFunc: async ({ inputs: { x } }) => {
    const c = await partitionedProduct(await kernelPool(), operand(x), undefined);
    mirrorUpper(c, x.cols);
    return matrix(x.cols, x.cols, c);
  },
};
