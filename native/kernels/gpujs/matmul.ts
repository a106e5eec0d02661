import { matrix } from '../../linalg/matrix.js';
import { transpose } from '../../linalg/util.js';
import { matmulImpl, mirrorUpper } from '../cpu/shared.js';
import { isGramProduct, Matmul } from '../names.js';
import type { KernelConfig } from '../registry.js';
import type { GpujsBackend } from './backend.js';
import { blockedProduct } from './blocked-product.js';
import { SMALL_FLOPS } from './crossGram.js';

/** op(A)·op(B) as XᵀY on the device; transposes happen on the host, where the float32 copy is made anyway. */
export function matmulConfig(backend: GpujsBackend): KernelConfig<typeof Matmul> {
  return {
    kernelName: Matmul,
    backendName: backend.name,
    kernelFunc: async ({ inputs, attrs }) => {
      const { a, b } = inputs;
      const x = attrs.transposeA ? a : transpose(a);
      const y = attrs.transposeB ? transpose(b) : b;
      if (2 * x.rows * x.cols * y.cols < SMALL_FLOPS || x.rows === 0) return matmulImpl(a, b, attrs);
      const runtime = await backend.runtime();
      if (isGramProduct(inputs, attrs)) {
        const c = await blockedProduct(runtime, x, undefined);
        mirrorUpper(c, x.cols);
        return matrix(x.cols, x.cols, c);
      }
      return matrix(x.cols, y.cols, await blockedProduct(runtime, x, y));
    },
  };
}
