/**
 * Intrinsic dimensionality ([Raghu2017-SVCCA] sec. 2 and 4.4; [Raghu2017-SVCCA-ICMLW] contribution 1): how many
 * directions a layer's centered activations need, per layer and checkpoint.
 *
 * Spectrum: σ₁ ≥ σ₂ ≥ … of the centered layer over its rows (near-constant neurons dropped, numerical rank kept:
 * prepare.ts). Two counts per fraction f:
 *  - `k`: the smallest k with σ₁ + … + σ_k ≥ f·Σσ — SVCCA's own rule (the `--keep` of compare, [Raghu2017-SVCCA]
 *    appendix A);
 *  - `k_variance`: the smallest k with σ₁² + … + σ_k² ≥ f·Σσ², the share of variance (PCA's rule).
 * Conv layers: `channels` (default: rows = datapoints × positions, channels as neurons) or `flatten`.
 */
import type { StepRef } from '../domain/index.js';
import { UsageError } from '../errors.js';
import type { WorkspaceIndex } from '../index/index.js';
import type { LayerOptions } from '../layers/index.js';
import { prepareBasis } from '../measures/prepare.js';
import { ProgressCounter, type AnalysisContext } from './context.js';
import { checkRowMode, layerMatrix, type RowMode } from './layer-rows.js';
import { RunLayers, type Step } from './run-layers.js';

export const DEFAULT_FRACTIONS: readonly number[] = [0.9, 0.99];

/** Smallest k whose leading values reach `fraction` of the total (of the values, or of their squares). */
export function dimsFor(values: ArrayLike<number>, fraction: number, rule: 'sum' | 'variance'): number {
  const n = values.length;
  if (n === 0) return 0;
  const w = (i: number): number => (rule === 'sum' ? values[i]! : values[i]! * values[i]!);
  let total = 0;
  for (let i = 0; i < n; i++) total += w(i);
  let running = 0;
  for (let k = 1; k <= n; k++) {
    running += w(k - 1);
    if (running >= fraction * total) return k;
  }
  return n;
}

export interface SpectrumRequest {
  run: string;
  conv?: RowMode;
  epsilon?: number;
  fractions?: number[];
  /** Only these checkpoints (default all). */
  steps?: StepRef[];
  layout?: LayerOptions['layout'];
  neuronsFirst?: boolean;
}

export interface SpectrumResult {
  run: string;
  layers: string[];
  steps: Step[];
  conv: RowMode;
  fractions: number[];
  /** Neurons of each layer as it entered (channels, or h·w·c flattened). */
  neurons: Record<string, number>;
  /** [layer][step]: singular values of the centered layer, descending. */
  spectra: Record<string, number[][]>;
  /** [layer][step]: numerical rank. */
  rank: Record<string, number[]>;
  /** [fraction as text][layer][step]: SVCCA's rule (sum of singular values). */
  k: Record<string, Record<string, number[]>>;
  /** [fraction as text][layer][step]: share of variance (sum of squares). */
  k_variance: Record<string, Record<string, number[]>>;
}

export async function runSpectrum(store: WorkspaceIndex, request: SpectrumRequest, context: AnalysisContext = {}): Promise<SpectrumResult> {
  const conv = checkRowMode(request.conv ?? 'channels');
  const fractions = request.fractions ?? [...DEFAULT_FRACTIONS];
  for (const f of fractions) if (!(f > 0 && f <= 1)) throw new UsageError(`fractions must be in (0, 1], got ${f}`);
  const run = new RunLayers(store, request.run, { layout: request.layout, neuronsFirst: request.neuronsFirst });
  const steps = request.steps ? [...new Set(request.steps.map((s) => run.resolveStep(s)))] : run.steps;
  const layers = run.layerNames(steps[steps.length - 1]!);
  const progress = new ProgressCounter(context, 'spectra', steps.length * layers.length);
  const result: SpectrumResult = { run: run.name, layers, steps, conv, fractions, neurons: {}, spectra: {}, rank: {}, k: {}, k_variance: {} };
  for (const f of fractions) {
    result.k[String(f)] = {};
    result.k_variance[String(f)] = {};
  }
  for (const layer of layers) {
    result.spectra[layer] = [];
    result.rank[layer] = [];
    for (const f of fractions) {
      result.k[String(f)]![layer] = [];
      result.k_variance[String(f)]![layer] = [];
    }
    for (const step of steps) {
      await progress.step(`step ${step} ${layer}`, async () => {
        const data = await run.load(step, layer);
        // A layer alone keeps its own grid: every position a row under `channels`.
        const x = layerMatrix(data, conv, data.spatial);
        result.neurons[layer] = x.cols;
        const basis = await prepareBasis(x, { epsilon: request.epsilon, ref: data.ref });
        const sigma = Array.from(basis.singularValues);
        result.spectra[layer]!.push(sigma);
        result.rank[layer]!.push(basis.rank);
        for (const f of fractions) {
          result.k[String(f)]![layer]!.push(dimsFor(sigma, f, 'sum'));
          result.k_variance[String(f)]![layer]!.push(dimsFor(sigma, f, 'variance'));
        }
      });
    }
  }
  return result;
}
