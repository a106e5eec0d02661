import { describe, expect, it } from 'vitest';
import { DIVIDE_AND_CONQUER_FROM, eighWith } from '../../../native/linalg/eigh.js';
import { matrix, type Matrix } from '../../../native/linalg/matrix.js';
import { LEAF_SIZE, tridiagonalEigen } from '../../../native/linalg/tridiagonal-dc.js';
import { matmul, matmulTN, outerGram } from '../../../native/linalg/util.js';
import { maxAbs, normalGenerator, python, randomMatrix, toNested } from './helpers.js';

const product = async (x: Matrix, y: Matrix): Promise<Matrix> => matmulTN(x, y);

/** max |T·v − λ·v| / ‖T‖ and max |VᵀV − I| for T given by its diagonal and sub-diagonal. */
function check(d: ArrayLike<number>, e: ArrayLike<number>, values: Float64Array, vectors: Float64Array): { residual: number; orthogonality: number } {
  const n = d.length;
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d[i]!) + (i > 0 ? Math.abs(e[i - 1]!) : 0) + (i + 1 < n ? Math.abs(e[i]!) : 0));
  let residual = 0;
  for (let c = 0; c < n; c++) {
    for (let r = 0; r < n; r++) {
      let tv = d[r]! * vectors[r * n + c]!;
      if (r > 0) tv += e[r - 1]! * vectors[(r - 1) * n + c]!;
      if (r + 1 < n) tv += e[r]! * vectors[(r + 1) * n + c]!;
      residual = Math.max(residual, Math.abs(tv - values[c]! * vectors[r * n + c]!));
    }
  }
  const v = matrix(n, n, vectors);
  const gram = matmulTN(v, v);
  let orthogonality = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) orthogonality = Math.max(orthogonality, Math.abs(gram.data[i * n + j]! - (i === j ? 1 : 0)));
  return { residual: norm === 0 ? residual : residual / norm, orthogonality };
}

function reference(d: ArrayLike<number>, e: ArrayLike<number>): number[] {
  return python<number[]>('from scipy.linalg import eigvalsh_tridiagonal\nout = eigvalsh_tridiagonal(np.array(inp["d"]), np.array(inp["e"]))', {
    d: Array.from(d),
    e: Array.from(e),
  });
}

function wilkinson(half: number): { d: number[]; e: number[] } {
  const n = 2 * half + 1;
  return { d: Array.from({ length: n }, (_, i) => Math.abs(half - i)), e: new Array<number>(n - 1).fill(1) };
}

describe('tridiagonalEigen (divide and conquer)', () => {
  const normal = normalGenerator(41);
  const cases: [string, number[], number[]][] = [
    ['random, 200', Array.from({ length: 200 }, normal), Array.from({ length: 199 }, normal)],
    ['random, one past a leaf (LEAF_SIZE + 1)', Array.from({ length: LEAF_SIZE + 1 }, normal), Array.from({ length: LEAF_SIZE }, normal)],
    ['random with negative couplings only, 150', Array.from({ length: 150 }, normal), Array.from({ length: 149 }, () => -Math.abs(normal()))],
    (() => {
      // Ten W21+ blocks glued by 1e-10: pairs of eigenvalues agreeing to ~1e-14 and ten-fold clusters.
      const w = wilkinson(10);
      const d: number[] = [];
      const e: number[] = [];
      for (let b = 0; b < 10; b++) {
        d.push(...w.d);
        e.push(...w.e);
        if (b < 9) e.push(1e-10);
      }
      return ['glued Wilkinson W21+ ×10', d, e] as [string, number[], number[]];
    })(),
    ['constant diagonal, tiny couplings (one tight cluster), 120', new Array<number>(120).fill(3), Array.from({ length: 119 }, () => 1e-13 * normal())],
    ['split in the middle (an exact zero coupling at the tear), 100', Array.from({ length: 100 }, normal), Array.from({ length: 99 }, (_, i) => (i === 49 ? 0 : normal()))],
    ['1-2-1 (Toeplitz, known spectrum), 257', new Array<number>(257).fill(2), new Array<number>(256).fill(-1)],
  ];

  it.each(cases)('%s: values equal scipy to 1e-13·‖T‖, residual and orthogonality ≤ 1e-13', async (_label, d, e) => {
    const { values, vectors } = await tridiagonalEigen(d, e, product);
    const sorted = Float64Array.from(values).sort();
    const want = reference(d, e);
    const norm = Math.max(...want.map(Math.abs));
    expect(maxAbs(sorted, want) / norm).toBeLessThan(1e-13);
    const { residual, orthogonality } = check(d, e, values, vectors);
    expect(residual).toBeLessThan(1e-13);
    expect(orthogonality).toBeLessThan(1e-13);
  });

  it('is scale-free: T·1e-200 and T·1e200 give the same vectors and scaled values', async () => {
    const d = Array.from({ length: 90 }, normal);
    const e = Array.from({ length: 89 }, normal);
    const base = await tridiagonalEigen(d, e, product);
    for (const s of [1e-200, 1e200]) {
      const scaled = await tridiagonalEigen(d.map((x) => x * s), e.map((x) => x * s), product);
      for (let i = 0; i < d.length; i++) expect(scaled.values[i]! / s).toBeCloseTo(base.values[i]!, 12);
      expect(maxAbs(scaled.vectors, base.vectors)).toBeLessThan(1e-12);
    }
  });

  it('returns the identity for the zero matrix', async () => {
    const { values, vectors } = await tridiagonalEigen(new Array<number>(70).fill(0), new Array<number>(69).fill(0), product);
    expect(Array.from(values).every((v) => v === 0)).toBe(true);
    expect(check(new Array<number>(70).fill(0), new Array<number>(69).fill(0), values, vectors).orthogonality).toBe(0);
  });
});

describe('eighWith on the divide-and-conquer path', () => {
  it(`matches numpy.linalg.eigh on a rank-deficient Gram (n = 300 ≥ ${DIVIDE_AND_CONQUER_FROM}, rank 75): values, residual, orthogonality`, async () => {
    const x = randomMatrix(300, 75, 43);
    const s = outerGram(x); // 300 × 300, 225 zero eigenvalues
    const { values, vectors } = await eighWith(s, product);
    const want = python<number[]>('out = np.linalg.eigvalsh(np.array(inp["s"]))[::-1]', { s: toNested(s) });
    expect(maxAbs(values, want) / want[0]!).toBeLessThan(1e-13);
    const sv = matmul(s, vectors);
    let residual = 0;
    for (let i = 0; i < 300; i++) for (let k = 0; k < 300; k++) residual = Math.max(residual, Math.abs(sv.data[i * 300 + k]! - values[k]! * vectors.data[i * 300 + k]!));
    expect(residual / want[0]!).toBeLessThan(1e-13);
    const gram = matmulTN(vectors, vectors);
    for (let i = 0; i < 300; i++) for (let j = 0; j < 300; j++) expect(Math.abs(gram.data[i * 300 + j]! - (i === j ? 1 : 0))).toBeLessThan(1e-13);
  });
});

