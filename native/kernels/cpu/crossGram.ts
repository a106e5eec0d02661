import { matrix, type Matrix } from '../../linalg/matrix.js';
import { CrossGram } from '../names.js';
import type { KernelConfig } from '../registry.js';
import { accumulateProduct } from './blocked-product.js';
import { CPU_JS } from './backend.js';

export function crossGramImpl(x: Matrix, y: Matrix): Matrix {
  const c = new Float64Array(x.cols * y.cols);
  accumulateProduct(x.data, x.cols, y.data, y.cols, x.rows, c, false);
  return matrix(x.cols, y.cols, c);
}

export const crossGramConfig: KernelConfig<typeof CrossGram> = {
  kernelName: CrossGram,
  backendName: CPU_JS,
  kernelFunc: async ({ inputs }) => crossGramImpl(inputs.x, inputs.y),
};
