/**
 * The one typed contract every front end uses (renderer over Electron IPC or WebSocket, CLI, serve).
 * `API` lists each request/response method with the schemas of its positional arguments and of its result; the
 * `StudioApi` type is derived from it, and the dispatcher (dispatch.ts) checks every incoming call and every
 * outgoing result against the same schemas, so the types and the runtime checks cannot drift apart.
 * Pure data: no Node, no DOM, so the renderer can import it. Result shapes equal the CLI's `--json` objects
 * (docs/contract.md); snake_case keys there stay snake_case here.
 */
import * as v from 'valibot';
import {
  CallOptionsSchema,
  CompareRequestSchema,
  CompareResultSchema,
  CompressRequestSchema,
  CompressResultSchema,
  CorrelateRequestSchema,
  CorrelateResultSchema,
  DynamicsRequestSchema,
  DynamicsResultSchema,
  GridRequestSchema,
  GridResultSchema,
  GroupsRequestSchema,
  GroupsResultSchema,
  IndexReportSchema,
  LayerRefSchema,
  MatrixRequestSchema,
  MatrixResultSchema,
  RunInfoSchema,
  StabilityRequestSchema,
  StabilityResultSchema,
  TimestepsRequestSchema,
  TimestepsResultSchema,
  WorkspaceInfoSchema,
  SpectrumRequestSchema,
  SpectrumResultSchema,
  SensitivityRequestSchema,
  SensitivityResultSchema,
  RunSignificanceRequestSchema,
  RunSignificanceResultSchema,
  IdentifyRequestSchema,
  IdentifyResultSchema,
  GroupDynamicsRequestSchema,
  GroupDynamicsResultSchema,
  type IndexChangedEvent,
  type ProgressEvent,
  type Unsubscribe,
} from '../domain/index.js';

export * from '../domain/index.js';

/** One method on the wire: its positional arguments (the first `required` must be given) and its result. */
interface MethodSpec {
  readonly args: readonly v.GenericSchema[];
  readonly required: number;
  readonly result: v.GenericSchema;
}

const spec = <const A extends readonly v.GenericSchema[], const N extends number, R extends v.GenericSchema>(args: A, required: N, result: R) => ({ args, required, result });
const nothing = v.null();

export const API = {
  workspace: spec([], 0, WorkspaceInfoSchema),
  openWorkspace: spec([v.string()], 1, WorkspaceInfoSchema),
  reindex: spec([CallOptionsSchema], 0, IndexReportSchema),
  runs: spec([], 0, v.array(RunInfoSchema)),
  /** The file ref (`file` or `file:array`) of a run's layer at a checkpoint, for `compare`. */
  resolveLayer: spec([LayerRefSchema], 1, v.string()),
  compare: spec([CompareRequestSchema, CallOptionsSchema], 1, CompareResultSchema),
  matrix: spec([MatrixRequestSchema, CallOptionsSchema], 1, MatrixResultSchema),
  dynamics: spec([DynamicsRequestSchema, CallOptionsSchema], 1, DynamicsResultSchema),
  compress: spec([CompressRequestSchema, CallOptionsSchema], 1, CompressResultSchema),
  stability: spec([StabilityRequestSchema, CallOptionsSchema], 1, StabilityResultSchema),
  correlate: spec([CorrelateRequestSchema, CallOptionsSchema], 1, CorrelateResultSchema),
  groups: spec([GroupsRequestSchema, CallOptionsSchema], 1, GroupsResultSchema),
  grid: spec([GridRequestSchema, CallOptionsSchema], 1, GridResultSchema),
  timesteps: spec([TimestepsRequestSchema, CallOptionsSchema], 1, TimestepsResultSchema),
  cancel: spec([v.string()], 1, nothing),
  /** Intrinsic dimensionality: spectra and k for each fraction per layer and checkpoint (`spectrum --json`). */
  spectrum: spec([SpectrumRequestSchema, CallOptionsSchema], 1, SpectrumResultSchema),
  /** Class sensitivity over checkpoints (`sensitivity --json`). */
  classSensitivity: spec([SensitivityRequestSchema, CallOptionsSchema], 1, SensitivityResultSchema),
  /** Noise floor and bootstrap interval for every pair of runs at a layer (`significance WORKSPACE --layer L --json`). */
  significance: spec([RunSignificanceRequestSchema, CallOptionsSchema], 1, RunSignificanceResultSchema),
  /** Layer identification across seeds (`identify --json`). */
  identify: spec([IdentifyRequestSchema, CallOptionsSchema], 0, IdentifyResultSchema),
  /** Learning dynamics averaged over a group's runs, with sd (`dynamics --group G --json`). */
  groupDynamics: spec([GroupDynamicsRequestSchema, CallOptionsSchema], 1, GroupDynamicsResultSchema),
} as const satisfies Record<string, MethodSpec>;

type Api = typeof API;
export type ApiMethod = keyof Api;

/** A tuple whose elements from index `required` on may be left out. */
type Trailing<T extends readonly unknown[], Required extends number, Seen extends unknown[] = []> = T extends readonly [infer Head, ...infer Rest]
  ? Seen['length'] extends Required
    ? [Head?, ...Trailing<Rest, Required, [...Seen, Head]>]
    : [Head, ...Trailing<Rest, Required, [...Seen, Head]>]
  : [];
/** Schemas → the values they accept, element by element (a mapped type over a type parameter keeps tuples). */
type Inputs<A extends readonly unknown[]> = { [I in keyof A]: A[I] extends v.GenericSchema ? v.InferInput<A[I]> : never };
type ArgsOf<M extends ApiMethod> = Trailing<Inputs<Api[M]['args']>, Api[M]['required']>;
export type ResultOf<M extends ApiMethod> = v.InferOutput<Api[M]['result']> extends null ? void : v.InferOutput<Api[M]['result']>;

/** The service surface. Every method is async and may reject with {name, message}; messages are one line. */
export type StudioApi = { [M in ApiMethod]: (...args: ArgsOf<M>) => Promise<ResultOf<M>> } & {
  onProgress(listener: (event: ProgressEvent) => void): Unsubscribe;
  onIndexChanged(listener: (event: IndexChangedEvent) => void): Unsubscribe;
};

/** The request/response methods, in one list: transports (IPC, WebSocket) accept exactly these names. */
export const API_METHODS = Object.keys(API) as ApiMethod[];

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
