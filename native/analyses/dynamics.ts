/**
 * Learning dynamics ([Raghu2017-SVCCA] sec. 4.1 and Fig. 4; [Raghu2017-SVCCA-ICMLW] sec. 4.1; [Raghu2017-BottomUp]):
 * every layer at every checkpoint compared with every layer of the reference (by default the final) checkpoint.
 *
 *  - `tensor[s][i][j]`: similarity of layer i at checkpoint s (side A) with layer j at the reference (side B), by
 *    the chosen method (default svcca: the mean canonical correlation ρ̄ of [Raghu2017-SVCCA] eq. 1, what Fig. 4
 *    plots).
 *  - `coefficients[s][i][j]`: the SVCCA canonical correlations of the same pair — [Raghu2017-BottomUp]'s 4-D tensor
 *    (layers × layers × checkpoints × coefficients) — and `summaries` condense them three ways: mean
 *    ([Raghu2017-SVCCA]), Weighted SVCCA ([Raghu2017-SVCCA-ICMLW]) and the mean-square similarity √(Σc²/n)
 *    ([Raghu2017-BottomUp]).
 *  - `to_final[layer]`: the diagonal i = j over checkpoints; `converged_at`: convergence.ts's rule on it.
 *  - `freeze_hint`: the Freeze Training schedule those convergence steps suggest (freeze-hint.ts).
 *  - `class_sensitivity`: each layer against each class logit at the reference checkpoint (class-sensitivity.ts).
 *  - `crawl` ([Raghu2017-BottomUp] Fig. 3): for each reference layer the layer of each checkpoint most similar to it, and for each
 *    layer the reference layer it is most similar to at each checkpoint (004: early in training a higher layer is
 *    most like a lower final layer — "representations crawl downward").
 *  - `against` ([Raghu2017-BottomUp] sec. 1): the reference checkpoint is another run's (another seed, another architecture); its
 *    layers are the tensor's last axis (`reference_layers`), `to_final` / `converged_at` cover the layers both runs
 *    name alike, and there is no Freeze Training hint or class sensitivity (they are about the run's own end).
 * Conv layers follow layer-rows.ts (default `channels`, the finer grid pooled to the coarser one) or DFT-CCA.
 */
import type { DynamicsRequest, DynamicsResult, Method } from '../domain/index.js';
import type { WorkspaceIndex } from '../index/index.js';
import type { LayerData } from '../layers/index.js';
import type { BasisMethod } from '../measures/compare.js';
import { ClassSensitivityMeter } from './class-sensitivity.js';
import { logitTargets } from './class-targets.js';
import { ProgressCounter, type AnalysisContext } from './context.js';
import { checkThreshold, convergenceIndex, DEFAULT_CONVERGENCE_THRESHOLD } from './convergence.js';
import { freezeHint, type FreezeHint } from './freeze-hint.js';
import { layerCosts } from './layer-costs.js';
import { checkPairOptions, PairMeasurer, type PairConv } from './pair-measure.js';
import { RunLayers, stepValue, type Step } from './run-layers.js';

export const DEFAULT_DYNAMICS_METHOD: Method = 'svcca';

export interface DynamicsSummaries {
  mean: number[][][];
  mean_square: number[][][];
  /** Absent under --conv dft (Weighted SVCCA has no DFT form). */
  weighted?: number[][][];
}

export interface RunDynamicsResult extends DynamicsResult {
  steps: Step[];
  converged_at: Record<string, Step | null>;
  reference: Step;
  threshold: number;
  conv: PairConv;
  keep?: number;
  dims?: number;
  /** Each layer's activation grid [h, w], null for dense layers. */
  spatial: Record<string, [number, number] | null>;
  summaries: DynamicsSummaries;
  /** [step][layer][reference layer]: SVCCA canonical correlations, descending. */
  coefficients: number[][][][];
  freeze_hint: FreezeHint | null;
}

export async function runDynamics(store: WorkspaceIndex, request: DynamicsRequest, context: AnalysisContext = {}): Promise<RunDynamicsResult> {
  const method = request.method ?? DEFAULT_DYNAMICS_METHOD;
  const conv = checkPairOptions({ method, conv: request.conv ?? (method === 'dft-cca' ? 'dft' : 'channels'), keep: request.keep, dims: request.dims });
  const threshold = checkThreshold(request.threshold ?? DEFAULT_CONVERGENCE_THRESHOLD);
  const layerOptions = { layout: request.layout, neuronsFirst: request.neuronsFirst };
  const run = new RunLayers(store, request.run, layerOptions);
  const other = request.against === undefined ? null : new RunLayers(store, request.against, layerOptions);
  const referenceRun = other ?? run;
  const reference = referenceRun.resolveStep(request.reference);
  // Against another run every checkpoint of this one counts for convergence (none is the reference itself).
  const referenceIndex = other ? run.steps.length : run.steps.indexOf(reference);
  const layers = other ? run.layerNames(run.steps[run.steps.length - 1]!) : run.layerNames(reference);
  const referenceLayers = referenceRun.layerNames(reference);
  const referenceKey = other ? `against\u0000${other.name}\u0000${reference}` : String(reference);
  const steps = run.steps;
  const measurer = new PairMeasurer({ method, conv, keep: request.keep, dims: request.dims, epsilon: request.epsilon });
  const L = layers.length;
  const progress = new ProgressCounter(context, 'learning dynamics', steps.length * L * referenceLayers.length);

  const tensor: number[][][] = [];
  const mean: number[][][] = [];
  const meanSquare: number[][][] = [];
  const weighted: number[][][] = [];
  const coefficients: number[][][][] = [];
  let anyWeightedMissing = false;
  for (const step of steps) {
    const [t, mn, ms, w, c] = [[], [], [], [], []] as [number[][], number[][], number[][], number[][], number[][][]];
    for (const layer of layers) {
      const [tr, mr, sr, wr, cr] = [[], [], [], [], []] as [number[], number[], number[], number[], number[][]];
      const a = { key: `${step}/${layer}`, layer: await run.load(step, layer) };
      for (const final of referenceLayers) {
        const outcome = await progress.step(`step ${step}: ${layer} × ${final}`, async () =>
          measurer.measure(a, { key: `${referenceKey}/${final}`, layer: await referenceRun.load(reference, final) }),
        );
        tr.push(outcome.similarity);
        mr.push(outcome.mean);
        sr.push(outcome.meanSquare);
        if (outcome.weighted === null) anyWeightedMissing = true;
        wr.push(outcome.weighted ?? 0);
        cr.push(outcome.coefficients);
      }
      t.push(tr);
      mn.push(mr);
      ms.push(sr);
      w.push(wr);
      c.push(cr);
    }
    tensor.push(t);
    mean.push(mn);
    meanSquare.push(ms);
    weighted.push(w);
    coefficients.push(c);
  }

  const toFinal: Record<string, number[]> = {};
  const convergedAt: Record<string, Step | null> = {};
  layers.forEach((layer, i) => {
    const j = referenceLayers.indexOf(layer);
    if (j === -1) return;
    const timeline = tensor.map((pane) => pane[i]![j]!);
    toFinal[layer] = timeline;
    const at = convergenceIndex(timeline, referenceIndex, threshold);
    convergedAt[layer] = at === -1 ? null : steps[at]!;
  });

  const crawl = {
    final_to_checkpoint: Object.fromEntries(referenceLayers.map((final, j) => [final, tensor.map((pane) => layers[argmax(pane.map((row) => row[j]!))]!)])),
    checkpoint_to_final: Object.fromEntries(layers.map((layer, i) => [layer, tensor.map((pane) => referenceLayers[argmax(pane[i]!)]!)])),
  };
  const loaded = await Promise.all(layers.map((layer) => (other ? run.load(steps[steps.length - 1]!, layer) : run.load(reference, layer))));
  const spatial = new Map(layers.map((layer, i) => [layer, loaded[i]!.spatial ? ([loaded[i]!.spatial![0], loaded[i]!.spatial![1]] as [number, number]) : null]));
  const result: RunDynamicsResult = {
    run: run.name,
    layers,
    steps,
    method,
    to_final: toFinal,
    tensor,
    converged_at: convergedAt,
    reference,
    threshold,
    conv,
    ...(request.keep !== undefined ? { keep: request.keep } : {}),
    ...(request.dims !== undefined ? { dims: request.dims } : {}),
    spatial: Object.fromEntries(spatial),
    summaries: { mean, mean_square: meanSquare, ...(anyWeightedMissing ? {} : { weighted }) },
    coefficients,
    freeze_hint: other ? null : dynamicsFreezeHint(store, run, reference, layers, convergedAt, spatial),
    ...(other ? { against: other.name, reference_layers: referenceLayers } : {}),
    crawl,
  };
  const output = loaded[L - 1]!;
  if (!other && request.classSensitivity !== false && output.spatial === null && output.channels >= 2 && L >= 1) {
    result.class_sensitivity = await referenceSensitivity(run, loaded, output, method, conv, request);
  }
  return result;
}

function dynamicsFreezeHint(
  store: WorkspaceIndex,
  run: RunLayers,
  reference: Step,
  layers: string[],
  convergedAt: Record<string, Step | null>,
  spatial: ReadonlyMap<string, [number, number] | null>,
): FreezeHint | null {
  const total = stepValue(reference, run.info);
  if (total === null || total <= 0) return null;
  const at = layers.map((layer) => {
    const s = convergedAt[layer] ?? null;
    return s === null ? null : stepValue(s, run.info);
  });
  return freezeHint(layers, at, total, layerCosts(layers, store.weights(run.name, reference), spatial));
}

/** The optional contract field: [class][layer] similarity with the reference checkpoint's class logits. */
async function referenceSensitivity(
  run: RunLayers,
  loaded: LayerData[],
  output: LayerData,
  method: Method,
  conv: PairConv,
  request: DynamicsRequest,
): Promise<{ classes: string[]; similarity: number[][] }> {
  const basisMethod: BasisMethod = method === 'dft-cca' ? 'cca' : method;
  const targets = logitTargets(output, run.info.meta);
  const meter = new ClassSensitivityMeter(targets, {
    method: basisMethod,
    conv: conv === 'flatten' ? 'flatten' : 'channels',
    keep: request.keep,
    dims: request.dims,
    epsilon: request.epsilon,
  });
  const rows: number[][] = [];
  for (const layer of loaded) rows.push(await meter.layerRow(layer));
  return { classes: targets.classes, similarity: targets.classes.map((_, c) => rows.map((row) => row[c]!)) };
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
