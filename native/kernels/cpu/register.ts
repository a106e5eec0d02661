/** Registers the cpu-js backend and its kernels: an explicit list, no directory scanning. */
import { registerBackend, registerKernel } from '../registry.js';
import { CPU_JS, cpuJsBackend } from './backend.js';
import { registerDecompositions } from './decompositions.js';
import { batchedMatmulConfig } from './batchedMatmul.js';
import { crossGramConfig, crossGramImpl } from './crossGram.js';
import { gramConfig } from './gram.js';
import { matmulConfig } from './matmul.js';

registerBackend(cpuJsBackend);
registerKernel(gramConfig);
registerKernel(crossGramConfig);
registerKernel(matmulConfig);
registerKernel(batchedMatmulConfig);
registerDecompositions(CPU_JS, async (x, y) => crossGramImpl(x, y));
