/**
 * CCA is invariant to invertible affine maps of either layer (003_*.txt sec. 2): rotation, isotropic scaling, neuron
 * permutation and a general invertible linear map plus offset leave every coefficient unchanged, and a layer
 * against such a map of itself has every coefficient 1.
 */
import { describe, expect, it } from 'vitest';
import { matrix, type Matrix } from '../../../native/linalg/matrix.js';
import { matmul } from '../../../native/linalg/util.js';
import { compareMatrices } from '../../../native/measures/compare.js';
import { maxAbs, randomMatrix } from '../linalg/helpers.js';
import { svd } from '../../../native/linalg/svd.js';
import { addScaled } from './cases.js';

const m = 150;
const a = addScaled(matmul(randomMatrix(m, 4, 201), randomMatrix(4, 10, 202)), randomMatrix(m, 10, 203), 0.8);
const b = addScaled(matmul(randomMatrix(m, 4, 201), randomMatrix(4, 7, 204)), randomMatrix(m, 7, 205), 1.1);

function withOffset(x: Matrix, seed: number): Matrix {
  const shift = randomMatrix(1, x.cols, seed);
  return matrix(x.rows, x.cols, x.data.map((v, i) => v + 10 * shift.data[i % x.cols]!));
}

const maps: Array<[string, (x: Matrix) => Matrix]> = [
  ['rotation', (x) => matmul(x, svd(randomMatrix(x.cols, x.cols, 206)).u)],
  ['isotropic scaling ×1e6', (x) => matrix(x.rows, x.cols, x.data.map((v) => v * 1e6))],
  ['isotropic scaling ×1e-6', (x) => matrix(x.rows, x.cols, x.data.map((v) => v * 1e-6))],
  ['neuron permutation', (x) => {
    const perm = [3, 9, 0, 7, 1, 8, 2, 6, 4, 5];
    const out = matrix(x.rows, x.cols);
    for (let r = 0; r < x.rows; r++) perm.forEach((p, j) => (out.data[r * x.cols + j] = x.data[r * x.cols + p]!));
    return out;
  }],
  ['invertible affine map (linear + offset)', (x) => withOffset(matmul(x, addScaled(randomMatrix(x.cols, x.cols, 207), identityLike(x.cols), 3)), 208)],
];

function identityLike(n: number): Matrix {
  const out = matrix(n, n);
  for (let i = 0; i < n; i++) out.data[i * n + i] = 1;
  return out;
}

describe.each(['cca', 'pwcca'] as const)('%s invariances', (method) => {
  it.each(maps)('%s of one side: similarity 1 against itself, coefficients unchanged against another layer', async (_label, f) => {
    const fa = f(a);
    const self = await compareMatrices(a, fa, { method });
    expect(self.similarity).toBeCloseTo(1, 11);
    for (const c of self.coefficients) expect(c).toBeCloseTo(1, 11);
    const before = await compareMatrices(a, b, { method: 'cca' });
    const after = await compareMatrices(fa, b, { method: 'cca' });
    expect(maxAbs(after.coefficients, before.coefficients)).toBeLessThan(1e-11);
  });
});

describe('SVCCA invariances (rotation, scaling and permutation keep the singular values)', () => {
  it.each(maps.slice(0, 4))('%s', async (_label, f) => {
    const before = await compareMatrices(a, b, { method: 'svcca', keep: 0.8 });
    const after = await compareMatrices(f(a), b, { method: 'svcca', keep: 0.8 });
    expect(after.dims).toEqual(before.dims);
    expect(maxAbs(after.coefficients, before.coefficients)).toBeLessThan(1e-11);
  });
});
