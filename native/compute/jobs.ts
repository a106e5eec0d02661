/**
 * The job kinds a compute host runs: the explicit list (no scanning), each kind a function of plain
 * structured-clone-able params. The same functions run in-process when a job is too small for a worker.
 */
import { MEASURES } from '../domain/index.js';
import { UsageError } from '../errors.js';
import { openArray } from '../formats/index.js';
import type { KernelChoice, KernelOptions } from '../kernels/index.js';
import { asDense, loadLayer } from '../layers/index.js';
import { compareBases, selfSimilarity, type CompareOptions } from '../measures/compare.js';
import { canonicalCorrelations, canonicalPair } from '../measures/correlations.js';
import { crossBasis } from '../measures/pair.js';
import { prepareBasis } from '../measures/prepare.js';
import type { PairCorrelations, PreparedBasis } from '../measures/types.js';
import type { Matrix } from '../linalg/matrix.js';
import { transpose } from '../linalg/util.js';
import { yieldToEvents, type JobContext, type JobHandler, type JobHandlers } from './host.js';
import { spoolBasis, unspool, type SpooledBasis } from './spool.js';
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
  readonly conv?: 'channels' | 'flatten' | 'mean';
  readonly layout?: 'nhwc' | 'nchw' | 'ntc';
  readonly neuronsFirst?: boolean;
  /** Kernel backend for the decomposition's products (default 'auto'; 'blas-f32' for float32 screening). */
  readonly backend?: KernelChoice;
  /** Write the basis to this file and answer with its SpooledBasis (spool.ts): a large result stays off the channel. */
  readonly spoolTo?: string;
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
  const basis = await prepareLayerBasis(p as PrepareJobParams);
  return typeof p.spoolTo === 'string' ? spoolBasis(basis, p.spoolTo) : basis;
};

// ---- matrix.pairs: similarities of listed ordered pairs of prepared bases ----------------------------------------

export interface PairsJobParams {
  /** The bases, or where they were spooled (a pool's tile jobs: see spool.ts). */
  readonly bases: ReadonlyArray<PreparedBasis | SpooledBasis>;
  /** Ordered pairs as indices into `bases`: [a0, b0, a1, b1, …]; entry t compares bases[a_t] (as A) with bases[b_t]. */
  readonly pairs: Int32Array;
  readonly options: CompareOptions;
}

/**
 * compare(bases[a], bases[b]).similarity for every listed pair, each unordered pair decomposed once:
 *  - a pair whose reverse is also listed runs right after it; for the symmetric measures (cca, svcca, cka) the
 *    reverse takes the same number, for PWCCA and weighted SVCCA (each weighs by its own side's directions) it takes
 *    the same canonical correlations and, where M is square, B's directions from the same decomposition
 *    (correlations.ts `canonicalPair`), else M_BA = M_ABᵀ;
 *  - a layer with itself is 1 (compare.ts `selfSimilarity`).
 * Only one M is held at a time. Yields to the event loop after each pair so a cancel (or a progress listener) gets in.
 */
export async function pairSimilarities(
  params: PairsJobParams,
  context: Pick<JobContext, 'signal' | 'progress'>,
): Promise<Float64Array> {
  const { options } = params;
  const bases = unspool(params.bases);
  const count = params.pairs.length / 2;
  const out = new Float64Array(count);
  const position = new Map<string, number>();
  for (let t = 0; t < count; t++) position.set(`${params.pairs[2 * t]},${params.pairs[2 * t + 1]}`, t);
  const done = new Uint8Array(count);
  let finished = 0;
  const settle = async (t: number, value: number): Promise<void> => {
    out[t] = value;
    done[t] = 1;
    context.progress(++finished, count, 'pairs');
    await yieldToEvents(context.signal);
  };
  const kernel = { backend: options.backend };
  for (let t = 0; t < count; t++) {
    if (done[t]) continue;
    const [i, j] = [params.pairs[2 * t]!, params.pairs[2 * t + 1]!];
    const a = bases[i]!;
    const b = bases[j]!;
    if (i === j) {
      await settle(t, await selfSimilarity(a, options));
      continue;
    }
    const reverse = position.get(`${j},${i}`);
    if (reverse === undefined || done[reverse]) {
      await settle(t, similarityOf(await compareBases(a, b, options)));
      continue;
    }
    if (MEASURES[options.method].symmetric) {
      const value = similarityOf(await compareBases(a, b, options));
      await settle(t, value);
      await settle(reverse, value);
      continue;
    }
    const shared = sharedDecomposition(a, b, kernel);
    await settle(t, similarityOf(await compareBases(a, b, options, shared.forward)));
    await settle(reverse, similarityOf(await compareBases(b, a, options, shared.backward)));
  }
  return out;
}

/**
 * The correlations of (A, B) and then of (B, A) from one M and, where M is square, one decomposition: `backward`
 * answers from what `forward` found when asked for the same directions (else it starts over).
 */
function sharedDecomposition(a: PreparedBasis, b: PreparedBasis, kernel: KernelOptions): { forward: PairCorrelations; backward: PairCorrelations } {
  let held: { kA: number; kB: number; m: Matrix; rho: Float64Array | null; v: Matrix | null } | undefined;
  return {
    forward: async (kA, kB, wantU) => {
      const m = await crossBasis(a, kA, b, kB, kernel);
      if (wantU && kA === kB) {
        const { rho, u, v } = await canonicalPair(m, kernel);
        held = { kA, kB, m, rho, v };
        return { rho, u };
      }
      held = { kA, kB, m, rho: null, v: null };
      return canonicalCorrelations(m, wantU, kernel);
    },
    backward: async (kB, kA, wantU) => {
      if (!held || held.kA !== kA || held.kB !== kB) return canonicalCorrelations(await crossBasis(b, kB, a, kA, kernel), wantU, kernel);
      if (held.rho && held.v) return { rho: held.rho, u: wantU ? held.v : null };
      return canonicalCorrelations(transpose(held.m), wantU, kernel);
    },
  };
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
