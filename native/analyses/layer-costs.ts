/**
 * Forward multiply-adds per datapoint of each layer, from the shapes of its saved parameters (no data read):
 *  - dense `<layer>.weight` (out, in): out·in;
 *  - conv `<layer>.weight` (out, in, kh, kw): out·in·kh·kw per output position, times the h·w positions of the
 *    layer's own activation map (its output grid).
 * A layer without a weight tensor costs 0 (pooling, flatten, activations: no parameters, negligible work).
 */
import type { IndexedArray } from '../index/index.js';

export interface LayerCost {
  readonly layer: string;
  /** Forward multiply-adds per datapoint. */
  readonly forward: number;
  /** Parameters (weight and bias). */
  readonly parameters: number;
}

/**
 * `weights`: the checkpoint's parameter arrays; `spatial`: each layer's activation grid ([h, w]) or null (dense).
 * Returns null when no layer has a weight tensor (no weights.* file): the caller then says so.
 */
export function layerCosts(layers: readonly string[], weights: readonly IndexedArray[], spatial: ReadonlyMap<string, readonly [number, number] | null>): LayerCost[] | null {
  const byName = new Map(weights.map((w) => [w.name, w.shape] as const));
  let any = false;
  const costs = layers.map((layer) => {
    const w = byName.get(`${layer}.weight`);
    const b = byName.get(`${layer}.bias`);
    const size = (shape: readonly number[] | undefined): number => (shape ? shape.reduce((x, y) => x * y, 1) : 0);
    if (!w) return { layer, forward: 0, parameters: size(b) };
    any = true;
    const grid = spatial.get(layer) ?? null;
    const positions = w.length >= 3 && grid ? grid[0] * grid[1] : 1;
    return { layer, forward: size(w) * positions, parameters: size(w) + size(b) };
  });
  return any ? costs : null;
}
