/**
 * The layer-identification sanity check of Kornblith et al. 2019 (sec. 6.1): in nets that differ only in their
 * random initialisation, a good similarity index finds, for each layer of one net, the same layer of the other as
 * the most similar one. Reported per method: the fraction of (ordered run pair, layer) cases where the argmax over
 * the other net's layers is the layer itself, overall and per layer.
 *
 * Conv layers are flattened by default (datapoints as rows, so every method — kernel CKA included — sees the same
 * rows); `channels` pools pairs to a common grid (layer-rows.ts) and excludes RBF CKA. CCA-family methods first
 * reduce each layer to its top singular directions (keep 0.99 unless --keep/--dims), as SVCCA does: flattened conv
 * layers often have more neurons than datapoints, where plain CCA is degenerate.
 */
import { checkTruncationChoice, type StepRef } from '../domain/index.js';
import { InputError, UsageError } from '../errors.js';
import type { WorkspaceIndex } from '../index/index.js';
import type { LayerData, LayerOptions } from '../layers/index.js';
import { DEFAULT_KEEP } from '../measures/pair.js';
import { ProgressCounter, type AnalysisContext } from './context.js';
import { checkRowMode, gridKey, layerMatrix, pairGrid, type RowMode } from './layer-rows.js';
import { checkAnalysisMethod, compareFor, prepareFor, type AnalysisMethod, type MeasureSpec, type Prepared } from './measure-kinds.js';
import { RunLayers } from './run-layers.js';

export const DEFAULT_IDENTIFICATION_METHODS: readonly AnalysisMethod[] = ['cka', 'cka-debiased', 'cka-rbf', 'svcca', 'pwcca'];

export interface IdentificationRequest {
  runs?: string[];
  group?: string;
  step?: StepRef;
  methods?: string[];
  conv?: RowMode;
  keep?: number;
  dims?: number;
  epsilon?: number;
  sigma?: number;
  layout?: LayerOptions['layout'];
  neuronsFirst?: boolean;
}

export interface IdentificationResult {
  runs: string[];
  layers: string[];
  step: StepRef;
  conv: RowMode;
  methods: AnalysisMethod[];
  /** Ordered run pairs × layers judged per method. */
  cases: number;
  accuracy: Record<string, number>;
  per_layer: Record<string, Record<string, number>>;
  /** [method][layer i][layer j]: how often layer j of the other net was the best match for layer i. */
  matches: Record<string, number[][]>;
}

export async function layerIdentification(store: WorkspaceIndex, request: IdentificationRequest, context: AnalysisContext = {}): Promise<IdentificationResult> {
  const conv = checkRowMode(request.conv ?? 'flatten');
  const methods = (request.methods ?? [...DEFAULT_IDENTIFICATION_METHODS]).map(checkAnalysisMethod);
  if (conv === 'channels' && methods.includes('cka-rbf')) throw new UsageError('cka-rbf compares datapoints: run the identification with --conv flatten, or leave cka-rbf out');
  checkTruncationChoice(request.keep, request.dims);
  const step = request.step ?? 'last';
  const names = request.runs ?? store.listRuns().filter((r) => request.group === undefined || r.group === request.group).map((r) => r.name);
  if (names.length < 2) throw new InputError(store.root, `layer identification needs at least two runs${request.group ? ` in group "${request.group}"` : ''}; found ${names.length}`);
  const runs = names.map((name) => new RunLayers(store, name, { layout: request.layout, neuronsFirst: request.neuronsFirst }));
  const layers = runs[0]!.layerNames(runs[0]!.resolveStep(step));
  const data: LayerData[][] = [];
  for (const run of runs) {
    const s = run.resolveStep(step);
    const own = run.layerNames(s);
    if (own.join('\u0000') !== layers.join('\u0000')) {
      throw new InputError(store.root, `runs ${runs[0]!.name} and ${run.name} have different layers (${layers.join(', ')} vs ${own.join(', ')}); identification needs one architecture`);
    }
    data.push(await Promise.all(layers.map((layer) => run.load(s, layer))));
  }

  const R = runs.length;
  const L = layers.length;
  const progress = new ProgressCounter(context, 'layer identification', methods.length * R * (R - 1) * L);
  const result: IdentificationResult = { runs: names, layers, step, conv, methods, cases: R * (R - 1) * L, accuracy: {}, per_layer: {}, matches: {} };
  for (const method of methods) {
    const reduced = method !== 'cka' && method !== 'cka-debiased' && method !== 'cka-rbf';
    const spec: MeasureSpec = {
      method,
      epsilon: request.epsilon,
      sigma: request.sigma,
      ...(reduced ? (request.dims !== undefined ? { dims: request.dims } : { keep: request.keep ?? DEFAULT_KEEP }) : {}),
    };
    const cache = new Map<string, Promise<Prepared>>();
    const prepared = (r: number, i: number, partner: LayerData): Promise<Prepared> => {
      const layer = data[r]![i]!;
      const grid = pairGrid(layer, partner, conv);
      const key = `${r}/${i}/${gridKey(grid)}`;
      let found = cache.get(key);
      if (!found) {
        found = prepareFor(spec, layerMatrix(layer, conv, grid), layer.ref, { gram: true });
        cache.set(key, found);
      }
      return found;
    };
    const matches = layers.map(() => layers.map(() => 0));
    for (let a = 0; a < R; a++) {
      for (let b = 0; b < R; b++) {
        if (a === b) continue;
        for (let i = 0; i < L; i++) {
          await progress.step(`${method}: ${names[a]} ${layers[i]} vs ${names[b]}`, async () => {
            let best = -1;
            let bestValue = -Infinity;
            for (let j = 0; j < L; j++) {
              const pa = await prepared(a, i, data[b]![j]!);
              const pb = await prepared(b, j, data[a]![i]!);
              const { similarity } = await compareFor(spec, pa, pb);
              if (similarity > bestValue) {
                bestValue = similarity;
                best = j;
              }
            }
            matches[i]![best]!++;
          });
        }
      }
    }
    const perLayer = layers.map((_, i) => matches[i]![i]! / (R * (R - 1)));
    result.matches[method] = matches;
    result.per_layer[method] = Object.fromEntries(layers.map((layer, i) => [layer, perLayer[i]!]));
    result.accuracy[method] = perLayer.reduce((s, v) => s + v, 0) / L;
  }
  return result;
}
