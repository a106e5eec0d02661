/**
 * Stable vs unstable directions ([Morcos2018-PWCCA] sec. 2.2, Fig. 1): CCA between a layer at an early checkpoint (A) and at a
 * middle one ranks A's canonical variates h_i = Q_A·u_i by their correlation ρ_i. The K best form S, the K worst B
 * (each m × K with orthonormal, centered columns). At every checkpoint t, `stable[t]` is the mean canonical
 * correlation of S with the layer at t (the singular values of Sᵀ·Q_t, Q_t an orthonormal basis of the centered
 * layer), and `unstable[t]` the same for B. `coefficients[t]` are the canonical correlations of the layer at t
 * with the layer at the last checkpoint (Fig. 1a–c).
 *
 * Defaults: early = the second checkpoint, mid = the checkpoint whose step is nearest half the last one (T/2) and
 * after early, K = a quarter of the directions (at most 100, the paper's count of 500-wide layers' 100).
 */
import type { StabilityRequest, StabilityResult } from '../domain/index.js';
import { InputError, UsageError } from '../errors.js';
import type { WorkspaceIndex } from '../index/index.js';
import { crossGram } from '../kernels/index.js';
import { matrix, type Matrix } from '../linalg/matrix.js';
import { singularValues } from '../linalg/singular-values.js';
import { canonicalCorrelations } from '../measures/correlations.js';
import { assertNotDegenerate, crossBasis } from '../measures/pair.js';
import { basisMatrix, prepareBasis } from '../measures/prepare.js';
import type { PreparedBasis } from '../measures/types.js';
import { ProgressCounter, type AnalysisContext } from './context.js';
import { checkRowMode, layerMatrix, type RowMode } from './layer-rows.js';
import { RunLayers, stepValue, type Step } from './run-layers.js';

export const MAX_DEFAULT_TOP = 100;

export async function runStability(store: WorkspaceIndex, request: StabilityRequest, context: AnalysisContext = {}): Promise<StabilityResult> {
  const conv = checkRowMode(request.conv ?? 'channels');
  const run = new RunLayers(store, request.run, { layout: request.layout, neuronsFirst: request.neuronsFirst });
  const steps = run.steps;
  if (steps.length < 3) throw new InputError(store.root, `run "${run.name}" has ${steps.length} checkpoint(s); stability needs at least 3 (early, middle, last)`);
  const early = request.early === undefined ? steps[1]! : run.resolveStep(request.early);
  const mid = request.mid === undefined ? defaultMid(run, early) : run.resolveStep(request.mid);
  if (steps.indexOf(mid) <= steps.indexOf(early)) throw new UsageError(`--mid (${mid}) must come after --early (${early})`);
  const final = steps[steps.length - 1]!;
  const progress = new ProgressCounter(context, 'stability', 2 * steps.length + 1);

  const bases = new Map<Step, Promise<PreparedBasis>>();
  const basisAt = (step: Step): Promise<PreparedBasis> => {
    let found = bases.get(step);
    if (!found) {
      found = run.load(step, request.layer).then((layer) => prepareBasis(rowsOf(layer, conv), { epsilon: request.epsilon, ref: layer.ref }));
      bases.set(step, found);
    }
    return found;
  };

  const [pa, pb] = await progress.step(`ranking ${early} × ${mid}`, () => Promise.all([basisAt(early), basisAt(mid)]));
  assertNotDegenerate(pa, pa.rank, 'cca', false);
  assertNotDegenerate(pb, pb.rank, 'cca', false);
  const ranked = await canonicalCorrelations(await crossBasis(pa, pa.rank, pb, pb.rank), true);
  const c = ranked.rho.length;
  const top = request.top ?? Math.max(1, Math.min(MAX_DEFAULT_TOP, Math.floor(c / 4)));
  if (2 * top > c) throw new UsageError(`--top ${top} asks for ${2 * top} directions, but ${request.layer} has ${c} canonical directions at steps ${early} × ${mid}; use --top ${Math.max(1, Math.floor(c / 2))} or less`);
  const variates = matmulRows(basisMatrix(pa), ranked.u!);
  const stableDirections = columns(variates, 0, top);
  const unstableDirections = columns(variates, c - top, c);

  const stable: number[] = [];
  const unstable: number[] = [];
  for (const step of steps) {
    const pt = await progress.step(`directions × step ${step}`, () => basisAt(step));
    const qt = basisMatrix(pt);
    stable.push(meanOf(singularValues(await crossGram(stableDirections, qt))));
    unstable.push(meanOf(singularValues(await crossGram(unstableDirections, qt))));
  }
  const pf = await basisAt(final);
  const coefficients: number[][] = [];
  for (const step of steps) {
    const pt = await basisAt(step);
    const rho = await progress.step(`step ${step} × final`, async () => (await canonicalCorrelations(await crossBasis(pt, pt.rank, pf, pf.rank), false)).rho);
    coefficients.push(Array.from(rho));
  }
  return { run: run.name, layer: request.layer, early, mid, top, steps, stable, unstable, ranking: Array.from(ranked.rho), coefficients, final, conv };
}

/** The checkpoint nearest T/2 (T the last step), strictly between early and the last checkpoint where one is. */
function defaultMid(run: RunLayers, early: Step): Step {
  const steps = run.steps;
  const last = stepValue(steps[steps.length - 1]!, run.info) ?? steps.length - 1;
  const candidates = steps.slice(steps.indexOf(early) + 1, -1);
  if (candidates.length === 0) return steps[steps.length - 1]!;
  let best = candidates[0]!;
  let bestGap = Infinity;
  for (const step of candidates) {
    const gap = Math.abs((stepValue(step, run.info) ?? 0) - last / 2);
    if (gap < bestGap) [best, bestGap] = [step, gap];
  }
  return best;
}

/** The layer's matrix on its own grid (the same layer at every checkpoint shares its shape). */
function rowsOf(layer: Parameters<typeof layerMatrix>[0], conv: RowMode): Matrix {
  return layerMatrix(layer, conv, conv === 'channels' ? layer.spatial : null);
}

/** A·B for row-major A (m × k) and B (k × c). */
function matmulRows(a: Matrix, b: Matrix): Matrix {
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let p = 0; p < a.cols; p++) {
      const x = a.data[i * a.cols + p]!;
      if (x === 0) continue;
      for (let j = 0; j < b.cols; j++) out[i * b.cols + j]! += x * b.data[p * b.cols + j]!;
    }
  }
  return matrix(a.rows, b.cols, out);
}

/** Columns [from, to) of a row-major matrix. */
function columns(a: Matrix, from: number, to: number): Matrix {
  const k = to - from;
  const out = new Float64Array(a.rows * k);
  for (let i = 0; i < a.rows; i++) out.set(a.data.subarray(i * a.cols + from, i * a.cols + to), i * k);
  return matrix(a.rows, k, out);
}

function meanOf(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += Math.min(1, values[i]!);
  return values.length === 0 ? 0 : s / values.length;
}
