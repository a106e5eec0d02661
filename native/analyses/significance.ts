/**
 * Is a similarity more than noise? Two answers for any measure (measure-kinds.ts), over the datapoints:
 *
 *  - Noise floor: the same comparison with B's datapoints shuffled (A fixed), `permutations` times. Shuffling breaks
 *    the pairing of datapoints while keeping each layer's own structure (dims, spectrum), so what remains is the
 *    similarity two unrelated layers of these shapes show by chance — large when layers have many directions over few
 *    datapoints. Reported: mean (and the mean of each canonical correlation), sd, 95th/99th percentiles, max, and the
 *    permutation p-value (1 + #{null ≥ observed}) / (1 + permutations).
 *  - Bootstrap interval: datapoints resampled with replacement (both layers together), `bootstrap` times. A
 *    resample holds only ~63% distinct datapoints, and the CCA family overfits fewer datapoints: resampled values
 *    sit systematically ABOVE the observed one (by ~0.02–0.04 on the corpus's fc layers), so the plain percentile
 *    interval can miss the observed value altogether. The bootstrap is therefore used for the spread only: the
 *    interval is observed + (the `level` percentiles of the resampled values − their mean). The shift itself is
 *    reported (`bootstrap_shift`), and the plain percentile interval too (`percentile`).
 * Conv layers compared channel-wise move as whole datapoints (all positions of a datapoint together).
 * Seeds: permutations use mulberry32(seed), the bootstrap mulberry32(seed + BOOTSTRAP_STREAM), so changing one count
 * never changes the other's draws.
 */
import type { BootstrapInterval, NoiseFloor, StepRef } from '../domain/index.js';
import { InputError, UsageError } from '../errors.js';
import type { WorkspaceIndex } from '../index/index.js';
import type { LayerData, LayerOptions } from '../layers/index.js';
import { matrix, type Matrix } from '../linalg/matrix.js';
import { ProgressCounter, type AnalysisContext } from './context.js';
import { checkRowMode, layerMatrix, type RowMode } from './layer-rows.js';
import { checkAnalysisMethod, compareFor, permutePrepared, prepareFor, type AnalysisMethod, type MeasureSpec } from './measure-kinds.js';
import { RunLayers, type Step } from './run-layers.js';
import { DEFAULT_SEED, permutation, randomStream, resample } from './sampling.js';

export const DEFAULT_PERMUTATIONS = 100;
export const DEFAULT_BOOTSTRAP = 100;
export const DEFAULT_LEVEL = 0.95;
/** Offset of the bootstrap's random stream from the permutations' one. */
export const BOOTSTRAP_STREAM = 0x9e3779b9;

export interface SignificanceOptions extends MeasureSpec {
  readonly permutations?: number;
  readonly bootstrap?: number;
  readonly level?: number;
  readonly seed?: number;
  /** Rows each datapoint owns (h·w for conv layers compared channel-wise; default 1). */
  readonly rowsPerDatapoint?: number;
}

/** The wire shapes (domain/compare.ts) are the analysis's own result shapes: the app and the CLI print one thing. */
export type NoiseFloorStats = NoiseFloor;
export type { BootstrapInterval };

export interface SignificanceResult {
  method: AnalysisMethod;
  similarity: number;
  coefficients: number[];
  datapoints: number;
  noise_floor: NoiseFloorStats | null;
  interval: BootstrapInterval | null;
  seed: number;
}

function checkCount(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`--${name} must be a whole number ≥ 0, got ${value}`);
  return value;
}

export async function significance(x: Matrix, y: Matrix, options: SignificanceOptions, context: AnalysisContext = {}, refs: [string, string] = ['A', 'B']): Promise<SignificanceResult> {
  const spec: MeasureSpec = { ...options, method: checkAnalysisMethod(options.method) };
  const permutations = checkCount(options.permutations ?? DEFAULT_PERMUTATIONS, 'permutations');
  const bootstrap = checkCount(options.bootstrap ?? DEFAULT_BOOTSTRAP, 'bootstrap');
  const level = options.level ?? DEFAULT_LEVEL;
  if (!(level > 0 && level < 1)) throw new UsageError(`--level must be in (0, 1), got ${level}`);
  const seed = options.seed ?? DEFAULT_SEED;
  const per = options.rowsPerDatapoint ?? 1;
  if (x.rows !== y.rows) throw new InputError(refs[1], `has ${y.rows} rows but ${refs[0]} has ${x.rows}; the two layers must share their datapoints, in the same order`);
  if (spec.method === 'cka-rbf' && per !== 1) throw new UsageError('cka-rbf compares datapoints, not conv positions: use --conv flatten for conv layers');
  if (x.rows % per !== 0) throw new RangeError(`significance: ${x.rows} rows are not whole datapoints of ${per} rows`);
  const m = x.rows / per;

  const progress = new ProgressCounter(context, 'significance', 1 + permutations + bootstrap);
  const a = await prepareFor(spec, x, refs[0]);
  const b = await prepareFor(spec, y, refs[1]);
  const observed = await progress.step('observed', () => compareFor(spec, a, b));

  let noise: NoiseFloorStats | null = null;
  if (permutations > 0) {
    const random = randomStream(seed);
    const values: number[] = [];
    const coefficientSums = new Array<number>(observed.coefficients.length).fill(0);
    for (let p = 0; p < permutations; p++) {
      const shuffled = await progress.step(`shuffle ${p + 1}`, () => compareFor(spec, a, permutePrepared(b, permutation(m, random), per)));
      values.push(shuffled.similarity);
      shuffled.coefficients.forEach((c, i) => {
        if (i < coefficientSums.length) coefficientSums[i]! += c;
      });
    }
    const sorted = [...values].sort((u, v) => u - v);
    noise = {
      shuffles: permutations,
      similarity: meanOf(values),
      coefficients: coefficientSums.map((s) => s / permutations),
      sd: sdOf(values),
      q95: quantile(sorted, 0.95),
      q99: quantile(sorted, 0.99),
      max: sorted[sorted.length - 1]!,
      p_value: (1 + values.filter((v) => v >= observed.similarity).length) / (1 + permutations),
    };
  }

  let interval: BootstrapInterval | null = null;
  if (bootstrap > 0) {
    const random = randomStream((seed + BOOTSTRAP_STREAM) >>> 0);
    const values: number[] = [];
    for (let r = 0; r < bootstrap; r++) {
      const pick = resample(m, random);
      const value = await progress.step(`bootstrap ${r + 1}`, async () => {
        const ra = await prepareFor(spec, takeDatapoints(x, pick, per), refs[0]);
        const rb = await prepareFor(spec, takeDatapoints(y, pick, per), refs[1]);
        return (await compareFor(spec, ra, rb)).similarity;
      });
      values.push(value);
    }
    const sorted = [...values].sort((u, v) => u - v);
    const tail = (1 - level) / 2;
    const lo = quantile(sorted, tail);
    const hi = quantile(sorted, 1 - tail);
    const mean = meanOf(values);
    interval = {
      resamples: bootstrap,
      level,
      low: observed.similarity + (lo - mean),
      high: observed.similarity + (hi - mean),
      sd: sdOf(values),
      bootstrap_mean: mean,
      bootstrap_shift: mean - observed.similarity,
      percentile: [lo, hi],
    };
  }
  return { method: spec.method, similarity: observed.similarity, coefficients: observed.coefficients, datapoints: m, noise_floor: noise, interval, seed };
}

/** The rows of the chosen datapoints, in the order given (a datapoint owns `per` consecutive rows). */
export function takeDatapoints(x: Matrix, pick: Int32Array, per: number): Matrix {
  const width = x.cols * per;
  const out = new Float64Array(pick.length * width);
  for (let d = 0; d < pick.length; d++) out.set(x.data.subarray(pick[d]! * width, (pick[d]! + 1) * width), d * width);
  return matrix(pick.length * per, x.cols, out);
}

/** numpy.quantile's default (linear interpolation between order statistics) on sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const position = q * (n - 1);
  const lo = Math.floor(position);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (position - lo) * (sorted[hi]! - sorted[lo]!);
}

function meanOf(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

function sdOf(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mu = meanOf(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - mu) ** 2, 0) / (values.length - 1));
}

/** A layer as the significance analysis compares it: its matrix and the rows each datapoint owns. */
export function significanceRows(layer: LayerData, conv: RowMode): { matrix: Matrix; rowsPerDatapoint: number } {
  if (layer.spatial === null || conv !== 'channels') return { matrix: layerMatrix(layer, conv, null), rowsPerDatapoint: 1 };
  return { matrix: layerMatrix(layer, 'channels', layer.spatial), rowsPerDatapoint: layer.spatial[0] * layer.spatial[1] };
}

export interface RunSignificanceRequest extends Omit<SignificanceOptions, 'rowsPerDatapoint'> {
  layer: string;
  /** Runs to compare pairwise (default all runs holding the layer at their last checkpoint, or a group's). */
  runs?: string[];
  group?: string;
  step?: StepRef;
  conv?: RowMode;
  layout?: LayerOptions['layout'];
  neuronsFirst?: boolean;
}

export interface RunSignificanceResult {
  layer: string;
  step: StepRef;
  method: AnalysisMethod;
  conv: RowMode;
  runs: string[];
  seed: number;
  pairs: Array<{ a: string; b: string; a_step: Step; b_step: Step } & Omit<SignificanceResult, 'method' | 'seed'>>;
}

/** Every pair of the chosen runs at one layer: similarity, noise floor and bootstrap interval. */
export async function runSignificance(store: WorkspaceIndex, request: RunSignificanceRequest, context: AnalysisContext = {}): Promise<RunSignificanceResult> {
  const conv = checkRowMode(request.conv ?? 'channels');
  const method = checkAnalysisMethod(request.method);
  const step = request.step ?? 'last';
  let names = request.runs;
  if (!names) {
    const all = store.listRuns().filter((r) => r.layers.includes(request.layer) && (request.group === undefined || r.group === request.group));
    names = all.map((r) => r.name);
  }
  if (names.length < 2) throw new InputError(store.root, `significance compares pairs of runs; ${names.length} run(s) hold layer "${request.layer}"${request.group ? ` in group "${request.group}"` : ''}`);
  const runs = names.map((name) => new RunLayers(store, name, { layout: request.layout, neuronsFirst: request.neuronsFirst }));
  const loaded: Array<{ step: Step; layer: LayerData }> = [];
  for (const run of runs) {
    const s = run.resolveStep(step);
    loaded.push({ step: s, layer: await run.load(s, request.layer) });
  }
  const pairs: RunSignificanceResult['pairs'] = [];
  const count = (runs.length * (runs.length - 1)) / 2;
  let done = 0;
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      const a = significanceRows(loaded[i]!.layer, conv);
      const b = significanceRows(loaded[j]!.layer, conv);
      if (a.rowsPerDatapoint !== b.rowsPerDatapoint) throw new InputError(loaded[j]!.layer.ref, `has another spatial grid than ${loaded[i]!.layer.ref}; compare them with --conv flatten`);
      const label = `${runs[i]!.name} × ${runs[j]!.name}`;
      const inner: AnalysisContext = {
        signal: context.signal,
        onProgress: (d, total, text) => context.onProgress?.(done * total + d, count * total, `${label}: ${text}`),
      };
      const { method: _m, seed: _s, ...rest } = await significance(a.matrix, b.matrix, { ...request, method, rowsPerDatapoint: a.rowsPerDatapoint }, inner, [loaded[i]!.layer.ref, loaded[j]!.layer.ref]);
      pairs.push({ a: runs[i]!.name, b: runs[j]!.name, a_step: loaded[i]!.step, b_step: loaded[j]!.step, ...rest });
      done++;
    }
  }
  return { layer: request.layer, step, method, conv, runs: runs.map((r) => r.name), seed: request.seed ?? DEFAULT_SEED, pairs };
}
