/**
 * All-pairs similarity of one layer at one checkpoint across runs ([Morcos2018-PWCCA] sec. 3.3, Figure 5: clusters
 * among many nets; sec. 3.1: generalizing vs memorizing nets), with average-linkage clustering and group statistics.
 *
 * matrix[i][j] = compare(run i's layer as A, run j's layer as B) — PWCCA rows carry run i's weights. The work:
 *   1. each run's layer → its prepared basis (measures/prepare.ts), once per (file content, parameters): from the
 *      basis cache in the workspace index, else computed (one decomposition) and stored;
 *   2. each ordered pair → the measure's pair step on two prepared bases (measures/compare.ts `compareBases`),
 *      from the result cache when the same question was asked before; a pair and its reverse share one M and one
 *      decomposition (jobs.ts `pairSimilarities`), the diagonal is 1;
 *   3. clustering (analyses/clustering.ts) and, with `groupBy`, within/between statistics (analyses/group-stats.ts).
 * N runs cost N decompositions and N·(N−1)/2 pair decompositions instead of N² full comparisons.
 *
 * Large jobs run on a pool of worker processes (one per core): decompositions one file per job, pair steps in tiles
 * of runs so each worker reads only the bases its tile needs, from spool files (spool.ts). `pwcca-compat reference`
 * and `dft-cca` work on the raw layers (no prepared basis exists for them) and run in this process.
 *
 * The stages live beside this file: matrix-request.ts (checks, runs), matrix-basis.ts (decompositions, pair tiles,
 * the pool), matrix-raw.ts (the raw-layer path); this file holds the cache keys, the assembly and the clustering.
 */
import { averageLinkageFromSimilarity } from '../analyses/clustering.js';
import { clustersAtHeight, clustersByCount } from '../analyses/flat-clusters.js';
import { groupStats, groupValue } from '../analyses/group-stats.js';
import type { MatrixRequest, MatrixResult, RunInfo, StepRef } from '../domain/index.js';
import { CancelledError, UsageError } from '../errors.js';
import { backendFieldsOf, backendInfo, BLAS_F32, type BackendFields, type BackendInfo } from '../kernels/index.js';
import { basisKey, ComputeCache, fingerprint, resultKey, type BasisParams, type LayerFingerprint } from './cache.js';
import { basisPairs, pairFlops } from './matrix-basis.js';
import { rawPairs } from './matrix-raw.js';
import { normalize, selectRuns, type MatrixContext, type MatrixStore, type Normalized } from './matrix-request.js';
import { isSpooled, readSpooledBlob } from './spool.js';

export { similarityMatrix, pairFlops, WORKER_THRESHOLD_FLOPS } from './matrix-basis.js';
export { selectRuns, type MatrixContext, type MatrixStore } from './matrix-request.js';

/** Extra fields of a matrix result beyond the contract's. */
export interface MatrixExtras {
  /** The kernel backend the products ran on (`backend` is its device class, as in compare). */
  kernel_backend: string;
  precision: string;
  backend_note?: string;
  step: StepRef;
  /** The array each run contributed (`file` or `file:array`), in `runs` order. */
  files: string[];
  /** Decompositions computed by this call (0 when every basis came from the cache). */
  decompositions: number;
  /** Ordered pairs whose pair step ran in this call. */
  pairs_computed: number;
  cache: { bases: { hits: number; misses: number }; pairs: { hits: number; misses: number }; matrix: boolean };
  workers: number;
  seconds: number;
}

/** Bump when a pair step's meaning changes, so cached similarities of an older build are not reused. */
const PAIR_FORMAT_VERSION = 1;

/** Everything fixed before any pair is computed: the question, its runs and their arrays, and the cache keys. */
export interface MatrixPlan {
  readonly request: MatrixRequest;
  readonly options: Normalized;
  readonly step: StepRef;
  readonly runs: RunInfo[];
  readonly arrays: ReturnType<MatrixStore['resolveLayer']>[];
  readonly kernel: BackendInfo;
  /** Each run's basis cache key (content fingerprint + parameters), in `runs` order. */
  readonly keys: string[];
  readonly fingerprints: LayerFingerprint[];
  /** Everything a pair's value depends on besides the two layers: in every pair and matrix cache key. */
  readonly pairParams: string;
}

export async function planMatrix(store: MatrixStore, request: MatrixRequest, ctx: MatrixContext = {}): Promise<MatrixPlan> {
  const options = normalize(request);
  const step: StepRef = request.step ?? 'final';
  const runs = selectRuns(store.listRuns(), request.runs);
  if (runs.length === 0) throw new UsageError('no runs to compare (the workspace has none indexed, or the filter matched none)');
  if (request.groupBy !== undefined) {
    const key = request.groupBy;
    if (!runs.some((r) => r.meta[key] !== undefined)) {
      throw new UsageError(`no run has "${key}" in its run.json; keys present: ${[...new Set(runs.flatMap((r) => Object.keys(r.meta)))].sort().join(', ') || 'none'}`);
    }
  }
  const arrays = runs.map((run) => store.resolveLayer(run.name, step, request.layer));
  // Where the products run, as `compare` reports it; a float32 backend gives other digits, so it is in every key.
  const kernel = await backendInfo(options.backend).catch((error: unknown) => {
    if (options.backend !== BLAS_F32) throw error;
    throw new UsageError(`--precision f32 needs the machine's BLAS (the blas-f32 kernel backend): ${(error as Error).message.replace(/^.*unavailable: /, '')}`);
  });
  const keys: string[] = [];
  const fingerprints: LayerFingerprint[] = [];
  for (let i = 0; i < runs.length; i++) {
    if (ctx.signal?.aborted) throw new CancelledError('matrix');
    ctx.onProgress?.(i, runs.length, 'reading file hashes');
    const fp = await fingerprint(store, arrays[i]!.path);
    fingerprints.push(fp);
    keys.push(basisKey(fp, basisParamsOf({ options, kernel, arrays }, i)));
  }
  const pairParams = JSON.stringify({
    v: PAIR_FORMAT_VERSION,
    kernel: kernel.name,
    method: options.method,
    compare: { ...options.compare, backend: undefined },
    conv: options.conv,
    epsilon: options.epsilon,
    keep: request.keep,
    dims: request.dims,
  });
  return { request, options, step, runs, arrays, kernel, keys, fingerprints, pairParams };
}

function basisParamsOf(plan: Pick<MatrixPlan, 'options' | 'kernel' | 'arrays'>, i: number): BasisParams {
  const { options, kernel, arrays } = plan;
  return { kernel: kernel.name, array: arrays[i]!.array, epsilon: options.epsilon, conv: options.conv, layout: options.layout, neuronsFirst: options.neuronsFirst };
}

/** What computing some of the matrix's ordered pairs did. */
export interface PairsComputed {
  /** One value per requested pair, in the order asked. */
  values: Float64Array;
  decompositions: number;
  pairsComputed: number;
  workers: number;
}

/**
 * The ordered pairs asked for (row i = A, column j = B): from the pair cache where the same question was answered
 * before, else computed (bases from the basis cache or one decomposition each) and stored in the cache.
 */
export async function computePairs(plan: MatrixPlan, pairs: ReadonlyArray<readonly [number, number]>, cache: ComputeCache, ctx: MatrixContext = {}): Promise<PairsComputed> {
  const { options, keys, fingerprints, arrays, pairParams } = plan;
  const checkCancel = (): void => {
    if (ctx.signal?.aborted) throw new CancelledError('matrix');
  };
  const progress = ctx.onProgress ?? (() => undefined);
  const values = new Float64Array(pairs.length).fill(Number.NaN);
  const pairKeys = pairs.map(([i, j]) => resultKey('pair', [keys[i]!, keys[j]!], pairParams));
  pairKeys.forEach((key, t) => {
    const hit = cache.getResult<{ similarity: number }>(key);
    if (hit && Number.isFinite(hit.similarity)) {
      values[t] = hit.similarity;
      cache.counters.pairHits++;
    } else {
      cache.counters.pairMisses++;
    }
  });
  const todo: number[] = [];
  values.forEach((v, t) => Number.isNaN(v) && todo.push(t));
  if (todo.length === 0) return { values, decompositions: 0, pairsComputed: 0, workers: 0 };

  const missing = todo.map((t) => [pairs[t]![0], pairs[t]![1]] as [number, number]);
  const needed = [...new Set(missing.flat())].sort((a, b) => a - b);
  const specs = arrays.map((a) => a.spec);
  const outcome = options.compare && !options.compare.pwccaCompat
    ? await basisPairs({
        specs,
        keys,
        store: (i, basis) =>
          isSpooled(basis)
            ? cache.putBasisBlob(keys[i]!, fingerprints[i]!, basisParamsOf(plan, i), basis.bytes, () => readSpooledBlob(basis))
            : cache.putBasis(keys[i]!, fingerprints[i]!, basisParamsOf(plan, i), basis),
        flops: pairFlops(arrays.map((a) => a.shape), options, missing),
        needed,
        missing,
        options,
        compare: options.compare,
        cache,
        ctx,
        progress,
        checkCancel,
      })
    : await rawPairs({ specs, needed, missing, options, request: plan.request, progress, checkCancel });
  todo.forEach((t, k) => {
    const v = outcome.similarities[k]!;
    values[t] = v;
    cache.putResult(pairKeys[t]!, [keys[pairs[t]![0]]!, keys[pairs[t]![1]]!], pairParams, { similarity: v });
  });
  return { values, decompositions: outcome.decompositions, pairsComputed: missing.length, workers: outcome.workers };
}

/** Every ordered pair of an n-run matrix, row by row. */
export function allPairs(n: number): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) pairs.push([i, j]);
  return pairs;
}

/** The parts of a result that do not come from the pairs: who ran, and what it cost. */
export interface MatrixRunFacts {
  runs: string[];
  /** Each run's value of `request.groupBy` (groupValue of its run.json), when grouping. */
  groupValues?: string[];
  files: string[];
  backend: BackendFields;
  decompositions: number;
  pairs_computed: number;
  cache: MatrixExtras['cache'];
  workers: number;
  seconds: number;
}

/** The matrix result from a complete matrix: clustering and group statistics are functions of the matrix alone. */
export function assembleMatrix(request: MatrixRequest, step: StepRef, matrix: number[][], facts: MatrixRunFacts): MatrixResult & MatrixExtras {
  const { linkage, order } = averageLinkageFromSimilarity(matrix);
  const result: MatrixResult & MatrixExtras = {
    runs: facts.runs,
    layer: request.layer,
    method: request.method,
    matrix,
    order,
    linkage,
    // As compare reports it: the device class, the kernel backend that ran, its precision.
    ...facts.backend,
    step,
    files: facts.files,
    decompositions: facts.decompositions,
    pairs_computed: facts.pairs_computed,
    cache: facts.cache,
    workers: facts.workers,
    seconds: facts.seconds,
  };
  if (request.clusters !== undefined || request.cut !== undefined) {
    const byCount = request.clusters !== undefined;
    const flat = byCount ? clustersByCount(linkage, order, request.clusters!) : clustersAtHeight(linkage, order, request.cut!);
    result.clusters = {
      by: byCount ? 'count' : 'height',
      value: byCount ? request.clusters! : request.cut!,
      height: Number.isFinite(flat.height) ? flat.height : 0,
      assignment: flat.assignment,
      members: flat.members.map((m) => m.map((i) => facts.runs[i]!)),
    };
  }
  if (request.groupBy !== undefined && facts.groupValues) result.stats = groupStats(facts.runs, facts.groupValues, matrix, request.groupBy);
  return result;
}

/** The group value of each run for `request.groupBy`, or undefined when not grouping. */
export function groupValuesOf(plan: MatrixPlan): string[] | undefined {
  const key = plan.request.groupBy;
  return key === undefined ? undefined : plan.runs.map((r) => groupValue(r.meta, key));
}

export async function runMatrix(store: MatrixStore, request: MatrixRequest, ctx: MatrixContext = {}): Promise<MatrixResult & MatrixExtras> {
  const startedAt = performance.now();
  const plan = await planMatrix(store, request, ctx);
  const n = plan.runs.length;
  const cache = new ComputeCache(store, ctx.cache ?? true);
  // Whole-matrix cache first: a repeated question reads one row.
  const matrixKey = resultKey('matrix', plan.keys, plan.pairParams);
  let matrix = cache.getResult<number[][]>(matrixKey) ?? null;
  let computed: PairsComputed = { values: new Float64Array(0), decompositions: 0, pairsComputed: 0, workers: 0 };
  if (matrix) {
    cache.counters.matrixHit = true;
  } else {
    computed = await computePairs(plan, allPairs(n), cache, ctx);
    matrix = Array.from({ length: n }, (_, i) => Array.from(computed.values.subarray(i * n, (i + 1) * n)));
    cache.putResult(matrixKey, plan.keys, plan.pairParams, matrix);
  }
  return assembleMatrix(request, plan.step, matrix, {
    runs: plan.runs.map((r) => r.name),
    ...(plan.request.groupBy !== undefined ? { groupValues: groupValuesOf(plan)! } : {}),
    files: plan.arrays.map((a) => a.spec),
    backend: backendFieldsOf(plan.options.backend, plan.kernel),
    decompositions: computed.decompositions,
    pairs_computed: computed.pairsComputed,
    cache: cacheFacts(cache),
    workers: computed.workers,
    seconds: (performance.now() - startedAt) / 1000,
  });
}

export function cacheFacts(cache: ComputeCache): MatrixExtras['cache'] {
  return {
    bases: { hits: cache.counters.basisHits, misses: cache.counters.basisMisses },
    pairs: { hits: cache.counters.pairHits, misses: cache.counters.pairMisses },
    matrix: cache.counters.matrixHit,
  };
}
