/** Registers the gpu.js backends (one per gpu.js mode) and their kernels: an explicit list, no directory scanning. */
import { registerBackend, registerKernel } from '../registry.js';
import { GPUJS_BACKENDS } from './backend.js';
import { batchedMatmulConfig } from './batchedMatmul.js';
import { crossGramConfig } from './crossGram.js';
import { gramConfig } from './gram.js';
import { matmulConfig } from './matmul.js';

for (const backend of GPUJS_BACKENDS) {
  registerBackend(backend);
  registerKernel(gramConfig(backend));
  registerKernel(crossGramConfig(backend));
  registerKernel(matmulConfig(backend));
  registerKernel(batchedMatmulConfig(backend));
}
