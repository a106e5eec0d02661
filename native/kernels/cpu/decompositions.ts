/**
 * The decompositions of the JavaScript/WebAssembly backends (cpu-js, cpu-wasm-simd): the solvers of native/linalg,
 * their inner loops in WebAssembly SIMD where linalg has them, their large products by `product` (the backend's
 * own float64 XᵀY). Registered for both backends; they differ only in that product.
 */
import { choleskyInverse } from '../../linalg/cholesky.js';
import { eighStaged, eighWith, type CrossProduct } from '../../linalg/eigh.js';
import { matrix } from '../../linalg/matrix.js';
import { qr } from '../../linalg/qr.js';
import { singularValues } from '../../linalg/singular-values.js';
import { svd } from '../../linalg/svd.js';
import { Cholesky, Eigh, Qr, Svd } from '../names.js';
import { registerKernel } from '../registry.js';

export function registerDecompositions(backendName: string, product: CrossProduct): void {
  registerKernel({
    kernelName: Eigh,
    backendName,
    kernelFunc: async ({ inputs, attrs }) => {
      if (attrs.vectors) {
        const { values, vectors } = await eighWith(inputs.s, product);
        return { values, vectors: async () => vectors };
      }
      return eighStaged(inputs.s, product);
    },
  });
  registerKernel({
    kernelName: Svd,
    backendName,
    kernelFunc: async ({ inputs, attrs }) => {
      if (attrs.vectors) return svd(inputs.a);
      return { u: matrix(0, 0), s: singularValues(inputs.a), v: matrix(0, 0) };
    },
  });
  registerKernel({ kernelName: Cholesky, backendName, kernelFunc: async ({ inputs }) => choleskyInverse(inputs.s, product) });
  registerKernel({ kernelName: Qr, backendName, kernelFunc: async ({ inputs }) => qr(inputs.a) });
}
