/**
 * All-pairs past one machine: `matrix --shard K/N` computes a deterministic 1/N of the pair tiles into a part file,
 * and `merge` assembles the parts into exactly the result the unsharded `matrix` gives (docs/scale.md).
 *
 * Tiles: the runs are cut into B contiguous blocks and a tile is a block pair I ≤ J holding every ordered pair
 * between them (both directions, so a symmetric measure still decomposes a pair once). Tiles go to shards by
 * estimated work, largest first onto the least-loaded shard (ties by index), so every shard computes the same
 * assignment from the request and the arrays' header shapes alone, with no coordination. A shard decomposes each
 * basis its tiles need once and keeps it in its own index's cache, as `matrix` does.
 *
 * A part names its question (workspace, layer, method, step, parameters, runs and each layer file's content key);
 * `merge` refuses a missing, duplicated or mismatched part with one line naming it.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as v from 'valibot';
import { MatrixRequestSchema, type MatrixRequest, type MatrixResult } from '../domain/index.js';
import { InputError, UsageError } from '../errors.js';
import { backendFieldsOf } from '../kernels/index.js';
import { ComputeCache } from './cache.js';
import { assembleMatrix, cacheFacts, computePairs, groupValuesOf, planMatrix, type MatrixExtras, type MatrixPlan } from './matrix.js';
import { pairFlops } from './matrix-basis.js';
import type { MatrixContext, MatrixStore } from './matrix-request.js';

export const PART_FORMAT = 'svcca-studio/matrix-part';
export const PART_VERSION = 1;

/** One shard of N, 1-based as Slurm array indices and `--shard K/N` are. */
export interface ShardSpec {
  readonly shard: number;
  readonly shards: number;
}

/** `K/N` → {shard: K, shards: N}, with 1 ≤ K ≤ N. */
export function parseShard(text: string): ShardSpec {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const shard = match ? Number(match[1]) : NaN;
  const shards = match ? Number(match[2]) : NaN;
  if (!match || !(shards >= 1) || !(shard >= 1 && shard <= shards)) throw new UsageError(`--shard must be K/N with 1 ≤ K ≤ N (e.g. 2/7), got '${text}'`);
  return { shard, shards };
}

/** The block pairs (I ≤ J) of n runs cut into enough blocks that N shards each get several tiles. */
export function pairTiles(n: number, shards: number): Array<Array<[number, number]>> {
  const blocks = Math.min(n, Math.max(1, Math.ceil(Math.sqrt(8 * shards))));
  const blockOf = (k: number): number => Math.floor((k * blocks) / n);
  const tiles = new Map<string, Array<[number, number]>>();
  for (let I = 0; I < blocks; I++) for (let J = I; J < blocks; J++) tiles.set(`${I},${J}`, []);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const [bi, bj] = [blockOf(i), blockOf(j)];
      tiles.get(bi <= bj ? `${bi},${bj}` : `${bj},${bi}`)!.push([i, j]);
    }
  }
  return [...tiles.values()].filter((t) => t.length > 0);
}

/** Each shard's ordered pairs: tiles by estimated work, largest first onto the least-loaded shard. */
export function assignTiles(tiles: ReadonlyArray<ReadonlyArray<readonly [number, number]>>, work: (tile: ReadonlyArray<readonly [number, number]>) => number, shards: number): Array<Array<[number, number]>> {
  const order = tiles.map((tile, index) => ({ tile, index, work: work(tile) })).sort((x, y) => y.work - x.work || x.index - y.index);
  const load = new Array<number>(shards).fill(0);
  const out = Array.from({ length: shards }, () => [] as Array<[number, number]>);
  for (const { tile, work: w } of order) {
    let best = 0;
    for (let s = 1; s < shards; s++) if (load[s]! < load[best]!) best = s;
    load[best]! += w;
    for (const [i, j] of tile) out[best]!.push([i, j]);
  }
  for (const pairs of out) pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  return out;
}

/** The pairs shard K of N computes for this plan (a function of the request and the header shapes only). */
export function shardPairs(plan: MatrixPlan, spec: ShardSpec): Array<[number, number]> {
  const shapes = plan.arrays.map((a) => a.shape);
  // A tile's diagonal pairs cost nothing (the measure's value against itself); a floor keeps empty-work tiles spread.
  const work = (tile: ReadonlyArray<readonly [number, number]>): number => pairFlops(shapes, plan.options, tile.filter(([i, j]) => i !== j)) + tile.length;
  return assignTiles(pairTiles(plan.runs.length, spec.shards), work, spec.shards)[spec.shard - 1]!;
}

const FiniteNumber = v.pipe(v.number(), v.finite());
const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

/** What a part's result depends on: two parts merge only when these agree field by field. */
const QuestionSchema = v.strictObject({
  workspace: v.string(),
  request: MatrixRequestSchema,
  runs: v.array(v.string()),
  /** Each run's layer file content key (fingerprint + parameters): catches a file changed between shards. */
  keys: v.array(v.string()),
  pair_params: v.string(),
});
type Question = v.InferOutput<typeof QuestionSchema>;

const CacheFactsSchema = v.strictObject({
  bases: v.strictObject({ hits: Count, misses: Count }),
  pairs: v.strictObject({ hits: Count, misses: Count }),
  matrix: v.boolean(),
});

export const MatrixPartSchema = v.strictObject({
  format: v.literal(PART_FORMAT),
  version: v.literal(PART_VERSION),
  shard: v.pipe(Count, v.minValue(1)),
  shards: v.pipe(Count, v.minValue(1)),
  question: QuestionSchema,
  /** sha256 of the question, for a quick look (merge compares the fields themselves). */
  question_id: v.string(),
  step: v.union([v.literal('final'), v.literal('last'), Count]),
  group_values: v.optional(v.array(v.string())),
  files: v.array(v.string()),
  backend: v.strictObject({ backend: v.picklist(['cpu', 'gpu']), kernel_backend: v.string(), precision: v.picklist(['f64', 'f32']), backend_note: v.optional(v.string()) }),
  /** [row i, column j, similarity] for every ordered pair of this shard. */
  pairs: v.array(v.tuple([Count, Count, FiniteNumber])),
  decompositions: Count,
  pairs_computed: Count,
  cache: CacheFactsSchema,
  workers: Count,
  seconds: FiniteNumber,
});
export type MatrixPart = v.InferOutput<typeof MatrixPartSchema>;

function questionId(question: Question): string {
  return createHash('sha256').update(JSON.stringify(question)).digest('hex');
}

/** Computes shard K of N and returns its part (write it with writePart). */
export async function runMatrixShard(store: MatrixStore & { readonly root: string }, request: MatrixRequest, spec: ShardSpec, ctx: MatrixContext = {}): Promise<MatrixPart> {
  const startedAt = performance.now();
  const plan = await planMatrix(store, request, ctx);
  const pairs = shardPairs(plan, spec);
  const cache = new ComputeCache(store, ctx.cache ?? true);
  const computed = await computePairs(plan, pairs, cache, ctx);
  const question: Question = {
    workspace: store.root,
    request: canonicalRequest(plan),
    runs: plan.runs.map((r) => r.name),
    keys: plan.keys,
    pair_params: plan.pairParams,
  };
  const groupValues = groupValuesOf(plan);
  return {
    format: PART_FORMAT,
    version: PART_VERSION,
    shard: spec.shard,
    shards: spec.shards,
    question,
    question_id: questionId(question),
    step: plan.step,
    ...(groupValues ? { group_values: groupValues } : {}),
    files: plan.arrays.map((a) => a.spec),
    backend: backendFieldsOf(plan.options.backend, plan.kernel),
    pairs: pairs.map(([i, j], t) => [i, j, computed.values[t]!] as [number, number, number]),
    decompositions: computed.decompositions,
    pairs_computed: computed.pairsComputed,
    cache: cacheFacts(cache),
    workers: computed.workers,
    seconds: (performance.now() - startedAt) / 1000,
  };
}

/** The request as every shard states it: runs spelled out (a regex or "all" resolved to names), defaults filled. */
function canonicalRequest(plan: MatrixPlan): MatrixRequest {
  return { ...plan.request, runs: plan.runs.map((r) => r.name), step: plan.step };
}


/** Writes a part atomically: a shard killed mid-way leaves no part behind, only its cached work. */
export function writePart(path: string, part: MatrixPart): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(part)}\n`);
  renameSync(temporary, path);
}

/** Reads and checks one part file; any problem is one line naming the file. */
export function readPart(path: string): MatrixPart {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputError(path, 'is not JSON: not a matrix part (write one with `svcca-studio matrix … --shard K/N --out PART.json`)');
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (format !== PART_FORMAT) throw new InputError(path, `is not a matrix part (format ${JSON.stringify(format ?? null)}, expected "${PART_FORMAT}")`);
  const parsed = v.safeParse(MatrixPartSchema, json);
  if (!parsed.success) {
    const issue = parsed.issues[0]!;
    const where = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    throw new InputError(path, `is a damaged matrix part: ${where ? `${where}: ` : ''}${issue.message}`);
  }
  return parsed.output;
}

/** The first field two questions differ in, in words. */
function questionDifference(a: Question, b: Question): string | null {
  if (a.workspace !== b.workspace) return `was computed on workspace ${b.workspace}, the others on ${a.workspace}`;
  if (a.request.layer !== b.request.layer) return `is for layer ${b.request.layer}, the others for ${a.request.layer}`;
  if (a.request.method !== b.request.method) return `is for method ${b.request.method}, the others for ${a.request.method}`;
  if (JSON.stringify(a.request.step) !== JSON.stringify(b.request.step)) return `is for step ${String(b.request.step)}, the others for ${String(a.request.step)}`;
  if (JSON.stringify(a.runs) !== JSON.stringify(b.runs)) return `covers other runs (${b.runs.length}: ${b.runs.slice(0, 3).join(', ')}…) than the others (${a.runs.length}: ${a.runs.slice(0, 3).join(', ')}…)`;
  if (JSON.stringify(a.request) !== JSON.stringify(b.request) || a.pair_params !== b.pair_params) return 'was computed with other parameters (keep, dims, epsilon, conv, layout, group-by or kernel backend) than the others';
  const changed = a.keys.findIndex((key, i) => key !== b.keys[i]);
  if (changed !== -1) return `saw other contents of ${a.runs[changed]}'s layer file than the others did (the file changed between shards: rerun them)`;
  return null;
}

/** The parts of one sharded matrix → the unsharded `matrix` result, or one line naming the part that is wrong. */
export function mergeParts(paths: readonly string[]): MatrixResult & MatrixExtras {
  if (paths.length === 0) throw new UsageError('merge needs the part files: svcca-studio merge PART.json…');
  const startedAt = performance.now();
  const parts = paths.map((path) => ({ path, part: readPart(path) }));
  const first = parts[0]!;
  const shards = first.part.shards;
  const byShard = new Map<number, string>();
  for (const { path, part } of parts) {
    const difference = questionDifference(first.part.question, part.question);
    if (difference) throw new InputError(path, `${difference}; it belongs to another matrix than ${first.path}`);
    if (part.shards !== shards) throw new InputError(path, `is shard ${part.shard}/${part.shards}, but ${first.path} is one of ${shards} shards`);
    const seen = byShard.get(part.shard);
    if (seen !== undefined) throw new InputError(path, `is shard ${part.shard}/${shards} again (also ${seen}); give each shard once`);
    byShard.set(part.shard, path);
  }
  const absent = Array.from({ length: shards }, (_, k) => k + 1).filter((k) => !byShard.has(k));
  if (absent.length > 0) {
    throw new UsageError(`missing shard${absent.length > 1 ? 's' : ''} ${absent.map((k) => `${k}/${shards}`).join(', ')} of the matrix in ${first.path}: run \`svcca-studio matrix … --shard ${absent[0]}/${shards} --out PART.json\` and merge again`);
  }

  const n = first.part.question.runs.length;
  const values = new Float64Array(n * n).fill(Number.NaN);
  const from = new Array<string>(n * n);
  for (const { path, part } of parts) {
    for (const [i, j, value] of part.pairs) {
      if (i >= n || j >= n) throw new InputError(path, `holds pair (${i}, ${j}) outside the ${n}-run matrix`);
      if (from[i * n + j] !== undefined) throw new InputError(path, `holds pair (${i}, ${j}) that ${from[i * n + j]} holds too: the parts overlap`);
      values[i * n + j] = value;
      from[i * n + j] = path;
    }
  }
  const hole = values.findIndex((x) => Number.isNaN(x));
  if (hole !== -1) {
    const [i, j] = [Math.floor(hole / n), hole % n];
    throw new InputError(first.path, `the parts leave pair (${first.part.question.runs[i]}, ${first.part.question.runs[j]}) uncomputed: were they written by another version?`);
  }
  const matrix = Array.from({ length: n }, (_, i) => Array.from(values.subarray(i * n, (i + 1) * n)));
  const all = parts.map((p) => p.part);
  const sum = (f: (p: MatrixPart) => number): number => all.reduce((s, p) => s + f(p), 0);
  const request = first.part.question.request;
  return assembleMatrix(request, first.part.step, matrix, {
    runs: first.part.question.runs,
    ...(first.part.group_values ? { groupValues: first.part.group_values } : {}),
    files: first.part.files,
    backend: first.part.backend,
    decompositions: sum((p) => p.decompositions),
    pairs_computed: sum((p) => p.pairs_computed),
    cache: {
      bases: { hits: sum((p) => p.cache.bases.hits), misses: sum((p) => p.cache.bases.misses) },
      pairs: { hits: sum((p) => p.cache.pairs.hits), misses: sum((p) => p.cache.pairs.misses) },
      matrix: false,
    },
    workers: Math.max(...all.map((p) => p.workers)),
    // The compute time of the shards plus this merge (the shards ran elsewhere, maybe at once).
    seconds: sum((p) => p.seconds) + (performance.now() - startedAt) / 1000,
  });
}
