/** All-pairs similarity across many runs' same layer: the request, its group statistics and the result. */
import * as v from 'valibot';
import { backendEntries } from './compare.js';
import { CountSchema, FiniteSchema, MethodSchema, StepRefSchema, measureOptionEntries } from './measure.js';

export const MatrixRequestSchema = v.strictObject({
  layer: v.string(),
  ...measureOptionEntries,
  step: v.optional(StepRefSchema),
  /** Only these runs (names); all when omitted. */
  runs: v.optional(v.array(v.string())),
  /** A run.json key to group by for within/between statistics (e.g. "labels", "lr"). */
  groupBy: v.optional(v.string()),
  /** Flat clusters from the dendrogram: this many (at most), or cut at this height (1 − similarity). */
  clusters: v.optional(v.pipe(CountSchema, v.minValue(1))),
  cut: v.optional(FiniteSchema),
  /**
   * 'f32': screening precision — products and eigensolvers in float32 on the machine's BLAS (sgemm, ssyevd; the
   * blas-f32 kernel backend), tolerance in docs/kernels.md. Default 'f64'.
   */
  precision: v.optional(v.picklist(['f64', 'f32'])),
});
export type MatrixRequest = v.InferOutput<typeof MatrixRequestSchema>;

const meanOrNull = v.nullable(FiniteSchema);

export const GroupStatsSchema = v.strictObject({
  key: v.string(),
  groups: v.array(v.strictObject({ value: v.string(), runs: v.array(v.string()), within_mean: meanOrNull })),
  within_mean: meanOrNull,
  between_mean: meanOrNull,
  /** within_mean − between_mean. */
  difference: v.optional(meanOrNull),
  /** Permutation-test p-value that within-group similarity exceeds between-group similarity. */
  p_value: meanOrNull,
  permutations: CountSchema,
  /** Whether every relabelling was enumerated (an exact test) rather than sampled. */
  exact: v.optional(v.boolean()),
});
export type GroupStats = v.InferOutput<typeof GroupStatsSchema>;

/** Average-linkage merges: [left, right, height, size] in scipy's linkage format. */
export const LinkageSchema = v.array(v.tuple([CountSchema, CountSchema, FiniteSchema, CountSchema]));
export type Linkage = v.InferOutput<typeof LinkageSchema>;

/** Flat clusters cut from the dendrogram (scipy's fcluster, numbered in leaf order). */
export const FlatClustersSchema = v.strictObject({
  by: v.picklist(['count', 'height']),
  /** The count or height asked for. */
  value: FiniteSchema,
  /** The height of the cut made: merges at or below it are inside clusters. */
  height: FiniteSchema,
  /** Cluster of each run, in `runs` order. */
  assignment: v.array(CountSchema),
  /** Each cluster's run names, in leaf order. */
  members: v.array(v.array(v.string())),
});
export type FlatClustersResult = v.InferOutput<typeof FlatClustersSchema>;

const hitsAndMisses = v.strictObject({ hits: CountSchema, misses: CountSchema });

export const MatrixResultSchema = v.strictObject({
  runs: v.array(v.string()),
  layer: v.string(),
  method: MethodSchema,
  matrix: v.array(v.array(FiniteSchema)),
  order: v.array(CountSchema),
  linkage: v.optional(LinkageSchema),
  stats: v.optional(GroupStatsSchema),
  clusters: v.optional(FlatClustersSchema),
  ...backendEntries,
  /** Why the products did not run where the request asked (a GPU asked for, none here). */
  backend_note: v.optional(v.string()),
  step: v.optional(StepRefSchema),
  /** The array each run contributed (`file` or `file:array`), in `runs` order. */
  files: v.optional(v.array(v.string())),
  /** Decompositions computed by this call (0 when every basis came from the cache). */
  decompositions: v.optional(CountSchema),
  /** Ordered pairs whose pair step ran in this call. */
  pairs_computed: v.optional(CountSchema),
  cache: v.optional(v.strictObject({ bases: hitsAndMisses, pairs: hitsAndMisses, matrix: v.boolean() })),
  workers: v.optional(CountSchema),
  seconds: v.optional(FiniteSchema),
});
export type MatrixResult = v.InferOutput<typeof MatrixResultSchema>;
