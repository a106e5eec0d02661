import { describe, expect, it } from 'vitest';
import { eigh, eighWith } from '../../../native/linalg/eigh.js';
import { matrix, type Matrix } from '../../../native/linalg/matrix.js';
import { identity, matmul, matmulTN, outerGram, transpose } from '../../../native/linalg/util.js';
import { maxAbs, python, randomMatrix, toNested } from './helpers.js';

/** max |S·V − V·Λ| / λmax and max |VᵀV − I|. */
function residuals(s: Matrix, values: Float64Array, vectors: Matrix): { residual: number; orthogonality: number } {
  const n = s.rows;
  const sv = matmul(s, vectors);
  let residual = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) residual = Math.max(residual, Math.abs(sv.data[i * n + k]! - values[k]! * vectors.data[i * n + k]!));
  }
  const scale = Math.max(Math.abs(values[0] ?? 0), Math.abs(values[n - 1] ?? 0), 1e-300);
  return { residual: residual / scale, orthogonality: maxAbs(matmulTN(vectors, vectors).data, identity(n).data) };
}

describe('eigh', () => {
  it('solves the 2×2 textbook case [[2,1],[1,2]] → 3, 1', () => {
    const { values, vectors } = eigh(matrix(2, 2, Float64Array.from([2, 1, 1, 2])));
    expect(values[0]).toBeCloseTo(3, 14);
    expect(values[1]).toBeCloseTo(1, 14);
    expect(Math.abs(vectors.data[0]!)).toBeCloseTo(Math.SQRT1_2, 14);
  });

  it('returns descending values and handles 0×0 and 1×1', () => {
    expect(eigh(matrix(0, 0)).values.length).toBe(0);
    expect(Array.from(eigh(matrix(1, 1, Float64Array.from([-4]))).values)).toEqual([-4]);
    const diag = matrix(4, 4);
    [3, -1, 7, 0].forEach((v, i) => (diag.data[i * 4 + i] = v));
    const { values, vectors } = eigh(diag);
    expect(Array.from(values)).toEqual([7, 3, 0, -1]);
    expect(Math.abs(vectors.data[2 * 4 + 0]!)).toBe(1); // e_2 belongs to 7
  });

  it.each([
    ['random symmetric 60×60', 60, 11],
    ['random symmetric 200×200', 200, 12],
  ])('matches numpy.linalg.eigvalsh on a %s to 1e-12 relative', (_label, n, seed) => {
    const x = randomMatrix(n, n, seed);
    const s = matmul(x, transpose(x));
    for (let i = 0; i < n * n; i++) s.data[i]! -= 0.5 * n; // indefinite as well
    const sym = matrix(n, n, Float64Array.from(s.data));
    const { values, vectors } = eigh(sym);
    const reference = python<number[]>('out = np.linalg.eigvalsh(np.array(inp["s"]))[::-1]', { s: toNested(sym) });
    const scale = Math.max(...reference.map(Math.abs));
    expect(maxAbs(values, reference) / scale).toBeLessThan(1e-12);
    const { residual, orthogonality } = residuals(sym, values, vectors);
    expect(residual).toBeLessThan(1e-12);
    expect(orthogonality).toBeLessThan(1e-12);
  });

  it('decomposes a rank-deficient Gram (duplicated neurons) with exact-zero eigenvalues to rounding', () => {
    const base = randomMatrix(40, 6, 3);
    const wide = matrix(40, 15);
    for (let r = 0; r < 40; r++) for (let j = 0; j < 15; j++) wide.data[r * 15 + j] = base.data[r * 6 + (j % 6)]!;
    const gram = matmulTN(wide, wide);
    const { values, vectors } = eigh(gram);
    for (let k = 6; k < 15; k++) expect(Math.abs(values[k]!)).toBeLessThan(1e-12 * values[0]!);
    const { residual, orthogonality } = residuals(gram, values, vectors);
    expect(residual).toBeLessThan(1e-13);
    expect(orthogonality).toBeLessThan(1e-13);
  });

  it('keeps an orthonormal basis inside a repeated eigenvalue (identity plus a rank-one bump)', () => {
    const n = 30;
    const v = randomMatrix(n, 1, 4);
    const s = outerGram(v);
    for (let i = 0; i < n; i++) s.data[i * n + i]! += 2;
    const { values, vectors } = eigh(s);
    for (let k = 1; k < n; k++) expect(values[k]).toBeCloseTo(2, 12);
    expect(residuals(s, values, vectors).orthogonality).toBeLessThan(1e-13);
  });

  it('copes with a zero row (the no-reflector branch) and an exactly tridiagonal input (Wilkinson W21+)', () => {
    const s = randomMatrix(8, 8, 5);
    const sym = matmul(s, transpose(s));
    for (let j = 0; j < 8; j++) {
      sym.data[5 * 8 + j] = 0;
      sym.data[j * 8 + 5] = 0;
    }
    const z = eigh(sym);
    expect(Math.min(...Array.from(z.values).map(Math.abs))).toBeLessThan(1e-14);
    expect(residuals(sym, z.values, z.vectors).residual).toBeLessThan(1e-14);

    // W21+: famous for pairs of eigenvalues agreeing to ~1e-14.
    const n = 21;
    const w = matrix(n, n);
    for (let i = 0; i < n; i++) {
      w.data[i * n + i] = Math.abs(10 - i);
      if (i + 1 < n) w.data[i * n + i + 1] = w.data[(i + 1) * n + i] = 1;
    }
    const { values, vectors } = eigh(w);
    const reference = python<number[]>('out = np.linalg.eigvalsh(np.array(inp["w"]))[::-1]', { w: toNested(w) });
    expect(maxAbs(values, reference)).toBeLessThan(1e-13);
    expect(residuals(w, values, vectors).orthogonality).toBeLessThan(1e-13);
  });

  it('gives the same values without eigenvectors', () => {
    const x = randomMatrix(50, 30, 6);
    const g = matmulTN(x, x);
    expect(maxAbs(eigh(g, { vectors: false }).values, eigh(g).values)).toBeLessThan(1e-12);
  });

  it('eighWith (divide and conquer, blocked WY back-transformation through a product function) agrees with eigh (QL) at 420×420 to n·ε', async () => {
    const x = randomMatrix(420, 430, 7);
    const s = outerGram(x);
    const plain = eigh(s);
    const blocked = await eighWith(s, async (a, b) => matmulTN(a, b));
    expect(maxAbs(blocked.values, plain.values) / plain.values[0]!).toBeLessThan(1e-13); // two algorithms: n·ε ≈ 9e-14
    const { residual, orthogonality } = residuals(s, blocked.values, blocked.vectors);
    expect(residual).toBeLessThan(1e-13);
    expect(orthogonality).toBeLessThan(1e-13);
  });
});
