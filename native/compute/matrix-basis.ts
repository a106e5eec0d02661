/**
 * The basis path of the matrix: each needed run's prepared basis (from the cache, else one decomposition, on the
 * worker pool when the job repays starting it), then the pair step of every missing ordered pair — in this process,
 * or on the pool in tiles of runs whose bases reach the workers as spool files.
 */
import { availableParallelism } from 'node:os';
import { validateCompareOptions, type CompareOptions } from '../measures/compare.js';
import type { PreparedBasis } from '../measures/types.js';
import type { ComputeCache } from './cache.js';
import { JOB_PAIRS, JOB_PREPARE, pairSimilarities, prepareLayerBasis, type PairsJobParams, type PrepareJobParams } from './jobs.js';
import type { MatrixContext, Normalized, PairsOutcome, Progress } from './matrix-request.js';
import { ComputePool } from './pool.js';
import { PRIORITY } from './protocol.js';
import { BasisSpool, isSpooled, type SpooledBasis } from './spool.js';

/** Estimated flops of pair work above which worker processes are started (a worker costs ~0.3–1 s to start). */
export const WORKER_THRESHOLD_FLOPS = 2e10;
/** Upper bound on the bases one pair tile loads into a worker (what it holds in memory for the tile). */
const MAX_TILE_BYTES = 512 * 1024 ** 2;

export interface BasisPairsInput {
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
  progress: Progress;
  checkCancel: () => void;
}

export async function basisPairs(input: BasisPairsInput): Promise<PairsOutcome> {
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
      conv: options.conv === 'dft' ? 'channels' : options.conv,
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
    if (options.conv === 'mean') return [shape[0]!, channels];
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
export type Basis = PreparedBasis | SpooledBasis;
