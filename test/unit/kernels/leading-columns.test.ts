import { describe, expect, it } from 'vitest';
import { crossGram, crossGramLeading } from '../../../native/kernels/index.js';
import { matrix, type Matrix } from '../../../native/linalg/matrix.js';
import { randomMatrix } from '../linalg/helpers.js';

function leading(x: Matrix, k: number): Matrix {
  const out = matrix(x.rows, k);
  for (let r = 0; r < x.rows; r++) for (let j = 0; j < k; j++) out.data[r * k + j] = x.data[r * x.cols + j]!;
  return out;
}

describe('crossGramLeading: X[:, :kx]ᵀ·Y[:, :ky] without copying the leading columns', () => {
  const x = randomMatrix(700, 37, 101);
  const y = randomMatrix(700, 23, 102);
  it.each([
    [37, 23],
    [30, 23],
    [5, 1],
    [1, 22],
    [0, 4],
  ])('kx = %i, ky = %i equals crossGram of the copies, on the default backend and on cpu-js', async (kx, ky) => {
    const want = await crossGram(leading(x, kx), leading(y, ky), { backend: 'cpu-js' });
    for (const backend of ['auto', 'cpu-js']) {
      const got = await crossGramLeading(x, kx, y, ky, { backend });
      expect([got.rows, got.cols]).toEqual([kx, ky]);
      for (let i = 0; i < want.data.length; i++) expect(Math.abs(got.data[i]! - want.data[i]!)).toBeLessThan(1e-12);
    }
  });
  it('refuses more columns than there are, and unequal rows', async () => {
    await expect(crossGramLeading(x, 38, y, 2)).rejects.toThrow(RangeError);
    await expect(crossGramLeading(x, 3, randomMatrix(10, 3, 103), 2)).rejects.toThrow(/rows/);
  });
});
