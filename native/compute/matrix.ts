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
 */
import { availableParallelism } from 'node:os';
import { averageLinkageFromSimilarity } from '../analyses/clustering.js';
import { groupStats, groupValue } from '../analyses/group-stats.js';
import type { MatrixRequest, MatrixResult, Method, RunInfo, StepRef } from '../domain/index.js';
import { checkMeasureChoice, METHODS } from '../domain/index.js';
import { CancelledError, InputError, UsageError } from '../errors.js';
import { backendInfo, BLAS_F32, type KernelChoice } from '../kernels/index.js';

import { asDense, loadLayer, type LayerData } from '../layers/index.js';
import { compareMatrices, validateCompareOptions, type BasisMethod, type CompareOptions } from '../measures/compare.js';
import { dftCca } from '../measures/dft-cca.js';
import { DEFAULT_EPSILON } from '../measures/prepare.js';
import type { PreparedBasis } from '../measures/types.js';
import { basisKey, ComputeCache, fingerprint, resultKey, type BasisParams, type CacheStore, type LayerFingerprint } from './cache.js';
import { JOB_PAIRS, JOB_PREPARE, pairSimilarities, prepareLayerBasis, similarityOf, type PairsJobParams, type PrepareJobParams } from './jobs.js';
import { ComputePool } from './pool.js';
import { BasisSpool, isSpooled, readSpooledBlob, type SpooledBasis } from './spool.js';
import { PRIORITY } from './protocol.js';

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

/** Estimated flops of pair work above which worker processes are started (a worker costs ~0.3–1 s to start). */
export const WORKER_THRESHOLD_FLOPS = 2e10;
/** Upper bound on the bases one pair tile loads into a worker (what it holds in memory for the tile). */
const MAX_TILE_BYTES = 512 * 1024 ** 2;
/** Bump when a pair step's meaning changes, so cached similarities of an older build are not reused. */
const PAIR_FORMAT_VERSION = 1;

interface Normalized {
  method: Method;
  /**
   * The kernel backend asked for (auto | cpu | gpu, or blas-f32 for `precision: 'f32'`); measures and decompositions
   * run their products there.
   */
  backend: KernelChoice;
  /** Options of the basis pair step (basis methods without reference compat). */
  compare: CompareOptions | null;
  conv: 'channels' | 'flatten' | 'dft';
  layout: 'nhwc' | 'nchw';
  neuronsFirst: boolean;
  epsilon: number;
}

function normalize(request: MatrixRequest): Normalized {
  const method = request.method;
  if (!METHODS.includes(method)) throw new UsageError(`unknown method '${String(method)}'; use one of ${METHODS.join('|')}`);
  if (typeof request.layer !== 'string' || request.layer === '') throw new UsageError('matrix needs a layer name (--layer L)');
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
  const kernel = await backendInfo(options.backend).catch((error: unknown) => {
    if (options.backend !== BLAS_F32) throw error;
    throw new UsageError(`--precision f32 needs the machine's BLAS (the blas-f32 kernel backend): ${(error as Error).message.replace(/^.*unavailable: /, '')}`);
  });
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
    backend: kernel.device,
    kernel_backend: kernel.label,
    precision: kernel.precision,
    ...(options.backend === 'gpu' && kernel.device !== 'gpu' ? { backend_note: `no GPU kernel backend is available here; ran on ${kernel.name} (${kernel.precision})` } : {}),
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

// ---- the basis path ---------------------------------------------------------------------------------------------

interface BasisPairsInput {
  specs: string[];
  keys: string[];
  /** Keep a freshly computed basis (the cache). */
  store(i: number, basis: Basis): void;
  /** Estimated pair work, for deciding whether workers pay. */
  flops: number;
  needed: number[];
  missing: Array<[number, number]>;
  options: Normalized;
  compare: CompareOptions;
  cache: ComputeCache;
  ctx: MatrixContext;
  progress: (done: number, total: number, label: string) => void;
  checkCancel: () => void;
}

interface PairsOutcome {
  similarities: Float64Array;
  decompositions: number;
  workers: number;
}

async function basisPairs(input: BasisPairsInput): Promise<PairsOutcome> {
  const { specs, keys, needed, missing, options, cache, ctx, progress, checkCancel } = input;
  const keep = input.store;
  const bases = new Map<number, Basis>();
  for (const i of needed) {
    const cached = cache.getBasis(keys[i]!);
    if (cached) bases.set(i, cached);
  }
  const toPrepare = needed.filter((i) => !bases.has(i));

  const wantWorkers = ctx.pool ? ctx.pool.size : ctx.workers ?? (input.flops > WORKER_THRESHOLD_FLOPS ? availableParallelism() : 0);
  const ownPool = !ctx.pool && wantWorkers > 1 ? new ComputePool({ size: wantWorkers }) : null;
  const pool = ctx.pool ?? ownPool;
  // Workers write their bases here and answer with paths: this process holds no basis it computed on a worker.
  const spool = new BasisSpool();
  try {
    const prepareParams = (i: number): PrepareJobParams => ({
      spec: specs[i]!,
      epsilon: options.epsilon,
      conv: options.conv === 'flatten' ? 'flatten' : 'channels',
      layout: options.layout,
      neuronsFirst: options.neuronsFirst,
      backend: options.backend,
    });
    let prepared = 0;
    const total = toPrepare.length;
    const store = (i: number, basis: Basis): void => {
      bases.set(i, basis);
      keep(i, basis);
      progress(++prepared, total, 'decompositions');
    };
    if (pool) {
      await Promise.all(
        toPrepare.map(async (i) => {
          const params = { ...prepareParams(i), spoolTo: spool.reserve() };
          store(i, await pool.run<SpooledBasis>(JOB_PREPARE, params, { priority: PRIORITY.normal, ...(ctx.signal ? { signal: ctx.signal } : {}) }));
        }),
      );
    } else {
      for (const i of toPrepare) {
        checkCancel();
        store(i, await prepareLayerBasis(prepareParams(i)));
      }
    }
    checkCancel();

    const similarities = pool
      ? await pooledPairs(pool, bases, missing, input.compare, ctx, progress, spool)
      : await localPairs(bases, missing, input.compare, ctx, progress);
    return { similarities, decompositions: toPrepare.length, workers: pool ? pool.size : 0 };
  } finally {
    await ownPool?.close();
    await spool.dispose();
  }
}

/**
 * Pair work in flops from the arrays' header shapes (k ≤ neurons): 2·m·nA·nB for Q_AᵀQ_B plus ~10·n³ for the small
 * decompositions of each pair. Decides whether starting workers pays.
 */
export function pairFlops(shapes: ReadonlyArray<readonly number[]>, options: Pick<Normalized, 'conv' | 'neuronsFirst' | 'layout'>, missing: ReadonlyArray<readonly [number, number]>): number {
  const dims = shapes.map((shape) => {
    if (shape.length === 2) return options.neuronsFirst ? [shape[1]!, shape[0]!] : [shape[0]!, shape[1]!];
    const size = shape.slice(1).reduce((a, b) => a * b, 1);
    const channels = options.layout === 'nchw' ? shape[1]! : shape[shape.length - 1]!;
    const positions = size / channels;
    return options.conv === 'flatten' ? [shape[0]!, positions * channels] : [shape[0]! * positions, channels];
  });
  let flops = 0;
  for (const [i, j] of missing) {
    const [m, a] = dims[i]!;
    const b = dims[j]![1]!;
    flops += 2 * m! * a! * b + 10 * Math.max(a!, b) ** 3;
  }
  return flops;
}

/**
 * Every ordered pair of prepared bases, row = A (the pair half of runMatrix, for callers that hold bases already:
 * the bench, analyses over synthetic layers). On `ctx.pool` when given, else in this process.
 */
export async function similarityMatrix(
  bases: readonly Basis[],
  compare: CompareOptions,
  ctx: Pick<MatrixContext, 'pool' | 'signal' | 'onProgress'> = {},
): Promise<number[][]> {
  validateCompareOptions(compare);
  const n = bases.length;
  const byIndex = new Map(bases.map((b, i) => [i, b]));
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) pairs.push([i, j]);
  const progress = ctx.onProgress ?? (() => undefined);
  const spool = new BasisSpool();
  try {
    const values = ctx.pool
      ? await pooledPairs(ctx.pool, byIndex, pairs, compare, ctx, progress, spool)
      : await localPairs(byIndex, pairs, compare, ctx, progress);
    return Array.from({ length: n }, (_, i) => Array.from(values.subarray(i * n, (i + 1) * n)));
  } finally {
    await spool.dispose();
  }
}

async function localPairs(
  bases: Map<number, Basis>,
  missing: Array<[number, number]>,
  compare: CompareOptions,
  ctx: Pick<MatrixContext, 'signal'>,
  progress: (done: number, total: number, label: string) => void,
): Promise<Float64Array> {
  const index = [...bases.keys()];
  const local = new Map(index.map((run, k) => [run, k]));
  const pairs = Int32Array.from(missing.flatMap(([i, j]) => [local.get(i)!, local.get(j)!]));
  const signal = ctx.signal ?? new AbortController().signal;
  return pairSimilarities({ bases: index.map((i) => bases.get(i)!), pairs, options: compare }, { signal, progress: (done, total) => progress(done, total, 'pairs') });
}

/**
 * Tiles of runs: blocks I ≤ J of the run indices, each job computing the missing ordered pairs between I and J (both
 * directions) with only the bases of I ∪ J. Blocks are small enough that one tile's bases stay under MAX_TILE_BYTES
 * and numerous enough to keep every worker busy.
 */
async function pooledPairs(
  pool: ComputePool,
  bases: Map<number, Basis>,
  missing: Array<[number, number]>,
  compare: CompareOptions,
  ctx: Pick<MatrixContext, 'signal'>,
  progress: (done: number, total: number, label: string) => void,
  spool: BasisSpool,
): Promise<Float64Array> {
  const runs = [...bases.keys()].sort((a, b) => a - b);
  const bytes = runs.reduce((s, i) => s + basisBytes(bases.get(i)!), 0) / Math.max(1, runs.length);
  const byBytes = Math.ceil((2 * runs.length * bytes) / MAX_TILE_BYTES);
  const blocks = Math.min(runs.length, Math.max(byBytes, Math.ceil(Math.sqrt(4 * pool.size)), 1));
  const blockOf = new Map(runs.map((run, k) => [run, Math.floor((k * blocks) / runs.length)]));

  const tiles = new Map<string, number[]>(); // "I,J" (I ≤ J) → indices into `missing`
  missing.forEach(([i, j], t) => {
    const bi = blockOf.get(i)!;
    const bj = blockOf.get(j)!;
    const key = bi <= bj ? `${bi},${bj}` : `${bj},${bi}`;
    (tiles.get(key) ?? tiles.set(key, []).get(key)!).push(t);
  });

  const out = new Float64Array(missing.length);
  let done = 0;
  const total = missing.length;
  // Bases reach the workers as files (spool.ts), each written once (unless a worker wrote it), just before the first
  // tile that needs it: as many tiles are in flight as there are workers, so the spool's copies never pile up.
  const queue = [...tiles.values()].sort((x, y) => y.length - x.length); // largest first: the last ones even out
  const runTile = async (members: number[]): Promise<void> => {
    const involved = [...new Set(members.flatMap((t) => missing[t]!))].sort((a, b) => a - b);
    const local = new Map(involved.map((run, k) => [run, k]));
    const params: PairsJobParams = {
      bases: await Promise.all(involved.map((i) => spool.entry(bases.get(i)!))),
      pairs: Int32Array.from(members.flatMap((t) => [local.get(missing[t]![0])!, local.get(missing[t]![1])!])),
      options: compare,
    };
    let reported = 0;
    const values = await pool.run<Float64Array>(JOB_PAIRS, params, {
      priority: PRIORITY.normal,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProgress: (d) => {
        done += d - reported;
        reported = d;
        progress(done, total, 'pairs');
      },
    });
    members.forEach((t, k) => (out[t] = values[k]!));
  };
  try {
    await Promise.all(
      Array.from({ length: pool.size }, async () => {
        for (let members = queue.shift(); members; members = queue.shift()) await runTile(members);
      }),
    );
  } finally {
    queue.length = 0; // a failed tile stops the others after their current one
  }
  return out;
}

function basisBytes(b: Basis): number {
  return isSpooled(b) ? b.bytes : b.basis.byteLength + b.coordinates.byteLength;
}

/** A basis in memory, or where a worker (or this process) spooled it. */
type Basis = PreparedBasis | SpooledBasis;

// ---- the raw-layer path: pwcca-compat reference and dft-cca -----------------------------------------------------

interface RawPairsInput {
  specs: string[];
  needed: number[];
  missing: Array<[number, number]>;
  options: Normalized;
  request: MatrixRequest;
  progress: (done: number, total: number, label: string) => void;
  checkCancel: () => void;
}

async function rawPairs(input: RawPairsInput): Promise<PairsOutcome> {
  const { specs, needed, missing, options, request, progress, checkCancel } = input;
  const layers = new Map<number, LayerData>();
  for (const i of needed) {
    checkCancel();
    layers.set(i, await loadLayer(specs[i]!, { layout: options.layout, ...(options.neuronsFirst ? { neuronsFirst: true } : {}) }));
  }
  const out = new Float64Array(missing.length);
  for (let t = 0; t < missing.length; t++) {
    checkCancel();
    const [i, j] = missing[t]!;
    const a = layers.get(i)!;
    const b = layers.get(j)!;
    if (options.compare) {
      const conv = options.conv === 'flatten' ? 'flatten' : 'channels';
      out[t] = similarityOf(await compareMatrices(asDense(a, conv), asDense(b, conv), { ...options.compare, refA: a.ref, refB: b.ref }));
    } else {
      const measure = request.method === 'dft-cca' ? 'cca' : (request.method as 'cca' | 'svcca' | 'pwcca');
      checkMeasureChoice({ method: request.method, conv: 'dft' });
      out[t] = (
        await dftCca(convLayer(a), convLayer(b), {
          method: measure,
          epsilon: options.epsilon,
          ...(request.keep !== undefined ? { keep: request.keep } : {}),
          ...(request.dims !== undefined ? { dims: request.dims } : {}),
          backend: options.backend,
        })
      ).similarity;
    }
    progress(t + 1, missing.length, 'pairs');
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { similarities: out, decompositions: 0, workers: 0 };
}

function convLayer(layer: LayerData): { ref: string; datapoints: number; height: number; width: number; channels: number; data: Float64Array } {
  if (!layer.spatial) throw new InputError(layer.ref, 'is a dense layer; dft-cca compares conv layers (datapoints, h, w, channels)');
  const [height, width] = layer.spatial;
  return { ref: layer.ref, datapoints: layer.datapoints, height, width, channels: layer.channels, data: layer.data };
}
