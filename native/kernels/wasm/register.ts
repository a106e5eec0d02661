/** Registers the cpu-wasm-simd backend and its kernels: an explicit list, no directory scanning. */
import { registerBackend, registerKernel } from '../registry.js';
import { CPU_WASM_SIMD, wasmSimdBackend } from './backend.js';
import { callerThreadProduct } from './caller-product.js';
import { registerDecompositions } from '../cpu/decompositions.js';
import { batchedMatmulConfig } from './batchedMatmul.js';
import { crossGramConfig } from './crossGram.js';
import { gramConfig } from './gram.js';
import { matmulConfig } from './matmul.js';

registerBackend(wasmSimdBackend);
registerKernel(gramConfig);
registerKernel(crossGramConfig);
registerKernel(matmulConfig);
registerKernel(batchedMatmulConfig);
registerDecompositions(CPU_WASM_SIMD, callerThreadProduct);
