/**
 * The one typed contract every front end uses (renderer over Electron IPC or WebSocket, CLI, serve).
 * Pure types and constants: no Node, no DOM, so the renderer can import it.
 * Result shapes equal the CLI's `--json` objects of ../shared/CONTRACT.md (snake_case keys there stay snake_case here).
 */

export type Method = 'cca' | 'svcca' | 'svcca-weighted' | 'pwcca' | 'cka' | 'dft-cca';
export const METHODS: readonly Method[] = ['cca', 'svcca', 'svcca-weighted', 'pwcca', 'cka', 'dft-cca'];
export type ConvMode = 'channels' | 'flatten' | 'dft';
export type Layout = 'nhwc' | 'nchw';
export type BackendChoice = 'auto' | 'cpu' | 'gpu';
export type StepRef = number | 'final' | 'last';

export interface MeasureOptions {
  method: Method;
  keep?: number;
  dims?: number;
  epsilon?: number;
  pwccaCompat?: 'reference';
  conv?: ConvMode;
  layout?: Layout;
  neuronsFirst?: boolean;
  backend?: BackendChoice;
}

/** Two arrays named as `file` or `file:array` (npz member, safetensors tensor, h5 dataset). */
export interface CompareRequest extends MeasureOptions {
  a: string;
  b: string;
  /**
   * Also measure a noise floor: the same comparison with B's datapoints shuffled this many times (pairing broken,
   * dims and neurons kept), reported as `noise_floor` in the result. 0 or absent: none.
   */
  noiseFloor?: number;
}

/** One layer array addressed inside the open workspace (what the views pick), turned into a file ref by `resolveLayer`. */
export interface LayerRef {
  run: string;
  layer: string;
  /** Default: the run's last checkpoint. */
  step?: StepRef;
}

/** The noise floor of a comparison: means over `shuffles` comparisons of A with row-shuffled B. */
export interface NoiseFloor {
  shuffles: number;
  similarity: number;
  /** Mean of each canonical correlation (same length as `coefficients`). */
  coefficients: number[];
}

export interface CompareResult {
  method: Method;
  similarity: number;
  coefficients: number[];
  dims: [number, number];
  datapoints: number;
  neurons: [number, number];
  weights?: number[];
  backend: string;
  /** Present when the request asked for `noiseFloor`. */
  noise_floor?: NoiseFloor;
  /**
   * dft-cca only: the comparison per 2-D frequency (u, v) of the DFT over (h, w) (Theorem 1 of paper 000: the
   * CCA splits into one block per frequency).
   */
  per_frequency?: Array<{ frequency: [number, number]; conjugate?: [number, number]; similarity: number; coefficients: number[] }>;
  /** Extra fields (mean_square, dropped neurons, per-frequency DFT results, …) are allowed. */
  [extra: string]: unknown;
}

export interface IndexError {
  path: string;
  error: string;
}

export interface IndexReport {
  runs: number;
  checkpoints: number;
  arrays: number;
  errors: IndexError[];
}

export interface MetricPoint {
  step: number;
  train_acc?: number;
  probe_acc?: number;
  [metric: string]: number | undefined;
}

export interface RunInfo {
  name: string;
  /** Folder relative to the workspace root. */
  path: string;
  group?: string;
  seed?: number;
  lr?: number;
  labels?: string;
  layers: string[];
  /** Checkpoint steps in order; a `final` folder appears as 'final'. */
  steps: Array<number | 'final'>;
  metrics: MetricPoint[];
  /** Every run.json key, unknown ones included. */
  meta: Record<string, unknown>;
}

export interface WorkspaceInfo {
  root: string;
  db: string;
  runs: number;
  checkpoints: number;
  arrays: number;
  errors: IndexError[];
}

export interface MatrixRequest extends MeasureOptions {
  layer: string;
  step?: StepRef;
  /** Only these runs (names); all when omitted. */
  runs?: string[];
  /** A run.json key to group by for within/between statistics (e.g. "labels", "lr"). */
  groupBy?: string;
}

export interface GroupStats {
  key: string;
  groups: Array<{ value: string; runs: string[]; within_mean: number | null }>;
  within_mean: number | null;
  between_mean: number | null;
  /** Permutation-test p-value that within-group similarity exceeds between-group similarity. */
  p_value: number | null;
  permutations: number;
}

export interface MatrixResult {
  runs: string[];
  layer: string;
  method: Method;
  matrix: number[][];
  order: number[];
  /** Average-linkage merges: [left, right, height, size] in scipy's linkage format. */
  linkage?: Array<[number, number, number, number]>;
  stats?: GroupStats;
  backend?: string;
  [extra: string]: unknown;
}

export interface DynamicsRequest {
  run: string;
  method?: Method;
  /** Checkpoint compared against; default the last. */
  reference?: StepRef;
  threshold?: number;
  /** Conv layers: channels (default; pooled where grids differ), flatten, or dft (docs/analyses.md). */
  conv?: ConvMode;
  keep?: number;
  dims?: number;
  epsilon?: number;
  layout?: Layout;
  neuronsFirst?: boolean;
  /** Include `class_sensitivity` (default true when the output layer is dense with ≥ 2 units). */
  classSensitivity?: boolean;
}

export interface DynamicsResult {
  run: string;
  layers: string[];
  steps: Array<number | 'final'>;
  method: Method;
  to_final: Record<string, number[]>;
  tensor: number[][][];
  converged_at: Record<string, number | 'final' | null>;
  /**
   * Optional (paper 000 sec. 4.3): similarity of each layer with the logit of each class, [class][layer] over
   * `layers`, at the reference checkpoint.
   */
  class_sensitivity?: { classes: string[]; similarity: number[][] };
  [extra: string]: unknown;
}

export interface CompressRequest {
  run: string;
  layer: string;
  step?: StepRef;
  nextWeights?: string;
  /** Also rank directions by SVCCA against this run's same layer (accuracy key `svcca_net`). */
  against?: string;
  /** Random-neuron baseline: draws averaged (default 10) and the seed of the first (default 1). */
  draws?: number;
  seed?: number;
  layout?: Layout;
}

export interface CompressResult {
  run: string;
  layer: string;
  n: number;
  full_accuracy: number;
  k: number[];
  accuracy: { svcca: number[]; svd: number[]; random: number[]; max_activation: number[]; [other: string]: number[] };
  smallest_k_within_half_point: number;
  [extra: string]: unknown;
}

/** Progress of one job. A job's last event has done === total > 0 (also when it failed or was cancelled). */
export interface ProgressEvent {
  jobId: string;
  label: string;
  done: number;
  total: number;
  /** Units per second since the job started. */
  rate: number;
}

export interface IndexChangedEvent {
  root: string;
  report: IndexReport;
}

/** Options every long call accepts: a caller-chosen job id (for progress events and cancel). */
export interface CallOptions {
  jobId?: string;
}

export type Unsubscribe = () => void;

/** The service surface. Every method is async and may reject with {name, message}; messages are one line. */
export interface StudioApi {
  workspace(): Promise<WorkspaceInfo>;
  openWorkspace(root: string): Promise<WorkspaceInfo>;
  reindex(options?: CallOptions): Promise<IndexReport>;
  runs(): Promise<RunInfo[]>;
  /** The file ref (`file` or `file:array`) of a run's layer at a checkpoint, for `compare`. */
  resolveLayer(ref: LayerRef): Promise<string>;
  compare(request: CompareRequest, options?: CallOptions): Promise<CompareResult>;
  matrix(request: MatrixRequest, options?: CallOptions): Promise<MatrixResult>;
  dynamics(request: DynamicsRequest, options?: CallOptions): Promise<DynamicsResult>;
  compress(request: CompressRequest, options?: CallOptions): Promise<CompressResult>;
  cancel(jobId: string): Promise<void>;
  onProgress(listener: (event: ProgressEvent) => void): Unsubscribe;
  onIndexChanged(listener: (event: IndexChangedEvent) => void): Unsubscribe;
}

/** The request/response methods, in one list: transports (IPC, WebSocket) accept exactly these names. */
export const API_METHODS = [
  'workspace',
  'openWorkspace',
  'reindex',
  'runs',
  'resolveLayer',
  'compare',
  'matrix',
  'dynamics',
  'compress',
  'cancel',
] as const satisfies ReadonlyArray<keyof StudioApi>;
export type ApiMethod = (typeof API_METHODS)[number];

export const API_EVENTS = ['progress', 'indexChanged'] as const;
export type ApiEventName = (typeof API_EVENTS)[number];

/** Wire messages shared by every transport. */
export type WireRequest = { type: 'call'; id: number; method: ApiMethod; args: unknown[] };
export type WireResponse =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: { name: string; message: string } };
export type WireEvent =
  | { type: 'event'; event: 'progress'; payload: ProgressEvent }
  | { type: 'event'; event: 'indexChanged'; payload: IndexChangedEvent };
export type WireMessage = WireRequest | WireResponse | WireEvent;
