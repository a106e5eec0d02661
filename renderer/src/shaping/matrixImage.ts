/**
 * A similarity matrix as an RGBA image, one pixel per cell, rows and columns permuted into the clustering's leaf
 * order. Drawn scaled with smoothing off, a 500×500 matrix is one drawImage instead of 250,000 chart shapes.
 */
import { lookupTable } from './colormap.js';

export interface ValueRange {
  min: number;
  max: number;
}

/** Missing or non-finite cells are drawn in this grey, so that they never pass for a low similarity. */
export const MISSING_RGBA = [128, 128, 128, 255] as const;

/** The finite extent of the matrix; a constant matrix gets a unit-width range so colours stay defined. */
export function valueRange(matrix: ReadonlyArray<ReadonlyArray<number | null>>): ValueRange {
  let min = Infinity;
  let max = -Infinity;
  for (const row of matrix) {
    for (const v of row) {
      if (v === null || !Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (min === Infinity) return { min: 0, max: 1 };
  if (max - min < 1e-12) return { min: min - 0.5, max: max + 0.5 };
  return { min, max };
}

/**
 * RGBA bytes (row-major, `order.length`² pixels): pixel (r, c) shows matrix[order[r]][order[c]].
 * `order` defaults to the identity; it must be a permutation of the matrix's indices.
 */
export function matrixToRgba(
  matrix: ReadonlyArray<ReadonlyArray<number | null>>,
  options: { order?: readonly number[]; range?: ValueRange; table?: Uint8ClampedArray } = {},
): Uint8ClampedArray<ArrayBuffer> {
  const n = matrix.length;
  const order = options.order ?? Array.from({ length: n }, (_, i) => i);
  if (order.length !== n || new Set(order).size !== n || order.some((i) => !(i >= 0 && i < n))) {
    throw new RangeError(`order must be a permutation of 0..${n - 1}`);
  }
  const range = options.range ?? valueRange(matrix);
  const table = options.table ?? lookupTable();
  const scale = 255 / (range.max - range.min);
  const out = new Uint8ClampedArray(n * n * 4);
  for (let r = 0; r < n; r++) {
    const row = matrix[order[r]!]!;
    if (row.length !== n) throw new RangeError(`matrix row ${order[r]} has ${row.length} values, expected ${n}`);
    let p = r * n * 4;
    for (let c = 0; c < n; c++, p += 4) {
      const v = row[order[c]!];
      if (v === null || v === undefined || !Number.isFinite(v)) {
        out.set(MISSING_RGBA, p);
        continue;
      }
      const t = Math.round((v - range.min) * scale);
      const k = (t < 0 ? 0 : t > 255 ? 255 : t) * 4;
      out[p] = table[k]!;
      out[p + 1] = table[k + 1]!;
      out[p + 2] = table[k + 2]!;
      out[p + 3] = 255;
    }
  }
  return out;
}

/** The cell under a point of a square drawing of `n` cells spanning `size` pixels, or null outside it. */
export function cellAt(x: number, y: number, size: number, n: number): { row: number; col: number } | null {
  if (x < 0 || y < 0 || x >= size || y >= size || n === 0) return null;
  return { row: Math.min(n - 1, Math.floor((y / size) * n)), col: Math.min(n - 1, Math.floor((x / size) * n)) };
}
