/**
 * The analyses of the papers, as services over the workspace index (docs/analyses.md). Each `run…` takes
 * (store, request, context) and returns the JSON object its CLI command prints with --json.
 */
export type { AnalysisContext } from './context.js';
export { runDynamics, DEFAULT_DYNAMICS_METHOD, type RunDynamicsResult, type DynamicsSummaries } from './dynamics.js';
export { runGroupDynamics, type GroupDynamicsRequest, type GroupDynamicsResult } from './group-dynamics.js';
export { convergenceIndex, DEFAULT_CONVERGENCE_THRESHOLD } from './convergence.js';
export { freezeHint, type FreezeHint, type FreezePlan, type FreezeEntry } from './freeze-hint.js';
export { layerCosts, type LayerCost } from './layer-costs.js';
export { runClassSensitivity, classFindings, ClassSensitivityMeter, type ClassSensitivityRequest, type ClassSensitivityResult } from './class-sensitivity.js';
export { runCompress, compressionCurves, smallestKWithin, savingsAt, HALF_POINT, type RunCompressResult, type CompressionSavings } from './compression.js';
export { runSpectrum, dimsFor, type SpectrumRequest, type SpectrumResult } from './intrinsic-dim.js';
export { runSignificance, significance, quantile, type SignificanceOptions, type SignificanceResult, type NoiseFloorStats, type BootstrapInterval } from './significance.js';
export { kernelCka, centeredKernel, centerGram, ckaOfCentered, linearGram, rbfGram, DEFAULT_RBF_SIGMA, type Kernel, type KernelCkaOptions } from './kernel-cka.js';
export { layerIdentification, DEFAULT_IDENTIFICATION_METHODS, type IdentificationRequest, type IdentificationResult } from './layer-identification.js';
export { ANALYSIS_METHODS, type AnalysisMethod } from './measure-kinds.js';
export { averageLinkage, averageLinkageFromSimilarity, type Clustering, type LinkageRow } from './clustering.js';
export { groupStats } from './group-stats.js';
