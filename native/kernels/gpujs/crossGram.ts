import { matrix } from '../../linalg/matrix.js';
import { crossGramImpl } from '../cpu/shared.js';
import { CrossGram } from '../names.js';
import type { KernelConfig } from '../registry.js';
import type { GpujsBackend } from './backend.js';
import { blockedProduct } from './blocked-product.js';

/** Below this many flops a kernel launch costs more than the float64 CPU loop, which is also exact. */
export const SMALL_FLOPS = 2e4;

export function crossGramConfig(backend: GpujsBackend): KernelConfig<typeof CrossGram> {
  return {
    kernelName: CrossGram,
    backendName: backend.name,
    kernelFunc: async ({ inputs: { x, y } }) => {
      if (2 * x.rows * x.cols * y.cols < SMALL_FLOPS || x.rows === 0) return crossGramImpl(x, y);
      return matrix(x.cols, y.cols, await blockedProduct(await backend.runtime(), x, y));
    },
  };
}
