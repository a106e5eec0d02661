/** The compression preview of one layer ([Raghu2017-SVCCA] sec. 5: the next layer applied to k SVCCA directions). */
import * as v from 'valibot';
import { CountSchema, FiniteSchema, LayoutSchema, StepRefSchema, StepSchema } from './measure.js';

export const CompressRequestSchema = v.strictObject({
  run: v.string(),
  layer: v.string(),
  step: v.optional(StepRefSchema),
  /** The layer the compressed layer feeds (its name in the run's layer order); default the next one. */
  nextWeights: v.optional(v.string()),
  /** Also rank directions by SVCCA against this run's same layer (accuracy key `svcca_net`). */
  against: v.optional(v.string()),
  /** Random-neuron baseline: draws averaged (default 10) and the seed of the first (default 1). */
  draws: v.optional(v.pipe(CountSchema, v.minValue(1))),
  seed: v.optional(CountSchema),
  layout: v.optional(LayoutSchema),
});
export type CompressRequest = v.InferOutput<typeof CompressRequestSchema>;

export const CompressionSavingsSchema = v.strictObject({
  k: CountSchema,
  /** Width of the compressed layer (n) and outputs of the next layer. */
  n: CountSchema,
  out: CountSchema,
  /** Next layer's weights: n·out before, k·(n + out) after (its bias is unchanged). */
  params_full: CountSchema,
  params_compressed: CountSchema,
  params_saved_fraction: FiniteSchema,
  /** Per datapoint, 2 flops per multiply-add. */
  flops_full: CountSchema,
  flops_compressed: CountSchema,
  flops_saved_fraction: FiniteSchema,
  /** The largest k that still saves anything: ⌊n·out/(n + out)⌋. */
  break_even_k: CountSchema,
});
export type CompressionSavings = v.InferOutput<typeof CompressionSavingsSchema>;

const curves = v.record(v.string(), v.array(FiniteSchema));

export const CompressResultSchema = v.strictObject({
  run: v.string(),
  layer: v.string(),
  step: StepSchema,
  n: CountSchema,
  full_accuracy: FiniteSchema,
  k: v.array(CountSchema),
  /** Accuracy at each k per ranking: svcca, svd, random, max_activation (and svcca_net with `against`). */
  accuracy: curves,
  smallest_k_within_half_point: CountSchema,
  agreement: curves,
  random_sd: v.array(FiniteSchema),
  smallest_k: v.record(v.string(), CountSchema),
  savings: CompressionSavingsSchema,
  next_layers: v.array(v.strictObject({ name: v.string(), activation: v.string(), mismatch: v.nullable(FiniteSchema) })),
  /** probe_acc run.json records for this checkpoint, if any. */
  run_json_accuracy: v.nullable(FiniteSchema),
  draws: CountSchema,
  seed: CountSchema,
  svcca_correlations: curves,
  svcca_dims: v.record(v.string(), v.tuple([CountSchema, CountSchema])),
  /** The layer entered as (h·w·c) flattened neurons (a conv layer before a dense one). */
  flattened: v.boolean(),
  against: v.optional(v.string()),
});
export type CompressResult = v.InferOutput<typeof CompressResultSchema>;
