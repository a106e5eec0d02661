/**
 * CCA is invariant to invertible affine maps of either layer (003 sec. 2): rotation, isotropic scaling, neuron
 * permutation and a general invertible linear map plus offset leave every coefficient unchanged, and a layer
 * against such a map of itself has every coefficient 1. PWCCA keeps only the invariances its weights allow.
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
    // j ↦ 3j + 1 mod n is a permutation for the widths here (10 and 7: both coprime to 3).
    const perm = Array.from({ length: x.cols }, (_, j) => (3 * j + 1) % x.cols);
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

describe('CCA invariances', () => {
  it.each(maps)('%s of either side: similarity 1 against itself, coefficients unchanged against another layer', async (_label, f) => {
    const self = await compareMatrices(a, f(a), { method: 'cca' });
    expect(self.similarity).toBeCloseTo(1, 11);
    for (const c of self.coefficients) expect(c).toBeCloseTo(1, 11);
    const before = await compareMatrices(a, b, { method: 'cca' });
    for (const [x, y] of [[f(a), b], [a, f(b)]] as const) {
      const after = await compareMatrices(x, y, { method: 'cca' });
      expect(maxAbs(after.coefficients, before.coefficients)).toBeLessThan(1e-11);
      expect(after.similarity).toBeCloseTo(before.similarity, 11);
    }
  });
});

/*
 * PWCCA weighs each coefficient by how much of A's neurons its canonical direction explains (003 sec. 2.2), so it
 * keeps fewer invariances than CCA: maps of A that move its neurons (a rotation, a general linear map) change the
 * weights, while scaling, permuting or offsetting A's neurons, and any invertible map of B (which keeps B's column
 * space, hence A's canonical directions), leave the value alone.
 */
describe('PWCCA invariances (weights from A)', () => {
  const keepsNeurons = new Set(['isotropic scaling ×1e6', 'isotropic scaling ×1e-6', 'neuron permutation']);
  it.each(maps)('%s: similarity 1 against itself; against another layer as the weights predict', async (label, f) => {
    const self = await compareMatrices(a, f(a), { method: 'pwcca' });
    expect(self.similarity).toBeCloseTo(1, 11);
    const before = await compareMatrices(a, b, { method: 'pwcca' });
    const mapB = await compareMatrices(a, f(b), { method: 'pwcca' });
    expect(mapB.similarity).toBeCloseTo(before.similarity, 11);
    expect(maxAbs(mapB['weights'] as number[], before['weights'] as number[])).toBeLessThan(1e-10);
    const mapA = await compareMatrices(f(a), b, { method: 'pwcca' });
    // The coefficients are CCA's and never move; only the weights may.
    expect(maxAbs(mapA.coefficients, before.coefficients)).toBeLessThan(1e-11);
    if (keepsNeurons.has(label)) expect(mapA.similarity).toBeCloseTo(before.similarity, 11);
    else expect(Math.abs(mapA.similarity - before.similarity)).toBeGreaterThan(1e-4);
  });
  it('a pure offset of A leaves PWCCA unchanged (neuron means are removed first)', async () => {
    const before = await compareMatrices(a, b, { method: 'pwcca' });
    const after = await compareMatrices(withOffset(a, 209), b, { method: 'pwcca' });
    expect(after.similarity).toBeCloseTo(before.similarity, 11);
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
