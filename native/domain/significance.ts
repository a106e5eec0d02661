/** Significance over runs (`significance WORKSPACE --layer L --json`): noise floor and bootstrap interval per pair. */
import * as v from 'valibot';
import { AnalysisMethodSchema, RowModeSchema } from './analysis-common.js';
import { BootstrapIntervalSchema, NoiseFloorSchema } from './compare.js';
import { CountSchema, FiniteSchema, LayoutSchema, StepRefSchema, StepSchema } from './measure.js';

export const RunSignificanceRequestSchema = v.strictObject({
  layer: v.string(),
  /** Runs compared pairwise (default all runs holding the layer, or a group's). */
  runs: v.optional(v.array(v.string())),
  group: v.optional(v.string()),
  step: v.optional(StepRefSchema),
  method: v.optional(AnalysisMethodSchema),
  keep: v.optional(FiniteSchema),
  dims: v.optional(FiniteSchema),
  epsilon: v.optional(FiniteSchema),
  /** cka-rbf: σ as a fraction of the median distance. */
  sigma: v.optional(FiniteSchema),
  permutations: v.optional(CountSchema),
  bootstrap: v.optional(CountSchema),
  level: v.optional(FiniteSchema),
  seed: v.optional(CountSchema),
  conv: v.optional(RowModeSchema),
  layout: v.optional(LayoutSchema),
  neuronsFirst: v.optional(v.boolean()),
});
export type RunSignificanceRequest = v.InferOutput<typeof RunSignificanceRequestSchema>;

export const SignificancePairSchema = v.strictObject({
  a: v.string(),
  b: v.string(),
  a_step: StepSchema,
  b_step: StepSchema,
  similarity: FiniteSchema,
  coefficients: v.array(FiniteSchema),
  datapoints: CountSchema,
  noise_floor: v.nullable(NoiseFloorSchema),
  interval: v.nullable(BootstrapIntervalSchema),
});
export type SignificancePair = v.InferOutput<typeof SignificancePairSchema>;

export const RunSignificanceResultSchema = v.strictObject({
  layer: v.string(),
  step: StepRefSchema,
  method: AnalysisMethodSchema,
  conv: RowModeSchema,
  runs: v.array(v.string()),
  seed: CountSchema,
  pairs: v.array(SignificancePairSchema),
});
export type RunSignificanceResult = v.InferOutput<typeof RunSignificanceResultSchema>;
