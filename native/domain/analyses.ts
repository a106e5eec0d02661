/**
 * The second wave's analyses (docs/analyses.md): stable vs unstable directions, similarity against what a run
 * achieved, the cross-network layers × layers grid, and within/between-group distances for every layer. Result
 * shapes equal the CLI's `--json` objects and keep one array per plotted series.
 */
import * as v from 'valibot';
import { ConvModeSchema, CountSchema, FiniteSchema, LayoutSchema, MethodSchema, StepRefSchema, StepSchema } from './measure.js';

/** The options every analysis over prepared layers takes (no DFT: these compare layer matrices). */
const layerEntries = {
  conv: v.optional(ConvModeSchema),
  epsilon: v.optional(FiniteSchema),
  layout: v.optional(LayoutSchema),
  neuronsFirst: v.optional(v.boolean()),
};
const measured = {
  method: v.optional(MethodSchema),
  keep: v.optional(FiniteSchema),
  dims: v.optional(FiniteSchema),
  ...layerEntries,
};

const series = v.array(FiniteSchema);

export const StabilityRequestSchema = v.strictObject({
  run: v.string(),
  layer: v.string(),
  /** Checkpoint whose canonical directions are ranked; default the second checkpoint. */
  early: v.optional(StepRefSchema),
  /** Checkpoint they are ranked against; default the one nearest half the last step. */
  mid: v.optional(StepRefSchema),
  /** K best and K worst directions; default a quarter of the directions (at most 100). */
  top: v.optional(v.pipe(CountSchema, v.minValue(1))),
  ...layerEntries,
});
export type StabilityRequest = v.InferOutput<typeof StabilityRequestSchema>;

export const StabilityResultSchema = v.strictObject({
  run: v.string(),
  layer: v.string(),
  early: StepSchema,
  mid: StepSchema,
  top: CountSchema,
  steps: v.array(StepSchema),
  /** Mean CCA similarity of the K best converged directions with the layer at each step. */
  stable: series,
  /** The same for the K worst. */
  unstable: series,
  /** ρ between the layer at `early` and at `mid`, descending: what ranks the directions. */
  ranking: series,
  /** [step][i]: the layer at each step against the layer at the last step, canonical correlations descending ([Morcos2018-PWCCA] Fig. 1a–c). */
  coefficients: v.array(series),
  /** The last step (what `coefficients` compares with). */
  final: StepSchema,
  conv: ConvModeSchema,
});
export type StabilityResult = v.InferOutput<typeof StabilityResultSchema>;

export const CorrelateRequestSchema = v.strictObject({
  layer: v.string(),
  /** A metric recorded at the step (probe_acc, train_acc, …) or a numeric run.json key (lr, width, …). */
  metric: v.string(),
  step: v.optional(StepRefSchema),
  runs: v.optional(v.array(v.string())),
  ...measured,
});
export type CorrelateRequest = v.InferOutput<typeof CorrelateRequestSchema>;

export const CorrelateResultSchema = v.strictObject({
  layer: v.string(),
  metric: v.string(),
  method: MethodSchema,
  step: StepRefSchema,
  runs: v.array(v.string()),
  /** The checkpoint each run contributed. */
  steps: v.array(StepSchema),
  /** Each run's mean symmetric similarity (S[i][j] + S[j][i]) / 2 to every other run. */
  mean_similarity: series,
  metric_values: series,
  pearson: v.nullable(FiniteSchema),
  spearman: v.nullable(FiniteSchema),
  /** Two-sided p-value of Pearson's r (t-test, n − 2 degrees of freedom), as scipy.stats.pearsonr. */
  p_value: v.nullable(FiniteSchema),
  /** Two-sided p-value of Spearman's ρ by the same t approximation, as scipy.stats.spearmanr. */
  spearman_p_value: v.nullable(FiniteSchema),
  /** Runs left out because they have no value for the metric. */
  skipped: v.array(v.string()),
  /** Where `metric` was found: 'metrics' (at the step) or 'run.json'. */
  source: v.picklist(['metrics', 'run.json']),
});
export type CorrelateResult = v.InferOutput<typeof CorrelateResultSchema>;

export const GridRequestSchema = v.strictObject({
  runs: v.tuple([v.string(), v.string()]),
  step: v.optional(StepRefSchema),
  ...measured,
});
export type GridRequest = v.InferOutput<typeof GridRequestSchema>;

export const GridResultSchema = v.strictObject({
  runs: v.tuple([v.string(), v.string()]),
  layers_a: v.array(v.string()),
  layers_b: v.array(v.string()),
  method: MethodSchema,
  /** grid[i][j]: A's layer i (side A) against B's layer j. */
  grid: v.array(series),
  /** Relative depth (i + 1) / L of each layer: the axis that lines up nets of different depths. */
  depth_a: series,
  depth_b: series,
  /** For each of A's layers, the index of B's most similar layer. */
  best_b: v.array(CountSchema),
  steps: v.tuple([StepSchema, StepSchema]),
  conv: ConvModeSchema,
});
export type GridResult = v.InferOutput<typeof GridResultSchema>;

export const GroupsRequestSchema = v.strictObject({
  /** The run.json key runs are grouped by (labels, lr, group, …). */
  by: v.string(),
  step: v.optional(StepRefSchema),
  runs: v.optional(v.array(v.string())),
  /** Only these layers; default every layer the runs share, input to output. */
  layers: v.optional(v.array(v.string())),
  ...measured,
});
export type GroupsRequest = v.InferOutput<typeof GroupsRequestSchema>;

const meanOrNull = v.array(v.nullable(FiniteSchema));

export const GroupsResultSchema = v.strictObject({
  by: v.string(),
  method: MethodSchema,
  step: StepRefSchema,
  layers: v.array(v.string()),
  groups: v.array(
    v.strictObject({
      value: v.string(),
      runs: v.array(v.string()),
      /** Per layer: mean and SD of 1 − similarity over the group's pairs (null with fewer than 2 runs). */
      within: meanOrNull,
      within_sd: meanOrNull,
      pairs: CountSchema,
    }),
  ),
  /** Per layer: mean and SD of 1 − similarity over pairs from different groups. */
  between: meanOrNull,
  between_sd: meanOrNull,
  between_pairs: CountSchema,
  conv: ConvModeSchema,
});
export type GroupsResult = v.InferOutput<typeof GroupsResultSchema>;

export const TimestepsRequestSchema = v.strictObject({
  run: v.string(),
  layer: v.string(),
  step: v.optional(StepRefSchema),
  /** Only these timesteps (0-based); default every one. */
  timesteps: v.optional(v.array(CountSchema)),
  method: v.optional(MethodSchema),
  keep: v.optional(FiniteSchema),
  dims: v.optional(FiniteSchema),
  epsilon: v.optional(FiniteSchema),
  /** How the array is laid out: ntc (default) or nchw's (m, n, T). */
  layout: v.optional(LayoutSchema),
});
export type TimestepsRequest = v.InferOutput<typeof TimestepsRequestSchema>;

export const TimestepsResultSchema = v.strictObject({
  run: v.string(),
  layer: v.string(),
  step: StepSchema,
  method: MethodSchema,
  timesteps: v.array(CountSchema),
  /** matrix[a][b]: the hidden state at timesteps[a] (side A, m × n) against the state at timesteps[b]. */
  matrix: v.array(series),
  datapoints: CountSchema,
  units: CountSchema,
  /** Sequence length of the array. */
  length: CountSchema,
});
export type TimestepsResult = v.InferOutput<typeof TimestepsResultSchema>;
