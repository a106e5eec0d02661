/** Registers the cpu-js backend and its kernels: an explicit list, no directory scanning. */
import { registerBackend, registerKernel } from '../registry.js';
import { cpuJsBackend } from './backend.js';
import { batchedMatmulConfig } from './batchedMatmul.js';
import { crossGramConfig } from './crossGram.js';
import { gramConfig } from './gram.js';
import { matmulConfig } from './matmul.js';

registerBackend(cpuJsBackend);
registerKernel(gramConfig);
registerKernel(crossGramConfig);
registerKernel(matmulConfig);
registerKernel(batchedMatmulConfig);
