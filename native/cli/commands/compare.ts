import { METHODS } from '../../api/contract.js';
import { InputError, UsageError } from '../../errors.js';
import { backendInfo, disposeKernels, type BackendInfo } from '../../kernels/index.js';
import { asDense, loadLayer, type LayerData } from '../../layers/index.js';
import { compareMatrices, validateCompareOptions, type BasisMethod, type CompareOptions } from '../../measures/compare.js';
import { dftCca } from '../../measures/dft-cca.js';
import type { MeasureResult } from '../../measures/types.js';
import { expectPositionals } from '../args.js';
import { defineCommand } from '../command.js';

const USAGE =
  'svcca-studio compare A B --method cca|svcca|svcca-weighted|pwcca|cka|dft-cca [--keep 0.99 | --dims K] [--epsilon E] [--pwcca-compat reference] [--conv channels|flatten|dft] [--layout nhwc|nchw] [--neurons-first] [--backend auto|cpu|gpu] [--json]';

type Conv = 'channels' | 'flatten' | 'dft';

export const compareCommand = defineCommand({
  name: 'compare',
  usage: USAGE,
  summary: 'similarity of two layers (files, or file.npz:layer / file.safetensors:tensor / file.h5:dataset) by CCA, SVCCA, weighted SVCCA, PWCCA, linear CKA or DFT-CCA',
  options: {
    method: { type: 'string', choices: METHODS, description: 'the measure (required)' },
    keep: { type: 'number', min: 0, max: 1, description: 'keep the top singular directions reaching this fraction of the singular-value sum (svcca default 0.99)' },
    dims: { type: 'number', integer: true, min: 1, description: 'keep exactly K singular directions per layer' },
    epsilon: { type: 'number', min: 0, max: 0.999999, description: 'drop neurons whose variance is at most E × the largest neuron variance (default 1e-10)' },
    'pwcca-compat': { type: 'string', choices: ['reference'], description: 'PWCCA as the public reference code computes it' },
    conv: { type: 'string', choices: ['channels', 'flatten', 'dft'], description: 'conv layers: channels as neurons (default), flattened, or DFT-CCA' },
    layout: { type: 'string', choices: ['nhwc', 'nchw'], description: 'conv layer layout on disk (default nhwc)' },
    'neurons-first': { type: 'boolean', description: 'dense layers are stored (neurons, datapoints)' },
    backend: { type: 'string', choices: ['auto', 'cpu', 'gpu'], description: 'kernel backend; gpu falls back to the CPU with a note when there is none' },
  },
  async run({ positionals, options }, io) {
    expectPositionals(positionals, ['A', 'B'], USAGE);
    const [specA, specB] = positionals as [string, string];
    const method = options.method;
    if (method === undefined) throw new UsageError(`--method is required (${METHODS.join('|')}); usage: ${USAGE}`);
    const conv = (options.conv ?? (method === 'dft-cca' ? 'dft' : 'channels')) as Conv;
    if (method === 'dft-cca' && conv !== 'dft') throw new UsageError(`--method dft-cca compares conv layers by frequency; --conv ${conv} does not apply`);
    if (options.keep !== undefined && !(options.keep > 0)) throw new UsageError(`--keep must be in (0, 1], got ${options.keep}`);
    const choice = (options.backend ?? 'auto') as 'auto' | 'cpu' | 'gpu';
    const compareOptions: CompareOptions | null =
      conv === 'dft'
        ? null
        : {
            method: method as BasisMethod,
            keep: options.keep,
            dims: options.dims,
            epsilon: options.epsilon,
            pwccaCompat: options['pwcca-compat'] as 'reference' | undefined,
            backend: choice,
          };
    if (compareOptions) validateCompareOptions(compareOptions);
    else checkDftOptions(method, options['pwcca-compat']);

    try {
      const layerOptions = { layout: (options.layout ?? 'nhwc') as 'nhwc' | 'nchw', neuronsFirst: Boolean(options['neurons-first']) };
      const a = await loadLayer(specA, layerOptions);
      const b = await loadLayer(specB, layerOptions);
      if (a.datapoints !== b.datapoints) {
        throw new InputError(b.ref, `has ${b.datapoints} datapoints but ${a.ref} has ${a.datapoints}; the two layers must share their datapoints, in the same order`);
      }
      const info = await backendInfo(choice);
      let result: MeasureResult;
      if (compareOptions) {
        const dense = conv === 'flatten' ? 'flatten' : 'channels';
        if (dense === 'channels') checkSameSpatial(a, b);
        const x = asDense(a, dense);
        const y = asDense(b, dense);
        const measured = await compareMatrices(x, y, { ...compareOptions, refA: a.ref, refB: b.ref });
        result = x.rows === a.datapoints ? measured : { ...measured, datapoints: a.datapoints, rows: x.rows };
      } else {
        const { backend: _kernelName, ...measured } = await dftCca(convLayer(a), convLayer(b), {
          method: method === 'dft-cca' ? 'cca' : (method as 'cca' | 'svcca' | 'pwcca'),
          ...(options.epsilon !== undefined ? { epsilon: options.epsilon } : {}),
          ...(options.keep !== undefined ? { keep: options.keep } : {}),
          ...(options.dims !== undefined ? { dims: options.dims } : {}),
          backend: choice,
        });
        result = measured;
      }
      const output = { ...result, ...backendFields(choice, info) };
      if (output.backend_note) io.info(`note: ${String(output.backend_note)}`);
      io.result(output, () => describe(output, a.ref, b.ref));
      return 0;
    } finally {
      // A one-shot command releases the kernel threads so the process can exit.
      await disposeKernels();
    }
  },
});

function checkDftOptions(method: string, compat: string | undefined): void {
  if (method === 'cka' || method === 'svcca-weighted') throw new UsageError(`--conv dft supports cca, svcca and pwcca, not ${method}`);
  if (compat !== undefined) throw new UsageError('--pwcca-compat reference does not apply to --conv dft');
}

/**
 * `backend` is the device class the contract names ("cpu" | "gpu"); the kernel backend that ran is `kernel_backend`.
 * Asking for a GPU where there is none runs on the CPU and says so (the kernel registry's rule), rather than failing.
 */
function backendFields(choice: string, info: BackendInfo): Record<string, unknown> {
  const fields: Record<string, unknown> = { backend: info.device, kernel_backend: info.name, precision: info.precision };
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

function convLayer(layer: LayerData): { ref: string; datapoints: number; height: number; width: number; channels: number; data: Float64Array } {
  if (!layer.spatial) throw new InputError(layer.ref, 'is a dense layer; dft-cca compares conv layers (datapoints, h, w, channels)');
  const [height, width] = layer.spatial;
  return { ref: layer.ref, datapoints: layer.datapoints, height, width, channels: layer.channels, data: layer.data };
}

function fmt(v: unknown, digits = 4): string {
  return typeof v === 'number' ? v.toFixed(digits) : v === null || v === undefined ? '—' : String(v);
}

function list(values: readonly number[], shown = 8): string {
  if (values.length === 0) return '—';
  const head = values.slice(0, shown).map((v) => v.toFixed(3)).join(' ');
  return values.length > shown ? `${head} … (${values.length} in all)` : head;
}

function describe(r: Record<string, unknown>, refA: string, refB: string): string {
  const pair = (v: unknown): string => (Array.isArray(v) ? v.join(' / ') : fmt(v));
  const rows: Array<[string, string]> = [
    ['method', `${String(r['method'])}${r['compat'] ? ` (compat: ${String(r['compat'])})` : ''}${r['measure'] ? ` (${String(r['measure'])} per frequency)` : ''}`],
    ['A / B', `${refA} / ${refB}`],
    ['similarity', fmt(r['similarity'])],
  ];
  if (r['mean_square'] !== undefined) rows.push(['mean / mean-square', `${fmt(r['mean'])} / ${fmt(r['mean_square'])}`]);
  if (r['debiased'] !== undefined) rows.push(['debiased CKA', fmt(r['debiased'])]);
  rows.push(['datapoints', `${String(r['datapoints'])}${r['rows'] ? ` (${String(r['rows'])} rows: every position a datapoint)` : ''}`]);
  rows.push(['neurons', `${pair(r['neurons'])}${r['dropped'] ? ` (near-constant dropped: ${pair(r['dropped'])})` : ''}`]);
  rows.push(['dims', pair(r['dims'])]);
  const coefficients = r['coefficients'] as number[];
  if (coefficients.length > 0) rows.push(['coefficients', list(coefficients)]);
  if (Array.isArray(r['weights'])) rows.push([`weights${r['weights_side'] ? ` (from ${String(r['weights_side'])})` : ''}`, list(r['weights'] as number[])]);
  rows.push(['backend', `${String(r['backend'])} (${String(r['kernel_backend'])}, ${String(r['precision'])})`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
