import { matrix, type Matrix } from '../../linalg/matrix.js';
import { Gram } from '../names.js';
import type { KernelConfig } from '../registry.js';
import { accumulateProduct } from './blocked-product.js';
import { CPU_JS } from './backend.js';

/** Copies the upper triangle onto the lower one: Gram kernels compute only tiles touching the upper triangle. */
export function mirrorUpper(c: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) c[i * n + j] = c[j * n + i]!;
  }
}

export function gramImpl(x: Matrix): Matrix {
  const p = x.cols;
  const c = new Float64Array(p * p);
  accumulateProduct(x.data, p, x.data, p, x.rows, c, true);
  mirrorUpper(c, p);
  return matrix(p, p, c);
}

export const gramConfig: KernelConfig<typeof Gram> = {
  kernelName: Gram,
  backendName: CPU_JS,
  kernelFunc: async ({ inputs }) => gramImpl(inputs.x),
};
