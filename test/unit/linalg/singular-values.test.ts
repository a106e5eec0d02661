import { describe, expect, it } from 'vitest';
import { matrix } from '../../../native/linalg/matrix.js';
import { singularValues } from '../../../native/linalg/singular-values.js';
import { svd } from '../../../native/linalg/svd.js';
import { matmul, transpose } from '../../../native/linalg/util.js';
import { maxAbs, python, randomMatrix, toNested } from './helpers.js';

describe('singularValues (Golub–Kahan bidiagonalisation + tridiagonal QL)', () => {
  it('reproduces the Wikipedia 4×5 example: 3, √5, 2, 0', () => {
    const a = matrix(4, 5, Float64Array.from([1, 0, 0, 0, 2, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0]));
    expect(maxAbs(singularValues(a), [3, Math.sqrt(5), 2, 0])).toBeLessThan(1e-15);
  });

  it('matches numpy on tall, wide and square random matrices to 1e-13 relative', () => {
    const shapes: Array<[number, number]> = [[90, 40], [30, 75], [150, 150], [1, 5], [6, 1]];
    const mats = shapes.map(([r, c], i) => randomMatrix(r, c, 300 + i));
    const ref = python<number[][]>('out = [np.linalg.svd(np.array(a), compute_uv=False) for a in inp["m"]]', { m: mats.map(toNested) });
    mats.forEach((a, i) => {
      const s = singularValues(a);
      expect(maxAbs(s, ref[i]!) / ref[i]![0]!).toBeLessThan(1e-13);
    });
  });

  it('keeps small singular values accurate in absolute terms (graded spectrum 1 … 1e-12) and zeros at rounding', () => {
    const q = svd(randomMatrix(40, 10, 310)).u;
    const w = svd(randomMatrix(10, 10, 311)).u;
    const sigma = Array.from({ length: 10 }, (_, k) => (k < 8 ? 10 ** (-1.5 * k) : 0));
    const qs = matrix(40, 10, Float64Array.from(q.data));
    for (let i = 0; i < 40; i++) for (let k = 0; k < 10; k++) qs.data[i * 10 + k]! *= sigma[k]!;
    const s = singularValues(matmul(qs, transpose(w)));
    for (let k = 0; k < 10; k++) expect(Math.abs(s[k]! - sigma[k]!)).toBeLessThan(2e-15);
  });
});
