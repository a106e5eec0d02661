/**
 * The Hermitian eigensolver: eigenvalues against numpy.linalg.eigvalsh (float64 LAPACK), and the defining
 * properties H·V = V·Λ and VᴴV = I at 1e-12 relative to ‖H‖ — eigenvectors themselves are only defined up to a
 * phase (and, for repeated eigenvalues, a unitary mix), so they are checked by property, not entry by entry.
 */
import { describe, expect, it } from 'vitest';
import { complexEigh } from '../../../native/linalg/complex-eigh.js';
import { adjoint, adjointGram, complexMatrix, complexTimes, type ComplexMatrix } from '../../../native/linalg/complex-matrix.js';
import { normalGenerator, python } from '../linalg/helpers.js';

function randomComplex(rows: number, cols: number, seed: number): ComplexMatrix {
  const next = normalGenerator(seed);
  return complexMatrix(rows, cols, Float64Array.from({ length: rows * cols }, next), Float64Array.from({ length: rows * cols }, next));
}

function frobenius(a: ComplexMatrix): number {
  let s = 0;
  for (let i = 0; i < a.re.length; i++) s += a.re[i]! ** 2 + a.im[i]! ** 2;
  return Math.sqrt(s);
}

function maxAbsDiff(a: ComplexMatrix, b: ComplexMatrix): number {
  let m = 0;
  for (let i = 0; i < a.re.length; i++) m = Math.max(m, Math.abs(a.re[i]! - b.re[i]!), Math.abs(a.im[i]! - b.im[i]!));
  return m;
}

function checkDecomposition(h: ComplexMatrix): void {
  const n = h.rows;
  const { values, vectors } = complexEigh(h);
  const scale = Math.max(1, frobenius(h));
  for (let k = 1; k < n; k++) expect(values[k]!).toBeLessThanOrEqual(values[k - 1]!);
  // H·V = V·Λ
  const hv = complexTimes(h, vectors);
  const vl = complexMatrix(n, n, vectors.re.map((x, i) => x * values[i % n]!), vectors.im.map((x, i) => x * values[i % n]!));
  expect(maxAbsDiff(hv, vl)).toBeLessThan(1e-12 * scale);
  // VᴴV = I
  const vv = complexTimes(adjoint(vectors), vectors);
  const eye = complexMatrix(n, n);
  for (let i = 0; i < n; i++) eye.re[i * n + i] = 1;
  expect(maxAbsDiff(vv, eye)).toBeLessThan(1e-12 * Math.max(1, n));
  // Eigenvalues as LAPACK computes them.
  const ref = python<number[]>(
    `
h = np.array(inp['re']).reshape(${n}, ${n}) + 1j * np.array(inp['im']).reshape(${n}, ${n})
out = np.sort(np.linalg.eigvalsh(h))[::-1]
`,
    { re: Array.from(h.re), im: Array.from(h.im) },
  );
  for (let k = 0; k < n; k++) expect(Math.abs(values[k]! - ref[k]!)).toBeLessThan(1e-12 * scale);
  // Values-only mode gives the same values.
  const only = complexEigh(h, { vectors: false });
  for (let k = 0; k < n; k++) expect(Math.abs(only.values[k]! - values[k]!)).toBeLessThan(1e-13 * scale);
}

describe('complexEigh (Hermitian)', () => {
  for (const n of [1, 2, 3, 4, 7, 16, 33]) {
    it(`random Hermitian ${n}×${n} (a Gram of complex data)`, () => {
      checkDecomposition(adjointGram(randomComplex(n + 5, n, 10 + n)));
    });
  }

  it('indefinite Hermitian with a zero imaginary part (real symmetric)', () => {
    const a = randomComplex(6, 6, 3);
    a.im.fill(0);
    const h = complexMatrix(6, 6, a.re.map((_, i) => a.re[i]! + a.re[(i % 6) * 6 + Math.floor(i / 6)]!), new Float64Array(36));
    checkDecomposition(h);
  });

  it('rank-deficient Gram (rank 3 of 8): five eigenvalues ~0, none negative beyond roundoff', () => {
    const h = adjointGram(randomComplex(3, 8, 21));
    checkDecomposition(h);
    const { values } = complexEigh(h);
    for (let k = 3; k < 8; k++) expect(Math.abs(values[k]!)).toBeLessThan(1e-13 * values[0]!);
  });

  it('repeated eigenvalues (U·diag(5,5,5,1,1,0)·Uᴴ) and an already-diagonal matrix', () => {
    const n = 6;
    // U from the eigenvectors of a random Hermitian matrix.
    const u = complexEigh(adjointGram(randomComplex(9, n, 5))).vectors;
    const lam = [5, 5, 5, 1, 1, 0];
    const ul = complexMatrix(n, n, u.re.map((x, i) => x * lam[i % n]!), u.im.map((x, i) => x * lam[i % n]!));
    const h = complexTimes(ul, adjoint(u));
    checkDecomposition(h);
    const got = complexEigh(h).values;
    lam.forEach((l, k) => expect(got[k]).toBeCloseTo(l, 12));
    const diag = complexMatrix(4, 4);
    [3, -1, 7, 0].forEach((v, i) => (diag.re[i * 4 + i] = v));
    expect(Array.from(complexEigh(diag).values)).toEqual([7, 3, 0, -1]);
    checkDecomposition(diag);
  });

  it('the zero matrix and a 0×0 matrix', () => {
    expect(Array.from(complexEigh(complexMatrix(3, 3)).values)).toEqual([0, 0, 0]);
    expect(complexEigh(complexMatrix(0, 0)).values.length).toBe(0);
    expect(() => complexEigh(complexMatrix(2, 3))).toThrow(/not square/);
  });
});
