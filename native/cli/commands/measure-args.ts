/**
 * The measure and layer options the second-wave analysis commands share (stability, correlate, grid, groups,
 * timesteps), stated once: their specs and the request fields they become.
 */
import { METHODS, type ConvMode, type Layout, type Method } from '../../api/contract.js';

export const layerOptionSpecs = {
  conv: { type: 'string', choices: ['channels', 'flatten', 'mean'], description: 'conv layers: positions as rows (default), flattened, or each channel averaged over positions' },
  epsilon: { type: 'number', min: 0, description: 'relative variance below which a neuron is dropped' },
  layout: { type: 'string', choices: ['nhwc', 'nchw', 'ntc'], description: 'conv layer layout on disk (default nhwc)' },
  'neurons-first': { type: 'boolean', description: 'dense layers are stored (neurons, datapoints)' },
  db: { type: 'string', description: 'index file' },
} as const;

export const measureOptionSpecs = {
  ...layerOptionSpecs,
  conv: { type: 'string', choices: ['channels', 'flatten', 'mean', 'dft'], description: 'conv layers: channels (default), flatten, mean over positions, or dft' },
  method: { type: 'string', choices: METHODS, description: 'the measure' },
  keep: { type: 'number', min: 0, max: 1, description: 'fraction of the singular-value sum kept' },
  dims: { type: 'number', integer: true, min: 1, description: 'keep exactly K singular directions' },
} as const;

interface LayerOptionValues {
  conv?: string;
  epsilon?: number;
  layout?: string;
  'neurons-first'?: boolean;
}

/** The request fields of the layer options that were given (absent ones left out). */
export function layerFields(options: LayerOptionValues): { conv?: ConvMode; epsilon?: number; layout?: Layout; neuronsFirst?: boolean } {
  return {
    ...(options.conv !== undefined ? { conv: options.conv as ConvMode } : {}),
    ...(options.epsilon !== undefined ? { epsilon: options.epsilon } : {}),
    ...(options.layout !== undefined ? { layout: options.layout as Layout } : {}),
    ...(options['neurons-first'] ? { neuronsFirst: true } : {}),
  };
}

export function measureFields(options: LayerOptionValues & { method?: string; keep?: number; dims?: number }): ReturnType<typeof layerFields> & { method?: Method; keep?: number; dims?: number } {
  return {
    ...layerFields(options),
    ...(options.method !== undefined ? { method: options.method as Method } : {}),
    ...(options.keep !== undefined ? { keep: options.keep } : {}),
    ...(options.dims !== undefined ? { dims: options.dims } : {}),
  };
}
