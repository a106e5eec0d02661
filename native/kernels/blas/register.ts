/** Registers the blas and blas-f32 backends and their kernels: an explicit list, no directory scanning. */
import { registerBackend, registerKernel } from '../registry.js';
import { BatchedMatmul, Cholesky, CrossGram, Eigh, Gram, Matmul, Qr, Svd } from '../names.js';
import { BLAS, BLAS_F32, blasBackend, blasF32Backend } from './backend.js';
import { blasCholesky } from './cholesky.js';
import { blasEigh } from './eigh.js';
import { blasBatchedMatmul, blasGram, blasMatmul } from './products.js';
import { blasQr } from './qr.js';
import { blasSvd } from './svd.js';

for (const [backend, single] of [[blasBackend, false], [blasF32Backend, true]] as const) {
  const backendName = backend.name;
  registerBackend(backend);
  registerKernel({ kernelName: Gram, backendName, kernelFunc: async ({ inputs }) => blasGram(inputs.x, single) });
  registerKernel({ kernelName: CrossGram, backendName, kernelFunc: async ({ inputs }) => blasMatmul(inputs.x, inputs.y, true, false, single) });
  registerKernel({
    kernelName: Matmul,
    backendName,
    kernelFunc: async ({ inputs, attrs }) => blasMatmul(inputs.a, inputs.b, attrs.transposeA, attrs.transposeB, single),
  });
  registerKernel({
    kernelName: BatchedMatmul,
    backendName,
    kernelFunc: async ({ inputs, attrs }) => blasBatchedMatmul(inputs.a, inputs.b, attrs.transposeA, attrs.transposeB, single),
  });
  registerKernel({ kernelName: Eigh, backendName, kernelFunc: async ({ inputs, attrs }) => blasEigh(inputs.s, attrs.vectors, single) });
  registerKernel({ kernelName: Svd, backendName, kernelFunc: async ({ inputs, attrs }) => blasSvd(inputs.a, attrs.vectors, single) });
  registerKernel({ kernelName: Cholesky, backendName, kernelFunc: async ({ inputs }) => blasCholesky(inputs.s, single) });
  registerKernel({ kernelName: Qr, backendName, kernelFunc: async ({ inputs }) => blasQr(inputs.a, single) });
}

export { BLAS, BLAS_F32 };
