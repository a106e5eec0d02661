/** Class sensitivity over training (`sensitivity --json`): each layer's similarity with each class, per checkpoint. */
import * as v from 'valibot';
import { BasisMethodSchema, RowModeSchema } from './analysis-common.js';
import { FiniteSchema, LayoutSchema, MethodSchema, StepRefSchema, StepSchema } from './measure.js';

export const SensitivityRequestSchema = v.strictObject({
  run: v.string(),
  /** Checkpoint whose logits are the targets; default the last. */
  reference: v.optional(StepRefSchema),
  /** A class is its logit at the reference (default) or its probe-label indicator. */
  target: v.optional(v.picklist(['logits', 'labels'])),
  method: v.optional(MethodSchema),
  conv: v.optional(RowModeSchema),
  keep: v.optional(FiniteSchema),
  dims: v.optional(FiniteSchema),
  epsilon: v.optional(FiniteSchema),
  /** learned_at: share of the reference value to reach and keep (default 0.9). */
  fraction: v.optional(FiniteSchema),
  layout: v.optional(LayoutSchema),
  neuronsFirst: v.optional(v.boolean()),
});
export type SensitivityRequest = v.InferOutput<typeof SensitivityRequestSchema>;

export const SensitivityResultSchema = v.strictObject({
  run: v.string(),
  layers: v.array(v.string()),
  steps: v.array(StepSchema),
  classes: v.array(v.string()),
  method: BasisMethodSchema,
  target: v.picklist(['logits', 'labels']),
  conv: RowModeSchema,
  reference: StepSchema,
  /** [step][class][layer]. */
  similarity: v.array(v.array(v.array(FiniteSchema))),
  hidden_layers: v.array(v.string()),
  /** Per class: mean similarity over the hidden layers at each checkpoint. */
  timeline: v.record(v.string(), v.array(FiniteSchema)),
  fraction: FiniteSchema,
  learned_at: v.record(v.string(), v.nullable(StepSchema)),
  early_order: v.array(v.string()),
  class_correlation: v.array(v.array(FiniteSchema)),
  class_order: v.array(v.string()),
});
export type SensitivityResult = v.InferOutput<typeof SensitivityResultSchema>;
