/**
 * The domain vocabulary: the shapes every layer of the code shares (requests, results, workspace listings), each a
 * valibot schema and its inferred type. It sits below everything (it imports nothing of ours), so formats, index,
 * measures, analyses and compute use it without reaching up to the API; native/api/contract.ts maps it to the wire.
 */
export * from './measure.js';
export * from './workspace.js';
export * from './compare.js';
export * from './matrix.js';
export * from './dynamics.js';
export * from './compress.js';
export * from './measures.js';
export * from './analyses.js';
export * from './analysis-common.js';
export * from './spectrum.js';
export * from './sensitivity.js';
export * from './significance.js';
export * from './identify.js';
export * from './group-dynamics.js';
