/** What the index knows about a workspace: its runs, their checkpoints and metrics, and the files it could not read. */
import * as v from 'valibot';
import { CountSchema, FiniteSchema, StepRefSchema, StepSchema } from './measure.js';

export const IndexErrorSchema = v.strictObject({ path: v.string(), error: v.string() });
export type IndexError = v.InferOutput<typeof IndexErrorSchema>;

const reportEntries = {
  runs: CountSchema,
  checkpoints: CountSchema,
  arrays: CountSchema,
  errors: v.array(IndexErrorSchema),
};
export const IndexReportSchema = v.strictObject(reportEntries);
export type IndexReport = v.InferOutput<typeof IndexReportSchema>;

/** One row of a run's metrics: its step and any numeric metric the run recorded (train_acc, probe_acc, loss…). */
export const MetricPointSchema = v.objectWithRest(
  { step: CountSchema, train_acc: v.optional(FiniteSchema), probe_acc: v.optional(FiniteSchema) },
  FiniteSchema,
);
export type MetricPoint = v.InferOutput<typeof MetricPointSchema>;

export const RunInfoSchema = v.strictObject({
  name: v.string(),
  /** Folder relative to the workspace root. */
  path: v.string(),
  group: v.optional(v.string()),
  seed: v.optional(FiniteSchema),
  lr: v.optional(FiniteSchema),
  labels: v.optional(v.string()),
  layers: v.array(v.string()),
  /** Checkpoint steps in order; a `final` folder appears as 'final'. */
  steps: v.array(StepSchema),
  metrics: v.array(MetricPointSchema),
  /** Every run.json key, unknown ones included: the user's own data, so open by design. */
  meta: v.record(v.string(), v.unknown()),
});
export type RunInfo = v.InferOutput<typeof RunInfoSchema>;

export const WorkspaceInfoSchema = v.strictObject({ root: v.string(), db: v.string(), ...reportEntries });
export type WorkspaceInfo = v.InferOutput<typeof WorkspaceInfoSchema>;

export const IndexChangedEventSchema = v.strictObject({ root: v.string(), report: IndexReportSchema });
export type IndexChangedEvent = v.InferOutput<typeof IndexChangedEventSchema>;

/** One layer array addressed inside the open workspace (what the views pick), turned into a file ref by `resolveLayer`. */
export const LayerRefSchema = v.strictObject({
  run: v.string(),
  layer: v.string(),
  /** Default: the run's last checkpoint. */
  step: v.optional(StepRefSchema),
});
export type LayerRef = v.InferOutput<typeof LayerRefSchema>;

/** Progress of one job. A job's last event has done === total > 0 (also when it failed or was cancelled). */
export const ProgressEventSchema = v.strictObject({
  jobId: v.string(),
  label: v.string(),
  done: FiniteSchema,
  total: FiniteSchema,
  /** Units per second since the job started. */
  rate: FiniteSchema,
});
export type ProgressEvent = v.InferOutput<typeof ProgressEventSchema>;

/** Stops a subscription (progress, index changes). */
export type Unsubscribe = () => void;

/** Options every long call accepts: a caller-chosen job id (for progress events and cancel). */
export const CallOptionsSchema = v.strictObject({ jobId: v.optional(v.string()) });
export type CallOptions = v.InferOutput<typeof CallOptionsSchema>;
