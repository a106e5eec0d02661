/**
 * One closeness check for products, with the tolerance taken from the backend's declared precision: entry (i, j)
 * of C = AB may differ from the float64 reference by tolerance · ‖row i of A‖ · ‖column j of B‖ (the
 * Cauchy–Schwarz bound of the entry, so one relative number covers every magnitude and zero stays exactly zero).
 * A failure reports shape, the first offending index, both values and the allowed difference.
 */
import { expect } from 'vitest';

export interface Dense {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function expectProductClose(actual: Dense, expected: Dense, rowScale: Float64Array, colScale: Float64Array, tolerance: number): void {
  expect(`${actual.rows}×${actual.cols}`, 'shape').toBe(`${expected.rows}×${expected.cols}`);
  expect(actual.data.length, 'length').toBe(expected.data.length);
  let worst = 0;
  for (let i = 0; i < expected.rows; i++) {
    for (let j = 0; j < expected.cols; j++) {
      const at = i * expected.cols + j;
      const got = actual.data[at]!;
      const want = expected.data[at]!;
      const allowed = tolerance * rowScale[i]! * colScale[j]!;
      const diff = Math.abs(got - want);
      if (!(diff <= allowed)) {
        throw new Error(`entry (${i}, ${j}) of ${expected.rows}×${expected.cols}: got ${got}, expected ${want}, |diff| ${diff} > allowed ${allowed}`);
      }
      if (allowed > 0) worst = Math.max(worst, diff / allowed);
    }
  }
  expect(worst).toBeLessThanOrEqual(1);
}
