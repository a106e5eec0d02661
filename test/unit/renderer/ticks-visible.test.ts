import { describe, expect, it } from 'vitest';
import { niceTicks, tickLabel } from '../../../renderer/src/shaping/ticks.js';
import { lowerBound, upperBound, visibleSlice } from '../../../renderer/src/shaping/visible.js';

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 × 10^k inside the range', () => {
    expect(niceTicks(0, 10_000, 5)).toEqual([0, 2000, 4000, 6000, 8000, 10000]);
    expect(niceTicks(0.07, 0.11, 4)).toEqual([0.07, 0.08, 0.09, 0.1, 0.11]);
    expect(niceTicks(3, 3)).toEqual([3]);
    expect(tickLabel(1260)).toBe('1,260');
    expect(tickLabel(0.1 + 0.2)).toBe('0.3');
  });
});

describe('visibleSlice', () => {
  const xs = Float64Array.from({ length: 10_000 }, (_, i) => i);
  const ys = Float64Array.from(xs, (x) => Math.sin(x / 50) + (x === 5_123 ? 10 : 0));

  it('keeps the points in range plus one neighbour each side when they fit', () => {
    const slice = visibleSlice({ xs, ys }, 100.5, 110, 100);
    expect(slice.xs).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111]);
    expect(slice.ys[0]).toBe(ys[100]);
  });

  it('decimates to at most 4 points per pixel column, keeping spikes and both ends', () => {
    const slice = visibleSlice({ xs, ys }, 0, 9_999, 200);
    expect(slice.xs.length).toBeLessThanOrEqual(4 * 202);
    expect(slice.xs).toContain(5_123);
    expect(slice.xs[0]).toBe(0);
    expect(slice.xs[slice.xs.length - 1]).toBe(9_999);
    for (let i = 1; i < slice.xs.length; i++) expect(slice.xs[i]!).toBeGreaterThan(slice.xs[i - 1]!);
    // Every column's extremes survive: the drawn min and max equal the data's.
    expect(Math.max(...slice.ys)).toBe(Math.max(...ys));
    expect(Math.min(...slice.ys)).toBe(Math.min(...ys));
  });

  it('binary searches agree with a linear scan', () => {
    const sorted = [1, 2, 2, 2, 5, 8];
    for (const x of [0, 1, 2, 3, 5, 8, 9]) {
      expect(lowerBound(sorted, x)).toBe(sorted.findIndex((v) => v >= x) === -1 ? sorted.length : sorted.findIndex((v) => v >= x));
      expect(upperBound(sorted, x)).toBe(sorted.findIndex((v) => v > x) === -1 ? sorted.length : sorted.findIndex((v) => v > x));
    }
  });
});
