/** Convergence steps and the Freeze Training hint on small hand-worked cases. */
import { describe, expect, it } from 'vitest';
import { convergenceIndex } from '../../../native/analyses/convergence.js';
import { freezeHint } from '../../../native/analyses/freeze-hint.js';
import { layerCosts } from '../../../native/analyses/layer-costs.js';
import type { IndexedArray } from '../../../native/index/index.js';

describe('convergence', () => {
  it('is the first checkpoint from which the timeline stays at or above the threshold, before the reference', () => {
    expect(convergenceIndex([0.95, 0.85, 0.91, 0.93, 1], 4, 0.9)).toBe(2);
    expect(convergenceIndex([0.95, 0.96, 0.97, 1], 3, 0.9)).toBe(0);
    expect(convergenceIndex([0.5, 0.6, 0.89, 1], 3, 0.9)).toBe(-1); // only the reference itself reaches it
    expect(convergenceIndex([0.5, 0.95, 0.6, 1], 2, 0.9)).toBe(1); // a chosen earlier reference: later steps ignored
  });
});

describe('freeze hint', () => {
  it('freezes a layer once it and every layer below have settled; the top layer never', () => {
    const h = freezeHint(['a', 'b', 'c', 'd'], [40, 20, 60, 10], 100, null);
    expect(h.freeze_at).toEqual([40, 40, 60, null]);
    expect(h.schedule.map((e) => e.frozen_fraction)).toEqual([0.6, 0.6, 0.4, 0]);
    const never = freezeHint(['a', 'b', 'c'], [10, null, 30], 100, null);
    expect(never.freeze_at).toEqual([10, null, null]);
  });

  it('saves weight gradients of frozen layers and input gradients once everything below is frozen (uniform costs)', () => {
    // Layers of cost 1; freeze at [40, 40, 60, never] of T = 100.
    // Backward per step: 4 weight gradients + 3 input gradients (the first layer's input is data) = 7.
    // Saved: weights 0.6 + 0.6 + 0.4 + 0 = 1.6; inputs of b, c, d after a, b, c are frozen: 0.6 + 0.6 + 0.4 = 1.6.
    const h = freezeHint(['a', 'b', 'c', 'd'], [40, 20, 60, 10], 100, null);
    expect(h.cost_model).toBe('uniform');
    expect(h.backward_saved).toBeCloseTo(3.2 / 7, 15);
    expect(h.training_saved).toBeCloseTo(3.2 / 11, 15);
    // The paper's linear regime: layer i of 4 frozen at i/4 of training: 25, 50, 75, never.
    expect(h.linear_schedule.freeze_at).toEqual([25, 50, 75, null]);
    expect(h.linear_schedule.backward_saved).toBeCloseTo((0.75 + 0.5 + 0.25 + 0.75 + 0.5 + 0.25) / 7, 15);
  });

  it('weighs layers by their forward multiply-adds from the weight shapes', () => {
    const w = (name: string, shape: number[]): IndexedArray => ({ name, shape, spec: name, path: name, array: name, format: 'safetensors', dtype: 'f4', byteOrder: 'little', order: 'C', dataOffset: 0, byteLength: 0, compressed: false, fileSize: 0, fileMtimeMs: 0 });
    const costs = layerCosts(
      ['conv', 'pool', 'fc'],
      [w('conv.weight', [8, 3, 3, 3]), w('conv.bias', [8]), w('fc.weight', [10, 128]), w('fc.bias', [10])],
      new Map([['conv', [4, 4] as [number, number]], ['pool', [2, 2] as [number, number]], ['fc', null]]),
    )!;
    expect(costs).toEqual([
      { layer: 'conv', forward: 8 * 3 * 9 * 16, parameters: 8 * 27 + 8 },
      { layer: 'pool', forward: 0, parameters: 0 },
      { layer: 'fc', forward: 1280, parameters: 1290 },
    ]);
    expect(layerCosts(['a'], [], new Map())).toBeNull();
    const h = freezeHint(['conv', 'pool', 'fc'], [50, 50, 80], 100, costs);
    // Backward: weights 3456 + 0 + 1280, inputs 0 + 1280 = 6016; saved: 0.5·3456 + 0.5·0 + 0.5·1280 (fc input after pool) = 2368.
    expect(h.backward_saved).toBeCloseTo(2368 / 6016, 15);
  });
});
