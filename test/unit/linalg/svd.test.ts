import { describe, expect, it } from 'vitest';
import { matrix, type Matrix } from '../../../native/linalg/matrix.js';
import { svd } from '../../../native/linalg/svd.js';
import { identity, matmul, matmulTN, transpose } from '../../../native/linalg/util.js';
import { maxAbs, python, randomMatrix, toNested } from './helpers.js';

function check(a: Matrix): { reconstruction: number; orthoU: number; orthoV: number; s: Float64Array } {
  const { u, s, v } = svd(a);
  const r = Math.min(a.rows, a.cols);
  expect([u.rows, u.cols, v.rows, v.cols, s.length]).toEqual([a.rows, r, a.cols, r, r]);
  const us = matrix(u.rows, r, Float64Array.from(u.data));
  for (let i = 0; i < u.rows; i++) for (let k = 0; k < r; k++) us.data[i * r + k]! *= s[k]!;
  const rebuilt = matmul(us, transpose(v));
  for (let k = 1; k < r; k++) expect(s[k]).toBeLessThanOrEqual(s[k - 1]!);
  return {
    reconstruction: maxAbs(rebuilt.data, a.data),
    orthoU: maxAbs(matmulTN(u, u).data, identity(r).data),
    orthoV: maxAbs(matmulTN(v, v).data, identity(r).data),
    s,
  };
}

describe('svd (preconditioned one-sided Jacobi)', () => {
  it('reproduces the Wikipedia 4×5 example: singular values 3, √5, 2, 0', () => {
    const a = matrix(4, 5, Float64Array.from([1, 0, 0, 0, 2, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0]));
    const { reconstruction, orthoU, orthoV, s } = check(a);
    expect(maxAbs(s, [3, Math.sqrt(5), 2, 0])).toBeLessThan(1e-15);
    expect(reconstruction).toBeLessThan(1e-15);
    expect(Math.max(orthoU, orthoV)).toBeLessThan(1e-15);
  });

  it.each([
    ['tall', 80, 30, 21],
    ['wide', 25, 70, 22],
    ['square', 120, 120, 23],
  ])('matches numpy.linalg.svd on a random %s matrix to 1e-12 relative', (_label, rows, cols, seed) => {
    const a = randomMatrix(rows, cols, seed);
    const { reconstruction, orthoU, orthoV, s } = check(a);
    const reference = python<number[]>('out = np.linalg.svd(np.array(inp["a"]), compute_uv=False)', { a: toNested(a) });
    expect(maxAbs(s, reference) / reference[0]!).toBeLessThan(1e-12);
    expect(reconstruction).toBeLessThan(1e-12);
    expect(Math.max(orthoU, orthoV)).toBeLessThan(1e-12);
  });

  it('resolves singular values spread over 12 orders of magnitude (graded columns)', () => {
    const q = svd(randomMatrix(60, 12, 24)).u; // orthonormal columns
    const w = svd(randomMatrix(12, 12, 25)).u;
    const sigma = Array.from({ length: 12 }, (_, k) => 10 ** -k);
    const us = matrix(60, 12, Float64Array.from(q.data));
    for (let i = 0; i < 60; i++) for (let k = 0; k < 12; k++) us.data[i * 12 + k]! *= sigma[k]!;
    const a = matmul(us, transpose(w));
    const { s } = check(a);
    for (let k = 0; k < 12; k++) expect(Math.abs(s[k]! - sigma[k]!)).toBeLessThan(1e-15);
  });

  it('completes U for rank-deficient input (duplicated columns) and for the zero matrix', () => {
    const base = randomMatrix(50, 4, 26);
    const a = matrix(50, 10);
    for (let i = 0; i < 50; i++) for (let j = 0; j < 10; j++) a.data[i * 10 + j] = base.data[i * 4 + (j % 4)]!;
    const r = check(a);
    for (let k = 4; k < 10; k++) expect(r.s[k]!).toBeLessThan(1e-13);
    expect(Math.max(r.reconstruction, r.orthoU, r.orthoV)).toBeLessThan(1e-13);
    const z = check(matrix(6, 3));
    expect(Array.from(z.s)).toEqual([0, 0, 0]);
    expect(Math.max(z.orthoU, z.orthoV)).toBeLessThan(1e-15);
  });
});
