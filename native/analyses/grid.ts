/**
 * The cross-network layers × layers grid ([Raghu2017-SVCCA] Fig. 7 / App. 4, [Raghu2017-SVCCA-ICMLW] Fig. 6): every layer of net A against every
 * layer of net B, each at its chosen checkpoint — nets of different depths and architectures included, as long as
 * they saw the same datapoints. `grid[i][j]` = similarity of A's layer i (side A) with B's layer j; `depth_a` and
 * `depth_b` place each layer at (i + 1) / L, the relative depth that lines up nets of different depths, and
 * `best_b[i]` is the index of B's layer most similar to A's layer i. Conv layers follow layer-rows.ts (channels:
 * the finer grid pooled to the coarser, a conv layer against a dense one pooled to 1×1).
 */
import type { GridRequest, GridResult, Method } from '../domain/index.js';
import type { WorkspaceIndex } from '../index/index.js';
import { ProgressCounter, type AnalysisContext } from './context.js';
import { measurerFor, runsAt } from './run-similarity.js';

/**
 * Linear CKA by default: on the example workspace every CCA-family row of conv2 peaks on a narrower dense layer (the
 * mean over min(kA, kB) coefficients favours the narrow side), while CKA puts each conv row's largest entry on the
 * matching layer — Kornblith et al.'s layer-identification finding (docs/analyses.md has the measured rows).
 */
export const DEFAULT_GRID_METHOD: Method = 'cka';

export async function runGrid(store: WorkspaceIndex, request: GridRequest, context: AnalysisContext = {}): Promise<GridResult> {
  const method = request.method ?? DEFAULT_GRID_METHOD;
  const { measurer, conv } = measurerFor({ ...request, method });
  // Each side on its own (a net against itself is a valid grid).
  const options = { layout: request.layout, neuronsFirst: request.neuronsFirst };
  const [a, b] = request.runs.map((name) => runsAt(store, [name], request.step ?? 'final', options)[0]!) as [ReturnType<typeof runsAt>[number], ReturnType<typeof runsAt>[number]];
  const layersA = a.run.layerNames(a.step);
  const layersB = b.run.layerNames(b.step);
  const progress = new ProgressCounter(context, 'grid', layersA.length * layersB.length);
  const grid: number[][] = [];
  for (const la of layersA) {
    const row: number[] = [];
    const x = { key: `A\u0000${la}`, layer: await a.run.load(a.step, la) };
    for (const lb of layersB) {
      const y = { key: `B\u0000${lb}`, layer: await b.run.load(b.step, lb) };
      row.push(await progress.step(`${la} × ${lb}`, async () => (await measurer.measure(x, y)).similarity));
    }
    grid.push(row);
  }
  return {
    runs: [a.run.name, b.run.name],
    layers_a: layersA,
    layers_b: layersB,
    method,
    grid,
    depth_a: layersA.map((_, i) => (i + 1) / layersA.length),
    depth_b: layersB.map((_, j) => (j + 1) / layersB.length),
    best_b: grid.map((row) => row.indexOf(Math.max(...row))),
    steps: [a.step, b.step],
    conv,
  };
}
