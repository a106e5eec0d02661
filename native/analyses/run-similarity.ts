/**
 * One layer of many runs compared all-pairs inside an analysis (correlate, groups): S[i][j] = similarity of run i's
 * layer (side A) with run j's (side B) at each run's chosen checkpoint, through PairMeasurer (the conv rule of
 * layer-rows.ts, one basis per array). Symmetric measures are computed once per unordered pair.
 */
import { MEASURES, type Method, type StepRef } from '../domain/index.js';
import { InputError, UsageError } from '../errors.js';
import type { WorkspaceIndex } from '../index/index.js';
import type { LayerOptions } from '../layers/index.js';
import type { ProgressCounter } from './context.js';
import { checkPairOptions, PairMeasurer, type PairConv } from './pair-measure.js';
import { RunLayers, type Step } from './run-layers.js';

export interface MeasureRequest {
  readonly method: Method;
  readonly conv?: PairConv | undefined;
  readonly keep?: number | undefined;
  readonly dims?: number | undefined;
  readonly epsilon?: number | undefined;
}

/** The normalised conv mode and a measurer for the request. */
export function measurerFor(request: MeasureRequest): { measurer: PairMeasurer; conv: PairConv } {
  const conv = checkPairOptions({ method: request.method, conv: request.conv ?? (request.method === 'dft-cca' ? 'dft' : 'channels'), keep: request.keep, dims: request.dims });
  return { measurer: new PairMeasurer({ method: request.method, conv, keep: request.keep, dims: request.dims, epsilon: request.epsilon }), conv };
}

/** The runs named (or every indexed run), each with the checkpoint `step` picks. */
export function runsAt(store: WorkspaceIndex, names: readonly string[] | undefined, step: StepRef | undefined, options: LayerOptions): Array<{ run: RunLayers; step: Step }> {
  const all = store.listRuns().map((r) => r.name);
  const chosen = names ?? all;
  if (new Set(chosen).size !== chosen.length) throw new UsageError('a run is listed twice');
  for (const name of chosen) if (!all.includes(name)) throw new UsageError(`no run named "${name}" (runs: ${all.join(', ')})`);
  return chosen.map((name) => {
    const run = new RunLayers(store, name, options);
    return { run, step: run.resolveStep(step) };
  });
}

/** The layer names every given run has at its checkpoint, in the first run's order. */
export function sharedLayers(runs: ReadonlyArray<{ run: RunLayers; step: Step }>): string[] {
  if (runs.length === 0) return [];
  const [first, ...rest] = runs;
  const sets = rest.map((r) => new Set(r.run.layerNames(r.step)));
  return first!.run.layerNames(first!.step).filter((l) => sets.every((s) => s.has(l)));
}

/** S[i][j] for one layer; the diagonal is the measure's value against itself. */
export async function similarityMatrix(
  runs: ReadonlyArray<{ run: RunLayers; step: Step }>,
  layer: string,
  measurer: PairMeasurer,
  method: Method,
  progress: ProgressCounter,
): Promise<number[][]> {
  const n = runs.length;
  for (const r of runs) {
    if (!r.run.layerNames(r.step).includes(layer)) throw new InputError(r.run.index.root, `run "${r.run.name}" has no layer "${layer}" at step ${r.step}`);
  }
  const keyed = (i: number) => async () => ({ key: `${runs[i]!.run.name}\u0000${runs[i]!.step}\u0000${layer}`, layer: await runs[i]!.run.load(runs[i]!.step, layer) });
  const out = Array.from({ length: n }, () => new Array<number>(n).fill(MEASURES[method].selfValue));
  const symmetric = MEASURES[method].symmetric;
  for (let i = 0; i < n; i++) {
    for (let j = symmetric ? i + 1 : 0; j < n; j++) {
      if (i === j) continue;
      const value = await progress.step(`${layer}: ${runs[i]!.run.name} × ${runs[j]!.run.name}`, async () => (await measurer.measure(await keyed(i)(), await keyed(j)())).similarity);
      out[i]![j] = value;
      if (symmetric) out[j]![i] = value;
    }
  }
  return out;
}

/** Ordered pairs similarityMatrix computes for n runs. */
export function pairCount(n: number, method: Method): number {
  return MEASURES[method].symmetric ? (n * (n - 1)) / 2 : n * (n - 1);
}
