import { describe, expect, it } from 'vitest';
import { lookupTable, viridis } from '../../../renderer/src/shaping/colormap.js';
import { cellAt, matrixToRgba, MISSING_RGBA, valueRange } from '../../../renderer/src/shaping/matrixImage.js';

const hex = (h: string): number[] => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));

describe('viridis', () => {
  it('matches matplotlib viridis at 0, 0.25, 0.5, 0.75 and 1 within 5/255 (the fit is within 2%)', () => {
    // matplotlib.cm.viridis at those points, as hex: #440154 #3b528b #21918c #5ec962 #fde725
    const expected: Array<[number, string]> = [[0, '#440154'], [0.25, '#3b528b'], [0.5, '#21918c'], [0.75, '#5ec962'], [1, '#fde725']];
    for (const [t, h] of expected) {
      const got = viridis(t);
      hex(h).forEach((v, c) => expect(Math.abs(got[c]! - v), `t=${t} channel ${c}`).toBeLessThanOrEqual(5));
    }
  });
});

describe('matrixToRgba', () => {
  const m = [
    [1.0, 0.2, 0.5],
    [0.2, 1.0, 0.8],
    [0.5, 0.8, 1.0],
  ];
  const table = lookupTable();
  const colourOf = (v: number, min: number, max: number): number[] => {
    const k = Math.round(((v - min) / (max - min)) * 255);
    return Array.from(table.slice(k * 4, k * 4 + 4));
  };

  it('puts matrix[order[r]][order[c]] at pixel (r, c), scaled over the finite range', () => {
    const order = [2, 0, 1];
    const rgba = matrixToRgba(m, { order });
    expect(rgba).toHaveLength(3 * 3 * 4);
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) {
        const pixel = Array.from(rgba.slice((r * 3 + c) * 4, (r * 3 + c) * 4 + 4));
        expect(pixel, `pixel ${r},${c}`).toEqual(colourOf(m[order[r]!]![order[c]!]!, 0.2, 1.0));
      }
    }
    // The extremes take the ends of the colour map.
    expect(Array.from(rgba.slice(0, 4))).toEqual([...viridis(1), 255]);
  });

  it('draws missing and non-finite cells grey, never as a low value', () => {
    const rgba = matrixToRgba([
      [1, Number.NaN],
      [null, 0],
    ]);
    expect(Array.from(rgba.slice(4, 8))).toEqual([...MISSING_RGBA]);
    expect(Array.from(rgba.slice(8, 12))).toEqual([...MISSING_RGBA]);
    expect(valueRange([[1, Number.NaN], [null, 0]])).toEqual({ min: 0, max: 1 });
  });

  it('refuses an order that is not a permutation', () => {
    expect(() => matrixToRgba(m, { order: [0, 0, 1] })).toThrow(/permutation/);
    expect(() => matrixToRgba(m, { order: [0, 1] })).toThrow(/permutation/);
  });

  it('handles a 500×500 matrix (the cluster view size) with one pixel per cell', () => {
    const n = 500;
    const big = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : Math.cos(i - j) * 0.5 + 0.4)));
    const rgba = matrixToRgba(big);
    expect(rgba).toHaveLength(n * n * 4);
    expect(Array.from(rgba.slice(0, 4))).toEqual([...viridis(1), 255]);
  });
});

describe('cellAt', () => {
  it('maps pixels onto cells and refuses points outside', () => {
    expect(cellAt(0, 0, 500, 10)).toEqual({ row: 0, col: 0 });
    expect(cellAt(499.9, 250, 500, 10)).toEqual({ row: 5, col: 9 });
    expect(cellAt(500, 0, 500, 10)).toBeNull();
    expect(cellAt(-1, 0, 500, 10)).toBeNull();
  });
});
