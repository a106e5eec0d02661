import { describe, expect, it } from 'vitest';
import { downsampleSeries, lttb, minMax } from '../../../renderer/src/shaping/downsample.js';

/** A long noisy timeline with one spike, like a loss curve with an outlier step. */
function timeline(n: number, spikeAt: number): { xs: number[]; ys: number[] } {
  let seed = 12345;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const xs = Array.from({ length: n }, (_, i) => i * 10);
  const ys = xs.map((_, i) => Math.exp(-i / (n / 4)) + 0.02 * rand());
  ys[spikeAt] = 5;
  return { xs, ys };
}

describe('lttb', () => {
  it('keeps exactly `threshold` ascending indices including both ends', () => {
    const { xs, ys } = timeline(100_000, 31_337);
    const kept = lttb(xs, ys, 800);
    expect(kept).toHaveLength(800);
    expect(kept[0]).toBe(0);
    expect(kept[kept.length - 1]).toBe(99_999);
    for (let i = 1; i < kept.length; i++) expect(kept[i]!).toBeGreaterThan(kept[i - 1]!);
  });

  it('keeps a lone spike (the largest triangle of its bucket)', () => {
    const { xs, ys } = timeline(50_000, 20_001);
    expect(lttb(xs, ys, 500)).toContain(20_001);
  });

  it('returns every index when the series is already short enough', () => {
    expect(lttb([0, 1, 2], [1, 2, 3], 10)).toEqual([0, 1, 2]);
  });

  it('picks the point furthest from the line through its neighbours (hand-checked 5-point case)', () => {
    // Buckets of the 3 middle points, one kept: x=2 (y=9) forms the largest triangle with (0,0) and (4,0).
    expect(lttb([0, 1, 2, 3, 4], [0, 1, 9, 2, 0], 3)).toEqual([0, 2, 4]);
  });
});

describe('minMax', () => {
  it('keeps the global minimum and maximum and stays within 2 points per bucket', () => {
    const { ys } = timeline(30_000, 12_345);
    const kept = minMax(ys, 300);
    const min = ys.indexOf(Math.min(...ys));
    expect(kept).toContain(12_345);
    expect(kept).toContain(min);
    expect(kept.length).toBeLessThanOrEqual(2 * 300 + 2);
    for (let i = 1; i < kept.length; i++) expect(kept[i]!).toBeGreaterThan(kept[i - 1]!);
  });
});

describe('downsampleSeries', () => {
  it('drops non-finite points before picking', () => {
    const points: Array<[number, number]> = [[0, 1], [1, Number.NaN], [2, 3], [3, Infinity], [4, 5]];
    expect(downsampleSeries(points, 10)).toEqual([[0, 1], [2, 3], [4, 5]]);
  });
});
