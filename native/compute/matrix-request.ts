/**
 * The matrix request, checked and normalised once (methods, conv modes, the compare options of the pair step), the
 * runs it covers, and the shapes every stage of the matrix shares (store, context, a path's outcome).
 */
import type { MatrixRequest, Method, RunInfo, StepRef } from '../domain/index.js';
import { METHODS } from '../domain/index.js';
import { UsageError } from '../errors.js';
import { BLAS_F32, type KernelChoice } from '../kernels/index.js';
import { validateCompareOptions, type BasisMethod, type CompareOptions } from '../measures/compare.js';
import { DEFAULT_EPSILON } from '../measures/prepare.js';
import type { CacheStore } from './cache.js';
import type { ComputePool } from './pool.js';

/** What the matrix needs from the workspace index (WorkspaceIndex satisfies it). */
export interface MatrixStore extends CacheStore {
  listRuns(): RunInfo[];
  resolveLayer(run: string, step: StepRef, layer: string): { spec: string; path: string; array: string | null; shape: readonly number[] };
}

export interface MatrixContext {
  onProgress?(done: number, total: number, label: string): void;
  signal?: AbortSignal;
  /**
   * Worker processes for decompositions and pair steps. 0: everything in this process. Default: one per core when
   * the job is big enough to repay starting them (see WORKER_THRESHOLD_FLOPS), else 0.
   */
  workers?: number;
  /** A pool to use instead of starting one (a long-lived host keeps one); it is not closed here. */
  pool?: ComputePool;
  /** Use the basis and result caches of the index (default true). */
  cache?: boolean;
}

export type Progress = (done: number, total: number, label: string) => void;

/** What a path (basis or raw layers) returns for the missing pairs, in their order. */
export interface PairsOutcome {
  similarities: Float64Array;
  decompositions: number;
  workers: number;
}

export interface Normalized {
  method: Method;
  /**
   * The kernel backend asked for (auto | cpu | gpu, or blas-f32 for `precision: 'f32'`); measures and decompositions
   * run their products there.
   */
  backend: KernelChoice;
  /** Options of the basis pair step (basis methods without reference compat). */
  compare: CompareOptions | null;
  conv: 'channels' | 'flatten' | 'dft' | 'mean';
  layout: 'nhwc' | 'nchw' | 'ntc';
  neuronsFirst: boolean;
  epsilon: number;
}

export function normalize(request: MatrixRequest): Normalized {
  const method = request.method;
  if (!METHODS.includes(method)) throw new UsageError(`unknown method '${String(method)}'; use one of ${METHODS.join('|')}`);
  if (typeof request.layer !== 'string' || request.layer === '') throw new UsageError('matrix needs a layer name (--layer L)');
  if (request.clusters !== undefined && request.cut !== undefined) throw new UsageError('give either --clusters K or --cut H, not both');
  const conv = request.conv ?? (method === 'dft-cca' ? 'dft' : 'channels');
  if (method === 'dft-cca' && conv !== 'dft') throw new UsageError(`--method dft-cca compares conv layers by frequency; --conv ${conv} does not apply`);
  if (conv === 'dft' && method === 'cka') throw new UsageError('--conv dft applies to the CCA family, not cka');
  const epsilon = request.epsilon ?? DEFAULT_EPSILON;
  if (request.precision === 'f32' && request.backend === 'gpu') throw new UsageError('--precision f32 runs on the CPU BLAS; it does not combine with --backend gpu');
  const backend: KernelChoice = request.precision === 'f32' ? BLAS_F32 : (request.backend ?? 'auto');
  let compare: CompareOptions | null = null;
  if (method !== 'dft-cca' && conv !== 'dft') {
    compare = {
      method: method as BasisMethod,
      ...(request.keep !== undefined ? { keep: request.keep } : {}),
      ...(request.dims !== undefined ? { dims: request.dims } : {}),
      ...(request.epsilon !== undefined ? { epsilon: request.epsilon } : {}),
      ...(request.pwccaCompat ? { pwccaCompat: request.pwccaCompat } : {}),
      backend,
    };
    validateCompareOptions(compare);
  }
  return { method, backend, compare, conv, layout: request.layout ?? 'nhwc', neuronsFirst: Boolean(request.neuronsFirst), epsilon };
}

/** The runs of the matrix: all indexed runs in index order, or the named ones in the order given. */
export function selectRuns(all: readonly RunInfo[], names: readonly string[] | undefined): RunInfo[] {
  if (!names) return [...all];
  const byName = new Map(all.map((r) => [r.name, r]));
  const seen = new Set<string>();
  return names.map((name) => {
    const run = byName.get(name);
    if (!run) throw new UsageError(`no run named "${name}" (runs: ${all.map((r) => r.name).join(', ') || 'none indexed'})`);
    if (seen.has(name)) throw new UsageError(`run "${name}" is listed twice`);
    seen.add(name);
    return run;
  });
}
