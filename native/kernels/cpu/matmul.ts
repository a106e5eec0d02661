import { matrix, type Matrix } from '../../linalg/matrix.js';
import { transpose } from '../../linalg/util.js';
import { isGramProduct, Matmul, type MatmulAttrs } from '../names.js';
import type { KernelConfig } from '../registry.js';
import { CPU_JS } from './backend.js';
import { crossGramImpl } from './crossGram.js';
import { gramImpl } from './gram.js';

/**
 * op(A)·op(B) through the blocked XᵀY loops: X = op(A)ᵀ and Y = op(B), transposed in memory where the stored layout
 * differs (this backend is the simple reference; cpu-wasm-simd reads either layout in place).
 */
export function matmulImpl(a: Matrix, b: Matrix, attrs: MatmulAttrs): Matrix {
  if (isGramProduct({ a, b }, attrs)) return gramImpl(attrs.transposeA ? a : transpose(a));
  const x = attrs.transposeA ? a : transpose(a);
  const y = attrs.transposeB ? transpose(b) : b;
  if (x.rows === 0) return matrix(x.cols, y.cols);
  return crossGramImpl(x, y);
}

export const matmulConfig: KernelConfig<typeof Matmul> = {
  kernelName: Matmul,
  backendName: CPU_JS,
  kernelFunc: async ({ inputs, attrs }) => matmulImpl(inputs.a, inputs.b, attrs),
};
