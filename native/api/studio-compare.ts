/**
 * `compare` for the app: the `compare` command's own pipeline (measures/compare-layers.ts), so the UI shows the
 * numbers the CLI prints, plus an optional noise floor: the same comparison with B's datapoints shuffled (the pairing
 * between the two layers broken, everything else kept), averaged over a few shuffles.
 */
import { mulberry32 } from '../analyses/group-stats.js';
import { CancelledError } from '../errors.js';
import type { LayerData } from '../layers/index.js';
import { backendFields, loadLayerPair, measureLayers, planComparison } from '../measures/compare-layers.js';
import type { MeasureResult } from '../measures/types.js';
import type { CompareRequest, CompareResult, NoiseFloor } from './contract.js';

/** Shuffles are seeded, so the same request shows the same noise floor every time. */
const NOISE_SEED = 0x5eed;

export interface CompareContext {
  signal: AbortSignal;
  progress(done: number, total: number, label?: string): void;
}

export async function compareForStudio(request: CompareRequest, context: CompareContext): Promise<CompareResult> {
  const plan = planComparison(request);
  const shuffles = Math.max(0, Math.floor(request.noiseFloor ?? 0));
  const total = 3 + shuffles;
  context.progress(0, total, 'Loading layers');
  const [a, b] = await loadLayerPair(request.a, request.b, plan);
  checkNotCancelled(context.signal);
  context.progress(2, total, 'Comparing');

  const result = await measureLayers(a, b, plan);
  checkNotCancelled(context.signal);
  const output: Record<string, unknown> = { ...result, ...(await backendFields(plan.choice)) };

  if (shuffles > 0) {
    const random = mulberry32(NOISE_SEED);
    const sums = new Float64Array(coefficientsOf(result).length);
    let similarity = 0;
    for (let s = 0; s < shuffles; s++) {
      context.progress(3 + s, total, `Noise floor: shuffle ${s + 1} of ${shuffles}`);
      const shuffled = await measureLayers(a, shuffleDatapoints(b, random), plan);
      checkNotCancelled(context.signal);
      similarity += shuffled['similarity'] as number;
      coefficientsOf(shuffled).forEach((c, i) => {
        if (i < sums.length) sums[i]! += c;
      });
    }
    const floor: NoiseFloor = { shuffles, similarity: similarity / shuffles, coefficients: Array.from(sums, (v) => v / shuffles) };
    output['noise_floor'] = floor;
  }
  context.progress(total, total, 'Done');
  return output as unknown as CompareResult;
}

function coefficientsOf(result: MeasureResult): number[] {
  return result['coefficients'] as number[];
}

function checkNotCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError('compare');
}

/** B with its datapoints in a random order (Fisher–Yates); a conv datapoint moves with all its positions. */
export function shuffleDatapoints(layer: LayerData, random: () => number): LayerData {
  const m = layer.datapoints;
  const block = layer.data.length / m;
  const order = Array.from({ length: m }, (_, i) => i);
  for (let i = m - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const data = new Float64Array(layer.data.length);
  order.forEach((from, to) => data.set(layer.data.subarray(from * block, (from + 1) * block), to * block));
  return { ...layer, ref: `${layer.ref} (datapoints shuffled)`, data };
}
