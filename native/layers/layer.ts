import { InputError, UsageError } from '../errors.js';
import { formatShape } from '../formats/dtype.js';
import { openArray } from '../formats/index.js';
import type { ArraySource, DType } from '../formats/types.js';
import { matrix, type Matrix } from '../linalg/matrix.js';
import { firstNonFinite } from './finite.js';
import { transposeChannelsLast, transposeMatrix } from './transpose.js';

/** How a layer's array is laid out on disk (docs/contract.md §1.2). */
export interface LayerOptions {
  /**
   * Conv layers: `nhwc` (default) reads (m, h, w, c); `nchw` reads (m, c, h, w); `ntc` reads a sequence layer
   * (m, T, n) — datapoints, timesteps, units — and refuses 4-D arrays. Dense layers ignore it.
   */
  readonly layout?: 'nhwc' | 'nchw' | 'ntc';
  /** Dense layers: read (n, m) instead of (m, n), as the public SVCCA code stores them. Conv layers ignore it. */
  readonly neuronsFirst?: boolean;
}

/** One layer's activations, always datapoints first: (m, n) dense or (m, h, w, c) conv, float64 C order. */
export interface LayerData {
  /** `path` or `path:array`, for messages and results. */
  readonly ref: string;
  readonly datapoints: number;
  /** [h, w] for conv layers (3-D arrays count as h = 1), null for dense. */
  readonly spatial: readonly [number, number] | null;
  /** Neurons of a dense layer, channels of a conv layer. */
  readonly channels: number;
  readonly data: Float64Array;
  /** Said to the user when the values were converted on the way in (integer dtypes). */
  readonly note?: string;
}

/** What a layer will be, from its array's header alone (no data read). */
export interface LayerShape {
  readonly ref: string;
  readonly datapoints: number;
  readonly spatial: readonly [number, number] | null;
  readonly channels: number;
  readonly note?: string;
}

const INTEGER_DTYPES: ReadonlySet<DType> = new Set(['i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8']);

/** How a conv layer becomes a matrix: positions as rows, flattened, or each channel's mean over positions. */
export type ConvMode = 'channels' | 'flatten' | 'mean';

/**
 * Read a layer (`file` or `file:array`) and bring it to datapoints-first, channels-last float64.
 * - 2-D: dense (m, n); with `neuronsFirst`, (n, m) transposed.
 * - 4-D: conv (m, h, w, c); with layout `nchw`, (m, c, h, w) transposed.
 * - 3-D: a 1-D conv / sequence layer (m, t, c), or (m, c, t) under `nchw`; read as conv with h = 1, w = t (under
 *   `ntc` the same, named a sequence: (datapoints, timesteps, units); 4-D is refused there).
 * Anything else, an empty dimension, or a NaN/Inf value is an InputError naming the file.
 */
export async function loadLayer(spec: string, options: LayerOptions = {}): Promise<LayerData> {
  const source = await openArray(spec);
  return loadLayerFrom(source, options);
}

/**
 * The layer an array will make, checked from its header alone: rank, empty axes and dtype. Callers comparing two
 * layers check both shapes (and their datapoints) before either's data is read, so a mismatch costs no I/O.
 * Dtypes: floats are read as they are; integers (quantised activations) convert exactly to float64 below 2^53,
 * with a note; bool is refused — a 0/1 mask is not an activation, and CCA on one is almost always a mistake.
 */
export function layerShape(source: ArraySource, options: LayerOptions = {}): LayerShape {
  const layout = options.layout ?? 'nhwc';
  if (layout !== 'nhwc' && layout !== 'nchw' && layout !== 'ntc') throw new UsageError(`--layout must be nhwc, nchw or ntc, got ${JSON.stringify(layout)}`);
  const { shape, dtype } = source.info;
  checkLayerShape(source.ref, shape);
  if (layout === 'ntc' && shape.length === 4) {
    throw new InputError(source.ref, `array of shape ${formatShape(shape)} is 4-D; a sequence layer (--layout ntc) is (datapoints, timesteps, units)`);
  }
  if (dtype === 'b1') {
    throw new InputError(source.ref, 'holds bool values; activations must be numbers (if 0/1 is really meant, save x.astype(np.float32))');
  }
  const note = INTEGER_DTYPES.has(dtype) ? `${source.ref} holds ${dtype} integers, read as float64 (exact below 2^53)` : undefined;
  const extra = note ? { note } : {};
  if (shape.length === 2) {
    const [a, b] = shape as [number, number];
    return options.neuronsFirst
      ? { ref: source.ref, datapoints: b, spatial: null, channels: a, ...extra }
      : { ref: source.ref, datapoints: a, spatial: null, channels: b, ...extra };
  }
  const m = shape[0]!;
  const [h, w, c] =
    layout !== 'nchw'
      ? shape.length === 4 ? [shape[1]!, shape[2]!, shape[3]!] : [1, shape[1]!, shape[2]!]
      : shape.length === 4 ? [shape[2]!, shape[3]!, shape[1]!] : [1, shape[2]!, shape[1]!];
  return { ref: source.ref, datapoints: m, spatial: [h, w], channels: c, ...extra };
}

export async function loadLayerFrom(source: ArraySource, options: LayerOptions = {}): Promise<LayerData> {
  const layout = options.layout ?? 'nhwc';
  const described = layerShape(source, options);
  const shape = source.info.shape;
  const extra = described.note ? { note: described.note } : {};
  const raw = await source.readAll();
  const bad = firstNonFinite(raw);
  if (bad !== -1) {
    throw new InputError(source.ref, `${describeValue(raw[bad]!)} at index ${formatShape(unravel(bad, shape))} of shape ${formatShape(shape)}; activations must be finite`);
  }
  if (shape.length === 2) {
    const [a, b] = shape as [number, number];
    if (options.neuronsFirst) return { ref: source.ref, datapoints: b, spatial: null, channels: a, data: transposeMatrix(raw, a, b), ...extra };
    return { ref: source.ref, datapoints: a, spatial: null, channels: b, data: raw, ...extra };
  }
  // Conv: bring (m, h, w, c) or (m, c, h, w) [3-D: (m, t, c) or (m, c, t)] to (m, h, w, c).
  const m = shape[0]!;
  let h: number, w: number, c: number;
  if (layout !== 'nchw') {
    [h, w, c] = shape.length === 4 ? [shape[1]!, shape[2]!, shape[3]!] : [1, shape[1]!, shape[2]!];
    return { ref: source.ref, datapoints: m, spatial: [h, w], channels: c, data: raw, ...extra };
  }
  [c, h, w] = shape.length === 4 ? [shape[1]!, shape[2]!, shape[3]!] : [shape[1]!, 1, shape[2]!];
  return { ref: source.ref, datapoints: m, spatial: [h, w], channels: c, data: transposeChannelsLast(raw, m, c, h * w), ...extra };
}

function checkLayerShape(ref: string, shape: readonly number[]): void {
  const rank = shape.length;
  const expected = 'a layer is (datapoints, neurons) or (datapoints, h, w, channels)';
  if (rank < 2) {
    const hint = rank === 1 ? `; if it is one neuron, save it as shape (${shape[0]}, 1)` : '';
    throw new InputError(ref, `array of shape ${formatShape(shape)} is ${rank}-D; ${expected}${hint}`);
  }
  if (rank > 4) throw new InputError(ref, `array of shape ${formatShape(shape)} is ${rank}-D; ${expected}`);
  const zero = shape.indexOf(0);
  if (zero !== -1) throw new InputError(ref, `array of shape ${formatShape(shape)} is empty (axis ${zero} has size 0)`);
}

/**
 * A layer as a (rows × neurons) matrix, without copying (the NHWC buffer already has this row-major layout):
 * dense → m × n; conv `channels` → (m·h·w) × c, every position a datapoint; conv `flatten` → m × (h·w·c);
 * conv `mean` → m × c, each channel averaged over its positions (a new buffer: [Morcos2018-PWCCA] sec. 3.1's choice).
 */
export function asDense(layer: LayerData, conv: ConvMode = 'channels'): Matrix {
  if (layer.spatial === null) return matrix(layer.datapoints, layer.channels, layer.data);
  const [h, w] = layer.spatial;
  if (conv === 'channels') return matrix(layer.datapoints * h * w, layer.channels, layer.data);
  if (conv === 'flatten') return matrix(layer.datapoints, h * w * layer.channels, layer.data);
  if (conv === 'mean') return positionMeans(layer);
  throw new UsageError(`--conv must be channels, flatten, mean or dft, got ${JSON.stringify(conv)}`);
}

/** (m, h, w, c) → (m, c): every channel's mean over the h·w positions. */
function positionMeans(layer: LayerData): Matrix {
  const m = layer.datapoints;
  const c = layer.channels;
  const positions = layer.spatial![0] * layer.spatial![1];
  const out = new Float64Array(m * c);
  for (let i = 0; i < m; i++) {
    const row = i * c;
    for (let p = 0; p < positions; p++) {
      const at = (i * positions + p) * c;
      for (let j = 0; j < c; j++) out[row + j]! += layer.data[at + j]!;
    }
    for (let j = 0; j < c; j++) out[row + j]! /= positions;
  }
  return matrix(m, c, out);
}

/** Neurons a layer contributes under a conv mode (dense layers: their width). */
export function neuronCount(layer: LayerData, conv: ConvMode = 'channels'): number {
  if (layer.spatial === null || conv === 'channels' || conv === 'mean') return layer.channels;
  return layer.spatial[0] * layer.spatial[1] * layer.channels;
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) {
    index[a] = flat % shape[a]!;
    flat = Math.floor(flat / shape[a]!);
  }
  return index;
}

function describeValue(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Inf' : '-Inf';
}
