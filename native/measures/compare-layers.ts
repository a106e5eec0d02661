/**
 * Comparing two layer arrays end to end, as both front ends do it: options checked, both layers loaded (dense or conv:
 * channels / flatten / DFT-CCA), the measure run, the backend reported. The `compare` command and the app's compare
 * job both call this, so the numbers the UI shows are the numbers the CLI prints.
 */
import { checkMeasureChoice, type MeasureOptions } from '../domain/index.js';
import { InputError, UsageError } from '../errors.js';
import { backendInfo } from '../kernels/index.js';
import { asDense, loadLayer, type LayerData } from '../layers/index.js';
import { compareMatrices, validateCompareOptions, type BasisMethod, type CompareOptions } from './compare.js';
import { dftCca, type ConvLayer } from './dft-cca.js';
import type { MeasureResult } from './types.js';

export interface ComparisonPlan {
  readonly options: MeasureOptions;
  readonly conv: 'channels' | 'flatten' | 'dft';
  readonly choice: 'auto' | 'cpu' | 'gpu';
  /** Options of the dense measures; null when the layers are compared by frequency (DFT-CCA). */
  readonly basis: CompareOptions | null;
}

/** Checks the options before any file is read; usage errors name the offending flag. */
export function planComparison(options: MeasureOptions): ComparisonPlan {
  const method = options.method;
  const conv = options.conv ?? (method === 'dft-cca' ? 'dft' : 'channels');
  if (method === 'dft-cca' && conv !== 'dft') throw new UsageError(`--method dft-cca compares conv layers by frequency; --conv ${conv} does not apply`);
  if (options.keep !== undefined && !(options.keep > 0)) throw new UsageError(`--keep must be in (0, 1], got ${options.keep}`);
  const choice = options.backend ?? 'auto';
  const basis: CompareOptions | null =
    conv === 'dft'
      ? null
      : { method: method as BasisMethod, keep: options.keep, dims: options.dims, epsilon: options.epsilon, pwccaCompat: options.pwccaCompat, backend: choice };
  if (basis) validateCompareOptions(basis);
  else {
    checkMeasureChoice({ method, conv });
    if (options.pwccaCompat !== undefined) throw new UsageError('--pwcca-compat reference does not apply to --conv dft');
  }
  return { options, conv, choice, basis };
}

/** Both layers, in the plan's layout, refusing a pair that does not share its datapoints. */
export async function loadLayerPair(specA: string, specB: string, plan: ComparisonPlan): Promise<[LayerData, LayerData]> {
  const layerOptions = { layout: plan.options.layout ?? 'nhwc', neuronsFirst: Boolean(plan.options.neuronsFirst) };
  const a = await loadLayer(specA, layerOptions);
  const b = await loadLayer(specB, layerOptions);
  if (a.datapoints !== b.datapoints) {
    throw new InputError(b.ref, `has ${b.datapoints} datapoints but ${a.ref} has ${a.datapoints}; the two layers must share their datapoints, in the same order`);
  }
  return [a, b];
}

/** The measure of two loaded layers (no backend fields: see backendFields). */
export async function measureLayers(a: LayerData, b: LayerData, plan: ComparisonPlan): Promise<MeasureResult> {
  if (plan.basis) {
    const dense = plan.conv === 'flatten' ? 'flatten' : 'channels';
    if (dense === 'channels') checkSameSpatial(a, b);
    const x = asDense(a, dense);
    const y = asDense(b, dense);
    const measured = await compareMatrices(x, y, { ...plan.basis, refA: a.ref, refB: b.ref });
    return x.rows === a.datapoints ? measured : { ...measured, datapoints: a.datapoints, rows: x.rows };
  }
  const { method, epsilon, keep, dims } = plan.options;
  const { backend: _kernelName, ...measured } = await dftCca(convLayer(a), convLayer(b), {
    method: method === 'dft-cca' ? 'cca' : (method as 'cca' | 'svcca' | 'pwcca'),
    ...(epsilon !== undefined ? { epsilon } : {}),
    ...(keep !== undefined ? { keep } : {}),
    ...(dims !== undefined ? { dims } : {}),
    backend: plan.choice,
  });
  return measured;
}

/**
 * `backend` is the device class the contract names ("cpu" | "gpu"); the kernel backend that ran is `kernel_backend`.
 * Asking for a GPU where there is none runs on the CPU and says so (the kernel registry's rule), rather than failing.
 */
export async function backendFields(choice: ComparisonPlan['choice']): Promise<Record<string, unknown>> {
  const info = await backendInfo(choice);
  const fields: Record<string, unknown> = { backend: info.device, kernel_backend: info.label, precision: info.precision };
  if (choice === 'gpu' && info.device !== 'gpu') fields['backend_note'] = `no GPU kernel backend is available here; ran on ${info.name} (${info.precision})`;
  return fields;
}

/** Channel-wise comparison treats every position as a datapoint, so both layers need the same positions. */
function checkSameSpatial(a: LayerData, b: LayerData): void {
  const sa = a.spatial ? a.spatial.join('×') : 'dense';
  const sb = b.spatial ? b.spatial.join('×') : 'dense';
  if (sa !== sb) {
    throw new InputError(b.ref, `is ${sb === 'dense' ? 'a dense layer' : `a ${sb} conv layer`} but ${a.ref} is ${sa === 'dense' ? 'a dense layer' : `a ${sa} conv layer`}; --conv channels needs the same positions on both sides — use --conv flatten (or --conv dft for two conv layers)`);
  }
}

function convLayer(layer: LayerData): ConvLayer {
  if (!layer.spatial) throw new InputError(layer.ref, 'is a dense layer; dft-cca compares conv layers (datapoints, h, w, channels)');
  const [height, width] = layer.spatial;
  return { ref: layer.ref, datapoints: layer.datapoints, height, width, channels: layer.channels, data: layer.data };
}
