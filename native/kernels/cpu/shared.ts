/** The cpu-js implementations other backends fall back to for inputs too small to pay for their setup. */
export { crossGramImpl } from './crossGram.js';
export { gramImpl, mirrorUpper } from './gram.js';
export { batchedMatmulImpl, productShape } from './batchedMatmul.js';
export { matmulImpl } from './matmul.js';
