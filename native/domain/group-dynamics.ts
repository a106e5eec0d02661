/** Learning dynamics averaged over a group's runs (`dynamics --group G --json`): mean and sd per layer and step. */
import * as v from 'valibot';
import { ConvModeSchema, FiniteSchema, LayoutSchema, MethodSchema, StepSchema } from './measure.js';

export const GroupDynamicsRequestSchema = v.strictObject({
  group: v.string(),
  method: v.optional(MethodSchema),
  threshold: v.optional(FiniteSchema),
  conv: v.optional(ConvModeSchema),
  keep: v.optional(FiniteSchema),
  dims: v.optional(FiniteSchema),
  epsilon: v.optional(FiniteSchema),
  layout: v.optional(LayoutSchema),
  neuronsFirst: v.optional(v.boolean()),
});
export type GroupDynamicsRequest = v.InferOutput<typeof GroupDynamicsRequestSchema>;

const perLayer = v.record(v.string(), v.array(FiniteSchema));

export const GroupDynamicsResultSchema = v.strictObject({
  group: v.string(),
  runs: v.array(v.string()),
  layers: v.array(v.string()),
  /** Checkpoints every run of the group has, the last standing for each run's own last. */
  steps: v.array(StepSchema),
  method: v.string(),
  threshold: FiniteSchema,
  to_final: perLayer,
  /** Standard deviation over runs (0 for a single run). */
  to_final_sd: perLayer,
  tensor: v.array(v.array(v.array(FiniteSchema))),
  converged_at: v.record(v.string(), v.nullable(StepSchema)),
  converged_at_by_run: v.record(v.string(), v.record(v.string(), v.nullable(StepSchema))),
});
export type GroupDynamicsResult = v.InferOutput<typeof GroupDynamicsResultSchema>;
