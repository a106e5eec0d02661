/**
 * Class sensitivity ([Raghu2017-SVCCA], sec. 4.3, Fig. 6; [Raghu2017-SVCCA-ICMLW], sec. 4.4): the similarity between
 * each layer and each class's logit over the probe datapoints, per checkpoint. A class target is one column, so every
 * CCA-family method reduces to its single canonical correlation: the multiple correlation of the target with the
 * layer's (kept) directions.
 *
 * Conv layers: a class target has no spatial extent, so under `channels` a conv map is globally average-pooled (its
 * zero DFT frequency — what the paper's DFT-CCA of a layer against a logit reduces to); `flatten` compares all
 * h·w·c neurons (many directions over few datapoints inflate the correlation: check the noise floor).
 *
 * Findings derived per class c, from its timeline v_c(s) = mean similarity over the hidden layers (all but the
 * output layer, which contains the logits itself) at checkpoint s:
 *  - learned_at: the first checkpoint from which v_c stays at or above `fraction` of its value at the reference;
 *  - early_order: classes by the mean of v_c over the checkpoints before the reference (learned earliest first);
 *  - class_correlation: Pearson correlation of two classes' (checkpoint × hidden layer) profiles, and the
 *    average-linkage order of 1 − correlation: classes that behave alike sit together.
 */
import type { Method, StepRef } from '../domain/index.js';
import { UsageError } from '../errors.js';
import type { WorkspaceIndex } from '../index/index.js';
import type { LayerData, LayerOptions } from '../layers/index.js';
import { matrix, type Matrix } from '../linalg/matrix.js';
import { BASIS_METHODS, compareBases, type BasisMethod } from '../measures/compare.js';
import { chooseDims, singularValuesOf } from '../measures/pair.js';
import { basisMatrix, prepareBasis } from '../measures/prepare.js';
import type { PreparedBasis } from '../measures/types.js';
import { averageLinkageFromSimilarity } from './clustering.js';
import { checkTargetKind, labelTargets, logitTargets, readProbeLabels, type ClassTargetKind, type ClassTargets } from './class-targets.js';
import { ProgressCounter, type AnalysisContext } from './context.js';
import { convergenceIndex } from './convergence.js';
import { checkRowMode, layerMatrix, type RowMode } from './layer-rows.js';
import { RunLayers, type Step } from './run-layers.js';

export const DEFAULT_LEARNED_FRACTION = 0.9;

export interface SensitivityOptions {
  readonly method: BasisMethod;
  readonly conv: RowMode;
  readonly keep?: number;
  readonly dims?: number;
  readonly epsilon?: number;
}

/** Similarity of layers with each class target; target bases are prepared once. */
export class ClassSensitivityMeter {
  private readonly targetBases: Array<Promise<PreparedBasis>>;

  constructor(
    readonly targets: ClassTargets,
    readonly options: SensitivityOptions,
  ) {
    const { columns, classes } = targets;
    this.targetBases = classes.map((name, c) => prepareBasis(column(columns, c), { epsilon: options.epsilon, ref: `class ${name} ${targets.kind}` }));
  }

  /** One layer's similarity with every class, in class order. */
  async layerRow(layer: LayerData): Promise<number[]> {
    const { method, conv, keep, dims, epsilon } = this.options;
    const full = await prepareBasis(layerMatrix(layer, conv, null), { epsilon, ref: layer.ref });
    // A class target is one logit (rank ≤ 1), so `dims` can only mean the layer's side: the layer is cut to its top
    // `dims` directions first and the pair then keeps every direction of both (keep 1).
    const basis = dims !== undefined && method !== 'cka' ? await leadingDirections(full, chooseDims(full, { dims }), epsilon) : full;
    const compare = method === 'cka' ? { method, epsilon } : dims !== undefined ? { method, keep: 1, epsilon } : { method, keep, epsilon };
    const row: number[] = [];
    for (const target of this.targetBases) row.push((await compareBases(basis, await target, compare)).similarity);
    return row;
  }
}

/** The layer's top k directions as a layer of its own: Q_k·diag(σ_k), whose SVD is those k directions again. */
async function leadingDirections(p: PreparedBasis, k: number, epsilon: number | undefined): Promise<PreparedBasis> {
  const q = basisMatrix(p, k);
  const sigma = singularValuesOf(p);
  for (let r = 0; r < q.rows; r++) for (let j = 0; j < k; j++) q.data[r * k + j]! *= sigma[j]!;
  return prepareBasis(q, { epsilon, ref: p.ref });
}

function column(m: Matrix, c: number): Matrix {
  const out = matrix(m.rows, 1);
  for (let r = 0; r < m.rows; r++) out.data[r] = m.data[r * m.cols + c]!;
  return out;
}

export interface ClassSensitivityRequest {
  run: string;
  /** Checkpoint whose logits are the targets; default the last. */
  reference?: StepRef;
  target?: ClassTargetKind;
  method?: Method;
  conv?: RowMode;
  keep?: number;
  dims?: number;
  epsilon?: number;
  /** learned_at: fraction of the reference value to reach and keep (default 0.9). */
  fraction?: number;
  layout?: LayerOptions['layout'];
  neuronsFirst?: boolean;
}

export interface ClassSensitivityResult {
  run: string;
  layers: string[];
  steps: Step[];
  classes: string[];
  method: BasisMethod;
  target: ClassTargetKind;
  conv: RowMode;
  reference: Step;
  /** [step][class][layer]. */
  similarity: number[][][];
  /** Layers averaged into each class's timeline (all but the output layer). */
  hidden_layers: string[];
  timeline: Record<string, number[]>;
  fraction: number;
  learned_at: Record<string, Step | null>;
  early_order: string[];
  class_correlation: number[][];
  class_order: string[];
}

export function checkSensitivityMethod(method: Method): BasisMethod {
  if (!(BASIS_METHODS as readonly string[]).includes(method)) throw new UsageError(`class sensitivity compares with ${BASIS_METHODS.join('|')}, not ${method}`);
  return method as BasisMethod;
}

export async function runClassSensitivity(store: WorkspaceIndex, request: ClassSensitivityRequest, context: AnalysisContext = {}): Promise<ClassSensitivityResult> {
  const method = checkSensitivityMethod(request.method ?? 'svcca');
  const conv = checkRowMode(request.conv ?? 'channels');
  const kind = checkTargetKind(request.target ?? 'logits');
  const fraction = request.fraction ?? DEFAULT_LEARNED_FRACTION;
  if (!(fraction > 0 && fraction <= 1)) throw new UsageError(`--fraction must be in (0, 1], got ${fraction}`);
  const run = new RunLayers(store, request.run, { layout: request.layout, neuronsFirst: request.neuronsFirst });
  const reference = run.resolveStep(request.reference);
  const layers = run.layerNames(reference);
  const steps = run.steps;
  const output = await run.load(reference, layers[layers.length - 1]!);
  const targets = kind === 'logits' ? logitTargets(output, run.info.meta) : await labelsFor(store, output.datapoints);
  const meter = new ClassSensitivityMeter(targets, { method, conv, keep: request.keep, dims: request.dims, epsilon: request.epsilon });
  const progress = new ProgressCounter(context, 'class sensitivity', steps.length * layers.length);

  const similarity: number[][][] = [];
  for (const step of steps) {
    const perLayer: number[][] = [];
    for (const layer of layers) perLayer.push(await progress.step(`step ${step} ${layer}`, async () => meter.layerRow(await run.load(step, layer))));
    similarity.push(targets.classes.map((_, c) => perLayer.map((row) => row[c]!)));
  }
  return {
    run: run.name,
    layers,
    steps,
    classes: targets.classes,
    method,
    target: kind,
    conv,
    reference,
    similarity,
    ...classFindings(similarity, layers, steps, targets.classes, steps.indexOf(reference), fraction),
  };
}

async function labelsFor(store: WorkspaceIndex, datapoints: number): Promise<ClassTargets> {
  const { path, labels } = await readProbeLabels(store);
  return labelTargets(labels, path, datapoints);
}

/** The per-class findings of the module comment, from similarity[step][class][layer]. */
export function classFindings(
  similarity: number[][][],
  layers: readonly string[],
  steps: readonly Step[],
  classes: readonly string[],
  referenceIndex: number,
  fraction: number,
): Pick<ClassSensitivityResult, 'hidden_layers' | 'timeline' | 'fraction' | 'learned_at' | 'early_order' | 'class_correlation' | 'class_order'> {
  const hidden = layers.length > 1 ? layers.length - 1 : layers.length;
  const timeline = classes.map((_, c) => similarity.map((perClass) => average(perClass[c]!.slice(0, hidden))));
  const learnedAt = timeline.map((t) => {
    const final = t[referenceIndex]!;
    if (!(final > 0)) return null;
    const i = convergenceIndex(t.map((v) => v / final), referenceIndex, fraction);
    return i === -1 ? null : steps[i]!;
  });
  const early = timeline.map((t) => (referenceIndex > 0 ? average(t.slice(0, referenceIndex)) : t[0]!));
  const earlyOrder = classes.map((_, c) => c).sort((a, b) => early[b]! - early[a]! || a - b);
  const profiles = classes.map((_, c) => similarity.flatMap((perClass) => perClass[c]!.slice(0, hidden)));
  const correlation = profiles.map((p, i) => profiles.map((q, j) => (i === j ? 1 : pearson(p, q))));
  const order = averageLinkageFromSimilarity(correlation).order;
  return {
    hidden_layers: layers.slice(0, hidden),
    timeline: Object.fromEntries(classes.map((name, c) => [name, timeline[c]!])),
    fraction,
    learned_at: Object.fromEntries(classes.map((name, c) => [name, learnedAt[c]!])),
    early_order: earlyOrder.map((c) => classes[c]!),
    class_correlation: correlation,
    class_order: order.map((c) => classes[c]!),
  };
}

function average(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Pearson correlation; 0 when either profile is constant (no variation to correlate). */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const mx = average(x);
  const my = average(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]! - mx;
    const b = y[i]! - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}
