/** Layer identification (`identify --json`): how often each method finds a layer's counterpart in another seed's net. */
import * as v from 'valibot';
import { AnalysisMethodSchema, RowModeSchema } from './analysis-common.js';
import { CountSchema, FiniteSchema, LayoutSchema, StepRefSchema } from './measure.js';

export const IdentifyRequestSchema = v.strictObject({
  runs: v.optional(v.array(v.string())),
  group: v.optional(v.string()),
  step: v.optional(StepRefSchema),
  /** Default cka, cka-debiased, cka-rbf, svcca, pwcca. */
  methods: v.optional(v.array(AnalysisMethodSchema)),
  conv: v.optional(RowModeSchema),
  keep: v.optional(FiniteSchema),
  dims: v.optional(FiniteSchema),
  epsilon: v.optional(FiniteSchema),
  sigma: v.optional(FiniteSchema),
  layout: v.optional(LayoutSchema),
  neuronsFirst: v.optional(v.boolean()),
});
export type IdentifyRequest = v.InferOutput<typeof IdentifyRequestSchema>;

export const IdentifyResultSchema = v.strictObject({
  runs: v.array(v.string()),
  layers: v.array(v.string()),
  step: StepRefSchema,
  conv: RowModeSchema,
  methods: v.array(AnalysisMethodSchema),
  /** Ordered run pairs × layers judged per method. */
  cases: CountSchema,
  accuracy: v.record(v.string(), FiniteSchema),
  per_layer: v.record(v.string(), v.record(v.string(), FiniteSchema)),
  /** [method][layer i][layer j]: how often layer j of the other net was the best match for layer i. */
  matches: v.record(v.string(), v.array(v.array(CountSchema))),
});
export type IdentifyResult = v.InferOutput<typeof IdentifyResultSchema>;
