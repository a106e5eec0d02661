import { matrix } from '../../linalg/matrix.js';
import { CrossGram } from '../names.js';
import type { KernelConfig } from '../registry.js';
import { CPU_WASM_SIMD, kernelPool } from './backend.js';
import { operand, partitionedProduct } from './partitioned-product.js';

export const crossGramConfig: KernelConfig<typeof CrossGram> = {
  kernelName: CrossGram,
  backendName: CPU_WASM_SIMD,
  kernelFunc: async ({ inputs: { x, y } }) => matrix(x.cols, y.cols, await partitionedProduct(await kernelPool(), operand(x), operand(y))),
};
