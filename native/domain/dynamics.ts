/** Learning dynamics of one run (layers × checkpoints) and the Freeze Training schedule it suggests. */
import * as v from 'valibot';
import { ConvModeSchema, CountSchema, FiniteSchema, LayoutSchema, MethodSchema, StepRefSchema, StepSchema } from './measure.js';

export const DynamicsRequestSchema = v.strictObject({
  run: v.string(),
  method: v.optional(MethodSchema),
  /** Checkpoint compared against; default the last. */
  reference: v.optional(StepRefSchema),
  threshold: v.optional(FiniteSchema),
  /** Conv layers: channels (default; pooled where grids differ), flatten, or dft (docs/analyses.md). */
  conv: v.optional(ConvModeSchema),
  keep: v.optional(FiniteSchema),
  dims: v.optional(FiniteSchema),
  epsilon: v.optional(FiniteSchema),
  layout: v.optional(LayoutSchema),
  neuronsFirst: v.optional(v.boolean()),
  /** Include `class_sensitivity` (default true when the output layer is dense with ≥ 2 units). */
  classSensitivity: v.optional(v.boolean()),
  /** Compare against this other run's checkpoint (`reference`, default its last) instead of the run's own ([Raghu2017-BottomUp] sec. 1). */
  against: v.optional(v.string()),
});
export type DynamicsRequest = v.InferOutput<typeof DynamicsRequestSchema>;

const freezeAt = v.array(v.nullable(CountSchema));

export const FreezePlanSchema = v.strictObject({
  freeze_at: freezeAt,
  /** Fraction of all backward computation saved. */
  backward_saved: FiniteSchema,
  /** Fraction of forward + backward computation saved. */
  training_saved: FiniteSchema,
});
export type FreezePlan = v.InferOutput<typeof FreezePlanSchema>;

export const FreezeEntrySchema = v.strictObject({
  layer: v.string(),
  /** When the layer settled (checkpoint step), null if never before the reference. */
  converged_at: v.nullable(CountSchema),
  /** Step from which it is frozen (never: null). */
  freeze_at: v.nullable(CountSchema),
  /** Fraction of the training steps it spends frozen. */
  frozen_fraction: FiniteSchema,
});
export type FreezeEntry = v.InferOutput<typeof FreezeEntrySchema>;

export const FreezeHintSchema = v.strictObject({
  ...FreezePlanSchema.entries,
  total_steps: CountSchema,
  cost_model: v.picklist(['weights', 'uniform']),
  /** Forward multiply-adds per datapoint per layer, as used. */
  layer_flops: v.record(v.string(), FiniteSchema),
  schedule: v.array(FreezeEntrySchema),
  /** [Raghu2017-SVCCA] sec. 4.2's linear regime on the same cost model. */
  linear_schedule: FreezePlanSchema,
});
export type FreezeHint = v.InferOutput<typeof FreezeHintSchema>;

const cube = v.array(v.array(v.array(FiniteSchema)));

export const DynamicsSummariesSchema = v.strictObject({
  mean: cube,
  mean_square: cube,
  /** Absent under --conv dft (Weighted SVCCA has no DFT form). */
  weighted: v.optional(cube),
});
export type DynamicsSummaries = v.InferOutput<typeof DynamicsSummariesSchema>;

export const DynamicsResultSchema = v.strictObject({
  run: v.string(),
  layers: v.array(v.string()),
  steps: v.array(StepSchema),
  method: MethodSchema,
  to_final: v.record(v.string(), v.array(FiniteSchema)),
  /** [step][layer][reference layer]. */
  tensor: cube,
  converged_at: v.record(v.string(), v.nullable(StepSchema)),
  reference: StepSchema,
  threshold: FiniteSchema,
  conv: ConvModeSchema,
  keep: v.optional(FiniteSchema),
  dims: v.optional(FiniteSchema),
  /** Each layer's activation grid [h, w], null for dense layers. */
  spatial: v.record(v.string(), v.nullable(v.tuple([CountSchema, CountSchema]))),
  summaries: DynamicsSummariesSchema,
  /** [step][layer][reference layer]: canonical correlations, descending. */
  coefficients: v.array(cube),
  freeze_hint: v.nullable(FreezeHintSchema),
  /**
   * [Raghu2017-SVCCA] sec. 4.3: similarity of each layer with the logit of each class, [class][layer] over `layers`, at
   * the reference checkpoint.
   */
  class_sensitivity: v.optional(v.strictObject({ classes: v.array(v.string()), similarity: v.array(v.array(FiniteSchema)) })),
  /** The run compared against (when not the run itself) and its layers, the tensor's last axis. */
  against: v.optional(v.string()),
  reference_layers: v.optional(v.array(v.string())),
  /**
   * Representations crawl downward ([Raghu2017-BottomUp] Fig. 3), both readings of the tensor, one line per layer over `steps`:
   * `final_to_checkpoint[j][s]` = the layer of checkpoint s most similar to reference layer j (argmax over i of
   * tensor[s][i][j]); `checkpoint_to_final[i][s]` = the reference layer most similar to layer i at checkpoint s
   * (argmax over j: [Raghu2017-BottomUp]'s "a higher layer early in training is most like a lower final layer").
   */
  crawl: v.optional(
    v.strictObject({
      final_to_checkpoint: v.record(v.string(), v.array(v.string())),
      checkpoint_to_final: v.record(v.string(), v.array(v.string())),
    }),
  ),
});
export type DynamicsResult = v.InferOutput<typeof DynamicsResultSchema>;
