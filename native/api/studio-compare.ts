/**
 * `compare` for the app: the same pipeline as the `compare` command (native/cli/commands/compare.ts) — load both
 * layers, dense or conv (channels / flatten / DFT-CCA), the measures' compare — so the UI shows the numbers the CLI
 * prints, plus an optional noise floor: the same comparison with B's datapoints shuffled (the pairing between the
 * two layers broken, everything else kept), averaged over a few shuffles.
 *
 * The CLI command keeps its pipeline inside the command; when the measures area exports it as a function, this file
 * should call that instead, so the two cannot drift.
 */
import { mulberry32 } from '../analyses/group-stats.js';
import { CancelledError, InputError, UsageError } from '../errors.js';
import { backendInfo } from '../kernels/index.js';
import { asDense, loadLayer } from '../layers/index.js';
import type { LayerData } from '../layers/index.js';
import { compareMatrices, validateCompareOptions } from '../measures/compare.js';
import type { BasisMethod, CompareOptions } from '../measures/compare.js';
import { dftCca } from '../measures/dft-cca.js';
import type { CompareRequest, CompareResult, NoiseFloor } from './contract.js';

/** Shuffles are seeded, so the same request shows the same noise floor every time. */
const NOISE_SEED = 0x5eed;

export interface CompareContext {
  signal: AbortSignal;
  progress(done: number, total: number, label?: string): void;
}

type Measured = Record<string, unknown> & { similarity: number; coefficients: number[] };

export async function compareForStudio(request: CompareRequest, context: CompareContext): Promise<CompareResult> {
  const method = request.method;
  const conv = request.conv ?? (method === 'dft-cca' ? 'dft' : 'channels');
  if (method === 'dft-cca' && conv !== 'dft') throw new UsageError(`method dft-cca compares conv layers by frequency; conv ${conv} does not apply`);
  const choice = request.backend ?? 'auto';
  const basisOptions: CompareOptions | null =
    conv === 'dft'
      ? null
      : { method: method as BasisMethod, keep: request.keep, dims: request.dims, epsilon: request.epsilon, pwccaCompat: request.pwccaCompat, backend: choice };
  if (basisOptions) validateCompareOptions(basisOptions);
  else if (method === 'cka' || method === 'svcca-weighted') throw new UsageError(`conv dft supports cca, svcca and pwcca, not ${method}`);

  const shuffles = Math.max(0, Math.floor(request.noiseFloor ?? 0));
  const total = 3 + shuffles;
  context.progress(0, total, 'Loading layers');
  const layerOptions = { layout: request.layout ?? 'nhwc', neuronsFirst: Boolean(request.neuronsFirst) };
  const a = await loadLayer(request.a, layerOptions);
  const b = await loadLayer(request.b, layerOptions);
  if (a.datapoints !== b.datapoints) {
    throw new InputError(b.ref, `has ${b.datapoints} datapoints but ${a.ref} has ${a.datapoints}; the two layers must share their datapoints, in the same order`);
  }
  checkNotCancelled(context.signal);
  context.progress(2, total, 'Comparing');

  const measure = async (left: LayerData, right: LayerData): Promise<Measured> => {
    if (basisOptions) {
      const dense = conv === 'flatten' ? 'flatten' : 'channels';
      if (dense === 'channels') checkSameSpatial(left, right);
      const x = asDense(left, dense);
      const y = asDense(right, dense);
      const measured = (await compareMatrices(x, y, { ...basisOptions, refA: left.ref, refB: right.ref })) as unknown as Measured;
      return x.rows === left.datapoints ? measured : { ...measured, datapoints: left.datapoints, rows: x.rows };
    }
    const { backend: _kernel, ...measured } = await dftCca(convLayer(left), convLayer(right), {
      method: method === 'dft-cca' ? 'cca' : (method as 'cca' | 'svcca' | 'pwcca'),
      ...(request.epsilon !== undefined ? { epsilon: request.epsilon } : {}),
      ...(request.keep !== undefined ? { keep: request.keep } : {}),
      ...(request.dims !== undefined ? { dims: request.dims } : {}),
      backend: choice,
    });
    return measured as unknown as Measured;
  };

  const result = await measure(a, b);
  checkNotCancelled(context.signal);
  const info = await backendInfo(choice);
  const output: Record<string, unknown> = { ...result, backend: info.device, kernel_backend: info.name, precision: info.precision };
  if (choice === 'gpu' && info.device !== 'gpu') output['backend_note'] = `no GPU kernel backend is available here; ran on ${info.name} (${info.precision})`;

  if (shuffles > 0) {
    const random = mulberry32(NOISE_SEED);
    const sums = new Float64Array(result.coefficients.length);
    let similarity = 0;
    for (let s = 0; s < shuffles; s++) {
      context.progress(3 + s, total, `Noise floor: shuffle ${s + 1} of ${shuffles}`);
      const shuffled = await measure(a, shuffleDatapoints(b, random));
      checkNotCancelled(context.signal);
      similarity += shuffled.similarity;
      shuffled.coefficients.forEach((c, i) => {
        if (i < sums.length) sums[i]! += c;
      });
    }
    const floor: NoiseFloor = { shuffles, similarity: similarity / shuffles, coefficients: Array.from(sums, (v) => v / shuffles) };
    output['noise_floor'] = floor;
  }
  context.progress(total, total, 'Done');
  return output as unknown as CompareResult;
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

/** Channel-wise comparison treats every position as a datapoint, so both layers need the same positions. */
function checkSameSpatial(a: LayerData, b: LayerData): void {
  const sa = a.spatial ? a.spatial.join('×') : 'dense';
  const sb = b.spatial ? b.spatial.join('×') : 'dense';
  if (sa !== sb) {
    throw new InputError(
      b.ref,
      `is ${sb === 'dense' ? 'a dense layer' : `a ${sb} conv layer`} but ${a.ref} is ${sa === 'dense' ? 'a dense layer' : `a ${sa} conv layer`}; conv channels needs the same positions on both sides — use conv flatten (or dft for two conv layers)`,
    );
  }
}

function convLayer(layer: LayerData): { ref: string; datapoints: number; height: number; width: number; channels: number; data: Float64Array } {
  if (!layer.spatial) throw new InputError(layer.ref, 'is a dense layer; dft-cca compares conv layers (datapoints, h, w, channels)');
  const [height, width] = layer.spatial;
  return { ref: layer.ref, datapoints: layer.datapoints, height, width, channels: layer.channels, data: layer.data };
}
