/**
 * How two layers are made comparable row by row when an analysis compares every layer with every other one
 * (dynamics, class sensitivity, layer identification). The contract's conv modes decide:
 *
 *  - `flatten`: every layer is (m, h·w·c): rows are the m datapoints.
 *  - `channels` (the default): channels are the neurons and every spatial position is a row (m·h·w rows). Two layers
 *    only share rows when they share their grid, so the finer map is first average-pooled to the coarser grid
 *    (adaptive pooling, pooling.ts), and a conv layer paired with a dense one is pooled to 1×1 (global average
 *    pooling: the zero frequency, the only one a dense layer has). This is the resizing the SVCCA authors suggest for
 *    conv layers of different sizes, and it leaves same-grid pairs (a layer with itself at another checkpoint)
 *    exactly as `compare --conv channels` sees them.
 *  - `mean`: every channel averaged over all positions, (m, c) — [Morcos2018-PWCCA] sec. 3.1's choice; the same as `channels`
 *    pooled to 1×1.
 *
 * A layer's matrix at one grid is computed once and shared (`LayerRows`).
 */
import { UsageError } from '../errors.js';
import type { RowMode } from '../domain/index.js';
import type { LayerData } from '../layers/index.js';
import { matrix, type Matrix } from '../linalg/matrix.js';
import { adaptiveAveragePool } from './pooling.js';

export { ROW_MODES, type RowMode } from '../domain/index.js';

/** The grid a pair of layers is compared on: null = one row per datapoint (dense, flattened or pooled to 1×1). */
export type Grid = readonly [number, number] | null;

export function checkRowMode(conv: string): RowMode {
  if (conv === 'channels' || conv === 'flatten' || conv === 'mean') return conv;
  throw new UsageError(`--conv must be channels, flatten or mean here, got '${conv}'`);
}

/** The grid on which layers `a` and `b` are compared under `mode`. */
export function pairGrid(a: LayerData, b: LayerData, mode: RowMode): Grid {
  if (mode !== 'channels' || a.spatial === null || b.spatial === null) return null;
  const h = Math.min(a.spatial[0], b.spatial[0]);
  const w = Math.min(a.spatial[1], b.spatial[1]);
  return h === 1 && w === 1 ? null : [h, w];
}

export function gridKey(grid: Grid): string {
  return grid === null ? 'datapoints' : `${grid[0]}x${grid[1]}`;
}

/** Rows per datapoint of a layer's matrix on `grid`. */
export function rowsPerDatapoint(grid: Grid): number {
  return grid === null ? 1 : grid[0] * grid[1];
}

/** The layer as a rows × neurons matrix on `grid` (see the module comment). */
export function layerMatrix(layer: LayerData, mode: RowMode, grid: Grid): Matrix {
  const m = layer.datapoints;
  if (layer.spatial === null) return matrix(m, layer.channels, layer.data);
  const [h, w] = layer.spatial;
  const c = layer.channels;
  if (mode === 'flatten') return matrix(m, h * w * c, layer.data);
  const [th, tw] = mode === 'mean' ? [1, 1] : grid ?? [1, 1];
  return matrix(m * th * tw, c, adaptiveAveragePool(layer.data, m, [h, w], c, [th, tw]));
}

/** How a layer enters a comparison, for results: its matrix shape and whether it was pooled. */
export function describeRows(layer: LayerData, mode: RowMode, grid: Grid): string {
  if (layer.spatial === null) return 'dense';
  if (mode === 'flatten') return 'flattened';
  if (mode === 'mean') return 'mean over positions';
  const [th, tw] = grid ?? [1, 1];
  const [h, w] = layer.spatial;
  return th === h && tw === w ? 'channels' : `channels pooled ${h}x${w}→${th}x${tw}`;
}
