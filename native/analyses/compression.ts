/**
 * Compression preview ([Raghu2017-SVCCA] sec. 4.4, Fig. 3 and App.5; [Raghu2017-SVCCA-ICMLW] sec. 2.1 and 4.5): replace
 * the next layer's W·x by (W·Pᵀ)(P·x), P a k × n projection onto k chosen directions of the layer, and measure what the
 * network still gets right, for k = 1..n.
 *
 * The projection: the layer's centered activations are projected, in data space, onto the span of k orthonormal
 * directions H_k (directions.ts) — "projecting each neuron into this k dimensional space"
 * ([Raghu2017-SVCCA-ICMLW] sec. 2.1) — and the mean is kept: X_k = 1·μᵀ + H_k·H_kᵀ·X_c. This is a linear map of rank
 * k on each input (x ↦ μ + M_k·(x − μ)), so the next layer factors as (W·L_k)(R_k·x) with L_k n × k, R_k k × n, and
 * W·μ folds into the bias: k·(n + out) parameters and multiply-adds instead of n·out. For the SVD directions it is the
 * orthogonal projection onto the top-k principal directions; for neuron subsets it is the least-squares
 * reconstruction of every neuron from the k kept ones.
 *
 * Direction sets: `svcca` (against the logits, the paper's better choice in App.5), `svd`, `random` (k random
 * neurons, averaged over `draws` seeded permutations) and `max_activation` (the k neurons of largest mean |x| over
 * the probe datapoints); with `against`, `svcca_net` (SVCCA against the same layer of another net).
 *
 * The next layer's output z_k = X_k·Wᵀ + b is updated one direction at a time (z_{d+1} = z_d + h·(hᵀ·X_c·Wᵀ)), and
 * the rest of the network (dense-chain.ts) turns it into predictions: accuracy on the probe labels, agreement with
 * the uncompressed predictions. At k = n every projection is the identity, so the accuracy is the network's own.
 */
import type { CompressRequest, CompressResult } from '../domain/index.js';
import { InputError, UsageError } from '../errors.js';
import type { WorkspaceIndex } from '../index/index.js';
import { asDense, type LayerData } from '../layers/index.js';
import { matrix, type Matrix } from '../linalg/matrix.js';
import { matmulNT } from '../linalg/util.js';
import { prepareBasis } from '../measures/prepare.js';
import { svccaTruncation } from '../measures/svcca.js';
import type { Truncation } from '../measures/types.js';
import { readProbeLabels } from './class-targets.js';
import { ProgressCounter, type AnalysisContext } from './context.js';
import { affine, argmaxRows, buildDenseChain, finishChain, type DenseStage, type StageSource } from './dense-chain.js';
import { columns, orthonormalize, svccaDirections, svdDirections, type OrderedDirections } from './directions.js';
import { RunLayers, type Step } from './run-layers.js';
import { DEFAULT_SEED, permutation, randomStream } from './sampling.js';

/** "Within half a point": accuracy at most 0.5 percentage points below the uncompressed network's. */
export const HALF_POINT = 0.005;
export const DEFAULT_DRAWS = 10;

export interface Curve {
  accuracy: number[];
  agreement: number[];
}

export interface CompressionInputs {
  /** The layer, datapoints × n (conv layers flattened in (h, w, c) order). */
  readonly layer: Matrix;
  readonly ref: string;
  readonly stages: readonly DenseStage[];
  readonly labels: Int32Array;
  /** SVCCA targets by accuracy key: `svcca` (the logits) and optionally `svcca_net`. */
  readonly svccaTargets: ReadonlyArray<{ key: string; target: Matrix; ref: string }>;
  readonly draws: number;
  readonly seed: number;
  readonly truncation?: Truncation;
}

export interface CompressionCurves {
  readonly n: number;
  readonly fullAccuracy: number;
  readonly curves: Record<string, Curve>;
  readonly randomSd: number[];
  readonly svcca: Record<string, { correlations: number[]; dims: [number, number] }>;
}

export async function compressionCurves(inputs: CompressionInputs, context: AnalysisContext = {}): Promise<CompressionCurves> {
  const { layer: x, stages, labels, draws, seed } = inputs;
  const m = x.rows;
  const n = x.cols;
  if (labels.length !== m) throw new InputError(inputs.ref, `has ${m} datapoints but there are ${labels.length} probe labels`);
  if (!Number.isInteger(draws) || draws < 1) throw new UsageError(`--draws must be a whole number ≥ 1, got ${draws}`);
  const first = stages[0]!;
  const zFull = affine(x, first);
  const fullPredictions = argmaxRows(finishChain(zFull, stages));
  const fullAccuracy = agreementOf(fullPredictions, labels);

  // z_k = base + Σ h·(hᵀ·T): base = μ·Wᵀ + b per row, T = X_c·Wᵀ.
  const mean = new Float64Array(n);
  for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) mean[j]! += x.data[r * n + j]!;
  for (let j = 0; j < n; j++) mean[j]! /= m;
  const centered = matrix(m, n);
  for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) centered.data[r * n + j] = x.data[r * n + j]! - mean[j]!;
  const base = affine(matrix(1, n, mean), first).data;
  const t = matmulNT(centered, first.weight);

  const evaluate = (directions: OrderedDirections, perCandidate: boolean): Curve => {
    const out = t.cols;
    const z = matrix(m, out);
    for (let r = 0; r < m; r++) z.data.set(base, r * out);
    const accuracy: number[] = [];
    const agreement: number[] = [];
    let used = 0;
    let last: { accuracy: number; agreement: number } | null = null;
    for (let k = 1; k <= n; k++) {
      const want = perCandidate ? directions.countAfter[Math.min(k, directions.countAfter.length) - 1]! : Math.min(k, directions.vectors.length);
      if (want > used || last === null) {
        for (; used < want; used++) addDirection(z, directions.vectors[used]!, t);
        const predictions = argmaxRows(finishChain(z, stages));
        last = { accuracy: agreementOf(predictions, labels), agreement: agreementOf(predictions, fullPredictions) };
      }
      accuracy.push(last.accuracy);
      agreement.push(last.agreement);
    }
    return { accuracy, agreement };
  };

  const truncation = svccaTruncation(inputs.truncation);
  const layerBasis = await prepareBasis(x, { epsilon: 0, ref: inputs.ref });
  const progress = new ProgressCounter(context, 'compression preview', inputs.svccaTargets.length + 2 + draws);
  const curves: Record<string, Curve> = {};
  const svcca: CompressionCurves['svcca'] = {};
  for (const { key, target, ref } of inputs.svccaTargets) {
    await progress.step(`${key} directions`, async () => {
      const directions = await svccaDirections(layerBasis, await prepareBasis(target, { ref }), truncation);
      svcca[key] = { correlations: directions.correlations, dims: directions.dims };
      curves[key] = evaluate(directions, false);
    });
  }
  await progress.step('svd directions', () => {
    curves['svd'] = evaluate(svdDirections(layerBasis), false);
  });
  const random = randomStream(seed);
  const drawn: Curve[] = [];
  for (let d = 0; d < draws; d++) {
    await progress.step(`random neurons, draw ${d + 1}`, () => {
      drawn.push(evaluate(orthonormalize(m, columns(centered, permutation(n, random))), true));
    });
  }
  curves['random'] = { accuracy: meanCurve(drawn.map((c) => c.accuracy)), agreement: meanCurve(drawn.map((c) => c.agreement)) };
  const randomSd = sdCurve(drawn.map((c) => c.accuracy));
  await progress.step('most active neurons', () => {
    curves['max_activation'] = evaluate(orthonormalize(m, columns(centered, mostActive(x))), true);
  });
  return { n, fullAccuracy, curves, randomSd, svcca };
}

/** z += h·(hᵀ·T). */
function addDirection(z: Matrix, h: Float64Array, t: Matrix): void {
  const out = t.cols;
  const coef = new Float64Array(out);
  for (let r = 0; r < t.rows; r++) {
    const hr = h[r]!;
    if (hr === 0) continue;
    for (let j = 0; j < out; j++) coef[j]! += hr * t.data[r * out + j]!;
  }
  for (let r = 0; r < z.rows; r++) {
    const hr = h[r]!;
    if (hr === 0) continue;
    for (let j = 0; j < out; j++) z.data[r * out + j]! += hr * coef[j]!;
  }
}

/** Neurons by mean |activation| over the datapoints, largest first (ties: lower index first). */
export function mostActive(x: Matrix): number[] {
  const score = new Float64Array(x.cols);
  for (let r = 0; r < x.rows; r++) for (let j = 0; j < x.cols; j++) score[j]! += Math.abs(x.data[r * x.cols + j]!);
  return Array.from({ length: x.cols }, (_, j) => j).sort((a, b) => score[b]! - score[a]! || a - b);
}

function agreementOf(a: Int32Array, b: Int32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

function meanCurve(curves: number[][]): number[] {
  return curves[0]!.map((_, k) => curves.reduce((s, c) => s + c[k]!, 0) / curves.length);
}

function sdCurve(curves: number[][]): number[] {
  if (curves.length < 2) return curves[0]!.map(() => 0);
  const mean = meanCurve(curves);
  return mean.map((m, k) => Math.sqrt(curves.reduce((s, c) => s + (c[k]! - m) ** 2, 0) / (curves.length - 1)));
}

/** The smallest k whose accuracy is within half a point of the full accuracy (k = n always is). */
export function smallestKWithin(accuracy: readonly number[], full: number, margin = HALF_POINT): number {
  // A hair of slack: accuracies are ratios of counts, and full − 0.005 is not exact in binary.
  const i = accuracy.findIndex((a) => a >= full - margin - 1e-12);
  return i === -1 ? accuracy.length : i + 1;
}

export interface CompressionSavings {
  k: number;
  /** Width of the compressed layer (n) and outputs of the next layer. */
  n: number;
  out: number;
  /** Next layer's weights: n·out before, k·(n + out) after (its bias is unchanged). */
  params_full: number;
  params_compressed: number;
  params_saved_fraction: number;
  /** Per datapoint, 2 flops per multiply-add. */
  flops_full: number;
  flops_compressed: number;
  flops_saved_fraction: number;
  /** The largest k that still saves anything: ⌊n·out/(n + out)⌋. */
  break_even_k: number;
}

export function savingsAt(k: number, n: number, out: number): CompressionSavings {
  const full = n * out;
  const compressed = k * (n + out);
  return {
    k,
    n,
    out,
    params_full: full,
    params_compressed: compressed,
    params_saved_fraction: 1 - compressed / full,
    flops_full: 2 * full,
    flops_compressed: 2 * compressed,
    flops_saved_fraction: 1 - compressed / full,
    break_even_k: Math.floor(full / (n + out)),
  };
}

export interface RunCompressResult extends CompressResult {
  step: Step;
  agreement: Record<string, number[]>;
  random_sd: number[];
  smallest_k: Record<string, number>;
  savings: CompressionSavings;
  next_layers: Array<{ name: string; activation: string; mismatch: number | null }>;
  /** probe_acc run.json records for this checkpoint, if any. */
  run_json_accuracy: number | null;
  draws: number;
  seed: number;
  svcca_correlations: Record<string, number[]>;
  svcca_dims: Record<string, [number, number]>;
  /** The layer entered as (h·w·c) flattened neurons (a conv layer before a dense one). */
  flattened: boolean;
  against?: string;
}

export async function runCompress(store: WorkspaceIndex, request: CompressRequest, context: AnalysisContext = {}): Promise<RunCompressResult> {
  const run = new RunLayers(store, request.run, { layout: request.layout });
  const step = run.resolveStep(request.step);
  const layers = run.layerNames(step);
  const position = layers.indexOf(request.layer);
  if (position === -1) store.resolveLayer(run.name, step, request.layer); // throws the index's message naming the layers
  const layerData = await run.load(step, request.layer);
  const x = asDense(layerData, 'flatten');
  const checkpoint = store.checkpoints(run.name).find((c) => c.step === step)!;

  const sources = await stageSources(run, step, layers, position, request.nextWeights, layerData);
  const parameters = store.weights(run.name, step);
  if (parameters.length === 0) {
    throw new InputError(checkpoint.path, 'has no weights.safetensors (the parameters as a PyTorch state dict); the compression preview needs the next layer\'s weights');
  }
  const stages = await buildDenseChain(x, sources, parameters, checkpoint.path);
  const { path: labelsPath, labels } = await readProbeLabels(store);
  if (labels.length !== x.rows) throw new InputError(labelsPath, `has ${labels.length} labels but ${layerData.ref} has ${x.rows} datapoints`);

  const outputs = finishChain(affine(x, stages[0]!), stages);
  const svccaTargets = [{ key: 'svcca', target: outputs, ref: `${run.name} outputs (${stages[stages.length - 1]!.name})` }];
  if (request.against !== undefined) {
    const other = new RunLayers(store, request.against, { layout: request.layout });
    const otherLayer = await other.load(other.resolveStep('last'), request.layer);
    svccaTargets.push({ key: 'svcca_net', target: asDense(otherLayer, 'flatten'), ref: otherLayer.ref });
  }
  const draws = request.draws ?? DEFAULT_DRAWS;
  const seed = request.seed ?? DEFAULT_SEED;
  const result = await compressionCurves({ layer: x, ref: layerData.ref, stages, labels, svccaTargets, draws, seed }, context);

  const order = ['svcca', 'svd', 'random', 'max_activation', 'svcca_net'].filter((key) => key in result.curves);
  const accuracy = Object.fromEntries(order.map((key) => [key, result.curves[key]!.accuracy])) as CompressResult['accuracy'];
  const smallest = Object.fromEntries(order.map((key) => [key, smallestKWithin(result.curves[key]!.accuracy, result.fullAccuracy)]));
  const k = smallest['svcca']!;
  return {
    run: run.name,
    layer: request.layer,
    step,
    n: result.n,
    full_accuracy: result.fullAccuracy,
    k: Array.from({ length: result.n }, (_, i) => i + 1),
    accuracy,
    smallest_k_within_half_point: k,
    agreement: Object.fromEntries(order.map((key) => [key, result.curves[key]!.agreement])),
    random_sd: result.randomSd,
    smallest_k: smallest,
    savings: savingsAt(k, result.n, stages[0]!.weight.rows),
    next_layers: stages.map((s) => ({ name: s.name, activation: s.activation, mismatch: s.mismatch })),
    run_json_accuracy: run.recordedAccuracy(step) ?? null,
    draws,
    seed,
    svcca_correlations: Object.fromEntries(Object.entries(result.svcca).map(([key, v]) => [key, v.correlations])),
    svcca_dims: Object.fromEntries(Object.entries(result.svcca).map(([key, v]) => [key, v.dims])),
    flattened: layerData.spatial !== null,
    ...(request.against !== undefined ? { against: request.against } : {}),
  };
}

/** The dense stages after the layer: the rest of the run's layers, or from `--next-weights NAME` on. */
async function stageSources(run: RunLayers, step: Step, layers: string[], position: number, nextWeights: string | undefined, layer: LayerData): Promise<StageSource[]> {
  let names: string[];
  if (nextWeights !== undefined) {
    const at = layers.indexOf(nextWeights);
    if (at !== -1 && at <= position) throw new UsageError(`--next-weights ${nextWeights} is not after ${layers[position]} in the run's layer order (${layers.join(', ')})`);
    names = at === -1 ? [nextWeights] : layers.slice(at);
  } else {
    names = layers.slice(position + 1);
    if (names.length === 0) throw new InputError(layer.ref, `"${layers[position]}" is the run's output layer: there is no next layer to compress into (compress a layer below it)`);
  }
  const sources: StageSource[] = [];
  for (const name of names) {
    if (!layers.includes(name)) {
      sources.push({ name, saved: null });
      continue;
    }
    const saved = await run.load(step, name);
    sources.push({ name, saved: asDense(saved, 'flatten'), ref: saved.ref });
  }
  return sources;
}
