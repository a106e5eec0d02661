/**
 * The job kinds a compute host runs: the explicit list (no scanning), each kind a function of plain
 * structured-clone-able params. The same functions run in-process when a job is too small for a worker.
 */
import { UsageError } from '../errors.js';
import { openArray } from '../formats/index.js';
import { asDense, loadLayer } from '../layers/index.js';
import { compareBases, type CompareOptions } from '../measures/compare.js';
import { crossBasis } from '../measures/pair.js';
import { prepareBasis } from '../measures/prepare.js';
import type { PairCross, PreparedBasis } from '../measures/types.js';
import type { Matrix } from '../linalg/matrix.js';
import { transpose } from '../linalg/util.js';
import { yieldToEvents, type JobContext, type JobHandler, type JobHandlers } from './host.js';
import { streamCovariance, type StreamLayout, type StreamedCovariance } from './streaming.js';

export const JOB_COVARIANCE = 'layer.covariance';
export const JOB_PREPARE = 'matrix.prepare';
export const JOB_PAIRS = 'matrix.pairs';

// ---- layer.covariance: one streaming pass over a layer file or a pair --------------------------------------------

export interface CovarianceJobParams extends StreamLayout {
  /** `file` or `file:array`. */
  readonly a: string;
  readonly b?: string;
  readonly blockRows?: number;
}

function isCovarianceParams(value: unknown): value is CovarianceJobParams {
  const v = value as Partial<CovarianceJobParams> | null;
  return typeof v === 'object' && v !== null && typeof v.a === 'string' && (v.b === undefined || typeof v.b === 'string');
}

const covariance: JobHandler = async (params, context): Promise<StreamedCovariance> => {
  if (!isCovarianceParams(params)) throw new UsageError(`${JOB_COVARIANCE} job needs {a, b?} layer specs`);
  const a = await openArray(params.a);
  const b = params.b === undefined ? undefined : await openArray(params.b);
  return streamCovariance(a, b, {
    ...(params.conv ? { conv: params.conv } : {}),
    ...(params.layout ? { layout: params.layout } : {}),
    ...(params.blockRows ? { blockRows: params.blockRows } : {}),
    signal: context.signal,
    onProgress: (done, total, label) => context.progress(done, total, label),
  });
};

// ---- matrix.prepare: one layer file → its prepared basis ---------------------------------------------------------

export interface PrepareJobParams {
  /** `file` or `file:array`: the worker reads the layer itself (nothing large crosses the process boundary). */
  readonly spec?: string;
  /** Or the layer matrix itself (rows = datapoints), named `ref` in errors. */
  readonly matrix?: Matrix;
  readonly ref?: string;
  readonly epsilon?: number;
  readonly conv?: 'channels' | 'flatten';
  readonly layout?: 'nhwc' | 'nchw';
  readonly neuronsFirst?: boolean;
  /** Kernel backend for the decomposition's products (default 'auto'). */
  readonly backend?: 'auto' | 'cpu' | 'gpu';
}

/** Read a layer and prepare its basis (measures/prepare.ts): the one decomposition per layer of an all-pairs job. */
export async function prepareLayerBasis(params: PrepareJobParams): Promise<PreparedBasis> {
  const epsilon = {
    ...(params.epsilon !== undefined ? { epsilon: params.epsilon } : {}),
    ...(params.backend !== undefined ? { backend: params.backend } : {}),
  };
  if (params.matrix) return prepareBasis(params.matrix, { ref: params.ref ?? params.spec ?? 'layer', ...epsilon });
  if (params.spec === undefined) throw new UsageError(`${JOB_PREPARE} job needs a spec or a matrix`);
  const layer = await loadLayer(params.spec, {
    ...(params.layout ? { layout: params.layout } : {}),
    ...(params.neuronsFirst ? { neuronsFirst: true } : {}),
  });
  const x = asDense(layer, params.conv ?? 'channels');
  return prepareBasis(x, { ref: params.ref ?? params.spec, ...epsilon });
}

const prepare: JobHandler = async (params) => {
  const p = params as Partial<PrepareJobParams> | null;
  if (typeof p !== 'object' || p === null || (typeof p.spec !== 'string' && typeof p.matrix !== 'object')) {
    throw new UsageError(`${JOB_PREPARE} job needs {spec} or {matrix}`);
  }
  return prepareLayerBasis(p as PrepareJobParams);
};

// ---- matrix.pairs: similarities of listed ordered pairs of prepared bases ----------------------------------------

export interface PairsJobParams {
  readonly bases: readonly PreparedBasis[];
  /** Ordered pairs as indices into `bases`: [a0, b0, a1, b1, …]; entry t compares bases[a_t] (as A) with bases[b_t]. */
  readonly pairs: Int32Array;
  readonly options: CompareOptions;
}

/**
 * compare(bases[a], bases[b]).similarity for every listed pair. A pair whose reverse is also listed runs right after
 * it and reuses its M = Q_Aᵀ·Q_B transposed (M_BA = M_ABᵀ), so each unordered pair costs one data-sized product;
 * only that one M is held at a time. Yields to the event loop after each pair so a cancel (or a progress listener)
 * gets in.
 */
export async function pairSimilarities(
  params: PairsJobParams,
  context: Pick<JobContext, 'signal' | 'progress'>,
): Promise<Float64Array> {
  const count = params.pairs.length / 2;
  const out = new Float64Array(count);
  const position = new Map<string, number>();
  for (let t = 0; t < count; t++) position.set(`${params.pairs[2 * t]},${params.pairs[2 * t + 1]}`, t);
  const done = new Uint8Array(count);
  let finished = 0;
  const run = async (t: number, cross?: PairCross): Promise<void> => {
    const a = params.bases[params.pairs[2 * t]!]!;
    const b = params.bases[params.pairs[2 * t + 1]!]!;
    out[t] = similarityOf(await compareBases(a, b, params.options, cross));
    done[t] = 1;
    context.progress(++finished, count, 'pairs');
    await yieldToEvents(context.signal);
  };
  for (let t = 0; t < count; t++) {
    if (done[t]) continue;
    const [i, j] = [params.pairs[2 * t]!, params.pairs[2 * t + 1]!];
    const reverse = i === j ? undefined : position.get(`${j},${i}`);
    if (reverse === undefined || done[reverse]) {
      await run(t);
      continue;
    }
    const a = params.bases[i]!;
    const b = params.bases[j]!;
    let kept: { kA: number; kB: number; m: Matrix } | undefined;
    const kernel = { backend: params.options.backend };
    await run(t, async (kA, kB) => {
      const m = await crossBasis(a, kA, b, kB, kernel);
      kept = { kA, kB, m };
      return m;
    });
    const held = kept;
    await run(reverse, async (kB, kA) => (held && held.kA === kA && held.kB === kB ? transpose(held.m) : crossBasis(b, kB, a, kA, kernel)));
  }
  return out;
}

const pairs: JobHandler = async (params, context) => {
  const p = params as Partial<PairsJobParams> | null;
  if (typeof p !== 'object' || p === null || !Array.isArray(p.bases) || !(p.pairs instanceof Int32Array) || typeof p.options !== 'object') {
    throw new UsageError(`${JOB_PAIRS} job needs {bases, pairs, options}`);
  }
  return pairSimilarities(p as PairsJobParams, context);
};

/** A measure's similarity, checked: a pair step that returns no finite number is a bug, never a NaN in a matrix. */
export function similarityOf(result: { readonly similarity?: unknown; readonly [extra: string]: unknown }): number {
  const value = result['similarity'];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`pair step returned similarity ${String(value)}`);
  return value;
}

export const jobHandlers: JobHandlers = {
  [JOB_COVARIANCE]: covariance,
  [JOB_PREPARE]: prepare,
  [JOB_PAIRS]: pairs,
};
