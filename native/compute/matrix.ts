/**
 * All-pairs similarity of one layer at one checkpoint across runs (003_*.txt sec. 3.3, Figure 5: clusters among many
 * nets; sec. 3.1: generalizing vs memorizing nets), with average-linkage clustering and group statistics.
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
import type { MatrixRequest, MatrixResult, StepRef } from '../domain/index.js';
import { CancelledError, UsageError } from '../errors.js';
import { backendFieldsOf, backendInfo } from '../kernels/index.js';
import { basisKey, ComputeCache, fingerprint, resultKey, type BasisParams, type LayerFingerprint } from './cache.js';
import { basisPairs, pairFlops } from './matrix-basis.js';
import { rawPairs } from './matrix-raw.js';
import { normalize, selectRuns, type MatrixContext, type MatrixStore } from './matrix-request.js';
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

export async function runMatrix(store: MatrixStore, request: MatrixRequest, ctx: MatrixContext = {}): Promise<MatrixResult & MatrixExtras> {
  const startedAt = performance.now();
  const options = normalize(request);
  const step: StepRef = request.step ?? 'final';
  const runs = selectRuns(store.listRuns(), request.runs);
  if (runs.length === 0) throw new UsageError('no runs to compare (the workspace has none indexed, or the filter matched none)');
  const n = runs.length;
  const checkCancel = (): void => {
    if (ctx.signal?.aborted) throw new CancelledError('matrix');
  };
  const progress = ctx.onProgress ?? (() => undefined);

  const arrays = runs.map((run) => store.resolveLayer(run.name, step, request.layer));
  const cache = new ComputeCache(store, ctx.cache ?? true);
  // Where the products run, as `compare` reports it; a float32 backend gives other digits, so it is in every key.
  const kernel = await backendInfo(options.backend);
  const basisParams: BasisParams = {
    kernel: kernel.name,
    array: null,
    epsilon: options.epsilon,
    conv: options.conv,
    layout: options.layout,
    neuronsFirst: options.neuronsFirst,
  };
  const keys: string[] = [];
  const fingerprints: LayerFingerprint[] = [];
  const paramsOf = (i: number): BasisParams => ({ ...basisParams, array: arrays[i]!.array });
  for (let i = 0; i < n; i++) {
    checkCancel();
    progress(i, n, 'reading file hashes');
    const fp = await fingerprint(store, arrays[i]!.path);
    fingerprints.push(fp);
    keys.push(basisKey(fp, paramsOf(i)));
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

  // Whole-matrix cache first: a repeated question reads one row.
  const matrixKey = resultKey('matrix', keys, pairParams);
  let matrix = cache.getResult<number[][]>(matrixKey) ?? null;
  let decompositions = 0;
  let pairsComputed = 0;
  let workers = 0;
  if (matrix) {
    cache.counters.matrixHit = true;
  } else {
    const values = new Float64Array(n * n).fill(Number.NaN);
    const pairKeys = new Array<string>(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const key = resultKey('pair', [keys[i]!, keys[j]!], pairParams);
        pairKeys[i * n + j] = key;
        const hit = cache.getResult<{ similarity: number }>(key);
        if (hit && Number.isFinite(hit.similarity)) {
          values[i * n + j] = hit.similarity;
          cache.counters.pairHits++;
        } else {
          cache.counters.pairMisses++;
        }
      }
    }
    const missing: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (Number.isNaN(values[i * n + j]!)) missing.push([i, j]);

    if (missing.length > 0) {
      const needed = [...new Set(missing.flat())].sort((a, b) => a - b);
      const specs = arrays.map((a) => a.spec);
      const outcome = options.compare && !options.compare.pwccaCompat
        ? await basisPairs({
            specs,
            keys,
            store: (i, basis) =>
              isSpooled(basis)
                ? cache.putBasisBlob(keys[i]!, fingerprints[i]!, paramsOf(i), basis.bytes, () => readSpooledBlob(basis))
                : cache.putBasis(keys[i]!, fingerprints[i]!, paramsOf(i), basis),
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
        : await rawPairs({ specs, needed, missing, options, request, progress, checkCancel });
      decompositions = outcome.decompositions;
      workers = outcome.workers;
      missing.forEach(([i, j], t) => {
        const v = outcome.similarities[t]!;
        values[i * n + j] = v;
        cache.putResult(pairKeys[i * n + j]!, [keys[i]!, keys[j]!], pairParams, { similarity: v });
      });
      pairsComputed = missing.length;
    }
    matrix = Array.from({ length: n }, (_, i) => Array.from(values.subarray(i * n, (i + 1) * n)));
    cache.putResult(matrixKey, keys, pairParams, matrix);
  }

  const names = runs.map((r) => r.name);
  const { linkage, order } = averageLinkageFromSimilarity(matrix);
  const result: MatrixResult & MatrixExtras = {
    runs: names,
    layer: request.layer,
    method: options.method,
    matrix,
    order,
    linkage,
    // As compare reports it: the device class, the kernel backend that ran, its precision.
    ...backendFieldsOf(options.backend ?? 'auto', kernel),
    step,
    files: arrays.map((a) => a.spec),
    decompositions,
    pairs_computed: pairsComputed,
    cache: {
      bases: { hits: cache.counters.basisHits, misses: cache.counters.basisMisses },
      pairs: { hits: cache.counters.pairHits, misses: cache.counters.pairMisses },
      matrix: cache.counters.matrixHit,
    },
    workers,
    seconds: 0,
  };
  if (request.clusters !== undefined || request.cut !== undefined) {
    const byCount = request.clusters !== undefined;
    const flat = byCount ? clustersByCount(linkage, order, request.clusters!) : clustersAtHeight(linkage, order, request.cut!);
    result.clusters = {
      by: byCount ? 'count' : 'height',
      value: byCount ? request.clusters! : request.cut!,
      height: Number.isFinite(flat.height) ? flat.height : 0,
      assignment: flat.assignment,
      members: flat.members.map((m) => m.map((i) => names[i]!)),
    };
  }
  if (request.groupBy !== undefined) {
    const key = request.groupBy;
    if (!runs.some((r) => r.meta[key] !== undefined)) {
      throw new UsageError(`no run has "${key}" in its run.json; keys present: ${[...new Set(runs.flatMap((r) => Object.keys(r.meta)))].sort().join(', ') || 'none'}`);
    }
    result.stats = groupStats(names, runs.map((r) => groupValue(r.meta, key)), matrix, key);
  }
  result.seconds = (performance.now() - startedAt) / 1000;
  return result;
}
