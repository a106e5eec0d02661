import { METHODS, type BackendChoice, type ConvMode, type Layout, type Method } from '../../api/contract.js';
import { UsageError } from '../../errors.js';
import { disposeKernels } from '../../kernels/index.js';
import { backendFields, loadLayerPair, measureLayers, planComparison } from '../../measures/compare-layers.js';
import { expectPositionals } from '../args.js';
import { defineCommand } from '../command.js';

const USAGE =
  'svcca-studio compare A B --method cca|svcca|svcca-weighted|pwcca|cka|dft-cca [--keep 0.99 | --dims K] [--epsilon E] [--pwcca-compat reference] [--conv channels|flatten|dft|mean] [--layout nhwc|nchw] [--neurons-first] [--backend auto|cpu|gpu] [--json]';


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
    conv: { type: 'string', choices: ['channels', 'flatten', 'dft', 'mean'], description: 'conv layers: channels as neurons (default), flattened, DFT-CCA, or each channel\'s mean over positions' },
    layout: { type: 'string', choices: ['nhwc', 'nchw', 'ntc'], description: 'conv layer layout on disk (default nhwc)' },
    'neurons-first': { type: 'boolean', description: 'dense layers are stored (neurons, datapoints)' },
    backend: { type: 'string', choices: ['auto', 'cpu', 'gpu'], description: 'kernel backend; gpu falls back to the CPU with a note when there is none' },
  },
  async run({ positionals, options }, io) {
    expectPositionals(positionals, ['A', 'B'], USAGE);
    const [specA, specB] = positionals as [string, string];
    const method = options.method as Method | undefined;
    if (method === undefined) throw new UsageError(`--method is required (${METHODS.join('|')}); usage: ${USAGE}`);
    const plan = planComparison({
      method,
      keep: options.keep,
      dims: options.dims,
      epsilon: options.epsilon,
      pwccaCompat: options['pwcca-compat'] as 'reference' | undefined,
      conv: options.conv as ConvMode | undefined,
      layout: options.layout as Layout | undefined,
      neuronsFirst: options['neurons-first'],
      backend: options.backend as BackendChoice | undefined,
    });
    try {
      const [a, b] = await loadLayerPair(specA, specB, plan);
      const output = { ...(await measureLayers(a, b, plan)), ...(await backendFields(plan.choice)) };
      if (output['backend_note']) io.info(`note: ${String(output['backend_note'])}`);
      for (const layer of [a, b]) if (layer.note) io.info(`note: ${layer.note}`);
      io.result(output, () => describe(output, a.ref, b.ref));
      return 0;
    } finally {
      // A one-shot command releases the kernel threads so the process can exit.
      await disposeKernels();
    }
  },
});

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
  if (r['spatial_rule'] !== undefined) {
    const rule = String(r['spatial_rule']);
    rows.push(['spatial sizes', rule === 'same-size' ? 'equal (every circular shift)' : 'unequal: shifts common to both grids (common-shifts)']);
  }
  const coefficients = r['coefficients'] as number[];
  if (coefficients.length > 0) rows.push(['coefficients', list(coefficients)]);
  if (Array.isArray(r['weights'])) rows.push([`weights${r['weights_side'] ? ` (from ${String(r['weights_side'])})` : ''}`, list(r['weights'] as number[])]);
  rows.push(['backend', `${String(r['backend'])} (${String(r['kernel_backend'])}, ${String(r['precision'])})`]);
  if (typeof r['note'] === 'string') rows.push(['note', r['note']]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
