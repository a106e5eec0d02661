/** Intrinsic dimensionality of one run: singular-value spectra per layer and checkpoint (`spectrum --json`). */
import * as v from 'valibot';
import { RowModeSchema } from './analysis-common.js';
import { CountSchema, FiniteSchema, LayoutSchema, StepRefSchema, StepSchema } from './measure.js';

export const SpectrumRequestSchema = v.strictObject({
  run: v.string(),
  conv: v.optional(RowModeSchema),
  epsilon: v.optional(FiniteSchema),
  /** Fractions of the spectrum to count directions for (default 0.9 and 0.99). */
  fractions: v.optional(v.array(FiniteSchema)),
  /** Only these checkpoints (default all). */
  steps: v.optional(v.array(StepRefSchema)),
  layout: v.optional(LayoutSchema),
  neuronsFirst: v.optional(v.boolean()),
});
export type SpectrumRequest = v.InferOutput<typeof SpectrumRequestSchema>;

const perLayerSteps = v.record(v.string(), v.array(CountSchema));

export const SpectrumResultSchema = v.strictObject({
  run: v.string(),
  layers: v.array(v.string()),
  steps: v.array(StepSchema),
  conv: RowModeSchema,
  fractions: v.array(FiniteSchema),
  neurons: v.record(v.string(), CountSchema),
  /** [layer][step]: singular values of the centered layer, descending. */
  spectra: v.record(v.string(), v.array(v.array(FiniteSchema))),
  rank: perLayerSteps,
  /** [fraction as text][layer][step]: smallest k whose singular values reach the fraction of their sum. */
  k: v.record(v.string(), perLayerSteps),
  /** [fraction as text][layer][step]: the same for the share of variance (squares). */
  k_variance: v.record(v.string(), perLayerSteps),
});
export type SpectrumResult = v.InferOutput<typeof SpectrumResultSchema>;
