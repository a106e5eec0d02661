/** One comparison of two layer arrays: the request and the result `compare --json` prints (docs/contract.md). */
import * as v from 'valibot';
import { CountSchema, FiniteSchema, MethodSchema, measureOptionEntries } from './measure.js';

const pair = <T extends v.GenericSchema>(item: T) => v.tuple([item, item]);
const numbers = v.array(FiniteSchema);

/** Two arrays named as `file` or `file:array` (npz member, safetensors tensor, h5 dataset). */
export const CompareRequestSchema = v.strictObject({
  a: v.string(),
  b: v.string(),
  ...measureOptionEntries,
  /**
   * Also measure a noise floor: the same comparison with B's datapoints shuffled this many times (pairing broken,
   * dims and neurons kept), reported as `noise_floor`. 0 or absent: none. The numbers are `svcca-studio
   * significance A B --permutations N --bootstrap K --seed S`'s for the same layers.
   */
  noiseFloor: v.optional(CountSchema),
  /** Also a bootstrap interval over datapoints from this many resamples, reported as `interval`. */
  bootstrap: v.optional(CountSchema),
  /** Interval level for `bootstrap` (default 0.95). */
  level: v.optional(FiniteSchema),
  /** Seed of the shuffles and resamples (default 1, as the CLI's). */
  seed: v.optional(CountSchema),
});
export type CompareRequest = v.InferOutput<typeof CompareRequestSchema>;

/**
 * The noise floor of a comparison (analyses/significance.ts): the same comparison with B's datapoints shuffled
 * `shuffles` times — the pairing broken, each layer's own structure kept.
 */
export const NoiseFloorSchema = v.strictObject({
  shuffles: CountSchema,
  /** Mean similarity over the shuffles. */
  similarity: FiniteSchema,
  /** Mean of each canonical correlation (same length as `coefficients`; empty for CKA). */
  coefficients: numbers,
  sd: FiniteSchema,
  q95: FiniteSchema,
  q99: FiniteSchema,
  max: FiniteSchema,
  /** Permutation p-value (1 + #{shuffled ≥ observed}) / (1 + shuffles). */
  p_value: FiniteSchema,
});
export type NoiseFloor = v.InferOutput<typeof NoiseFloorSchema>;

/** A bootstrap interval over datapoints, centred on the observed value (see analyses/significance.ts for why). */
export const BootstrapIntervalSchema = v.strictObject({
  resamples: CountSchema,
  level: FiniteSchema,
  low: FiniteSchema,
  high: FiniteSchema,
  sd: FiniteSchema,
  bootstrap_mean: FiniteSchema,
  /** bootstrap mean − observed: how much resampling (duplicated datapoints) inflates the measure. */
  bootstrap_shift: FiniteSchema,
  /** The plain percentile interval of the resampled values. */
  percentile: pair(FiniteSchema),
});
export type BootstrapInterval = v.InferOutput<typeof BootstrapIntervalSchema>;

/** dft-cca: the comparison at one 2-D frequency (u, v) of the DFT over (h, w) ([Raghu2017-SVCCA], Theorem 1). */
export const FrequencyResultSchema = v.strictObject({
  frequency: pair(CountSchema),
  conjugate: v.optional(pair(CountSchema)),
  multiplicity: v.optional(CountSchema),
  dims: v.optional(pair(CountSchema)),
  coefficients: numbers,
  similarity: FiniteSchema,
  share: v.optional(FiniteSchema),
});
export type FrequencyResult = v.InferOutput<typeof FrequencyResultSchema>;

/** The fields every measure returns (before the caller adds where it ran), and each measure's own extras. */
export const measureResultEntries = {
  method: MethodSchema,
  similarity: FiniteSchema,
  /** Canonical correlations, descending, in [0, 1] (empty for CKA). */
  coefficients: numbers,
  /** Dimensions of each side that entered the comparison [kA, kB]. */
  dims: pair(CountSchema),
  datapoints: CountSchema,
  /** Layer widths as given. */
  neurons: pair(CountSchema),
  /** Near-constant neurons dropped on each side. */
  dropped: pair(CountSchema),
  /** Numerical rank of each centered layer. */
  rank: v.optional(pair(CountSchema)),
  epsilon: v.optional(FiniteSchema),
  keep: v.optional(FiniteSchema),
  /** Plain mean and mean of squares of the coefficients (the papers' two summaries). */
  mean: v.optional(FiniteSchema),
  mean_square: v.optional(FiniteSchema),
  /** PWCCA: each canonical direction's projection weight. */
  weights: v.optional(numbers),
  weights_side: v.optional(v.picklist(['A', 'B'])),
  /** CKA: whether the debiased HSIC estimator was used. */
  debiased: v.optional(v.boolean()),
  /** --pwcca-compat: which compatibility mode produced the value, and what a user reproducing it must know. */
  compat: v.optional(v.literal('reference')),
  note: v.optional(v.string()),
  /** Conv layers compared channel-wise: rows of the (datapoints·positions) × channels matrices. */
  rows: v.optional(CountSchema),
  // dft-cca
  measure: v.optional(v.string()),
  spatial: v.optional(v.strictObject({ a: v.array(CountSchema), b: v.array(CountSchema), lattice: v.array(CountSchema) })),
  spatial_rule: v.optional(v.string()),
  augmented_datapoints: v.optional(CountSchema),
  structural_zeros: v.optional(CountSchema),
  dropped_neurons: v.optional(pair(CountSchema)),
  per_frequency: v.optional(v.array(FrequencyResultSchema)),
};

/** Where a result's heavy products ran: the device, the kernel backend's name, the float precision. */
export const backendEntries = {
  backend: v.string(),
  kernel_backend: v.optional(v.string()),
  precision: v.optional(v.string()),
};

export const CompareResultSchema = v.strictObject({
  ...measureResultEntries,
  ...backendEntries,
  /** Present when the request asked for `noiseFloor`. */
  noise_floor: v.optional(NoiseFloorSchema),
  /** Present when the request asked for `bootstrap`. */
  interval: v.optional(BootstrapIntervalSchema),
  /** The seed of noise_floor and interval, when either is present. */
  seed: v.optional(CountSchema),
});
export type CompareResult = v.InferOutput<typeof CompareResultSchema>;
