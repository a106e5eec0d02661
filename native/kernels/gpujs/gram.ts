import { matrix } from '../../linalg/matrix.js';
import { gramImpl, mirrorUpper } from '../cpu/shared.js';
import { Gram } from '../names.js';
import type { KernelConfig } from '../registry.js';
import type { GpujsBackend } from './backend.js';
import { blockedProduct } from './blocked-product.js';
import { SMALL_FLOPS } from './crossGram.js';

/** The full product comes back from the device; mirroring the upper triangle makes the result exactly symmetric. */
export function gramConfig(backend: GpujsBackend): KernelConfig<typeof Gram> {
  return {
    kernelName: Gram,
    backendName: backend.name,
    kernelFunc: async ({ inputs: { x } }) => {
      if (2 * x.rows * x.cols * x.cols < SMALL_FLOPS || x.rows === 0) return gramImpl(x);
      const c = await blockedProduct(await backend.runtime(), x, undefined);
      mirrorUpper(c, x.cols);
      return matrix(x.cols, x.cols, c);
    },
  };
}
