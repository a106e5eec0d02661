/** Vocabulary the second-wave analyses share on the wire: their row modes, measure names and method lists. */
import * as v from 'valibot';
import { METHODS } from './measure.js';

/**
 * How a conv layer enters an analysis that compares rows: positions as rows (channels), all h·w·c neurons
 * (flatten), or each channel averaged over positions (mean).
 */
export const ROW_MODES = ['channels', 'flatten', 'mean'] as const;
export const RowModeSchema = v.picklist(ROW_MODES);
export type RowMode = v.InferOutput<typeof RowModeSchema>;

/** The CCA family and linear CKA (what compares prepared bases): every method but dft-cca. */
export const BASIS_METHOD_NAMES = METHODS.filter((m) => m !== 'dft-cca') as Array<Exclude<(typeof METHODS)[number], 'dft-cca'>>;
export const BasisMethodSchema = v.picklist(BASIS_METHOD_NAMES);

/** The sampling analyses' measures (significance, layer identification): the basis methods and two CKA variants. */
export const ANALYSIS_METHOD_NAMES = [...BASIS_METHOD_NAMES, 'cka-debiased', 'cka-rbf'] as const;
export const AnalysisMethodSchema = v.picklist(ANALYSIS_METHOD_NAMES);
