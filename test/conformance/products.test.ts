/**
 * The kernel conformance suite: written once, run for every registered and available backend (see ./backends.ts).
 * Expected values come from the textbook float64 loops of ./reference.ts; tolerances from each backend's declared
 * precision (./closeness.ts).
 */
import { expect } from 'vitest';
import { batchedMatmul, crossGram, gram, matmul } from '../../native/kernels/index.js';
import type { MatrixBatch } from '../../native/kernels/names.js';
import { matrix, type Matrix } from '../../native/linalg/matrix.js';
import { forEachBackend } from './backends.js';
import { expectProductClose, type Dense } from './closeness.js';
import { columnNorms, randomMatrix, referenceCrossGram, rowNorms, transpose } from './reference.js';

const asMatrix = (d: Dense): Matrix => matrix(d.rows, d.cols, d.data);

/** Shapes as rows × cols of X (and cols of Y): degenerate, odd, tall, wide, and straddling the 4×4 tile, the
 * 256-row / 128- and 256-column cache blocks of wasm-simd and the 512-row float32 blocks of gpu.js; the larger ones
 * go through the worker threads. */
const CROSS_SHAPES: ReadonlyArray<[rows: number, p: number, q: number]> = [
  [1, 1, 1],
  [7, 13, 13],
  [7, 13, 5],
  [1000, 3, 3],
  [3, 1000, 7],
  [300, 37, 53],
  [270, 129, 131],
  [300, 257, 130],
  [1100, 24, 24],
];

await forEachBackend((backend, it) => {
  const tol = backend.tolerance;

  for (const [rows, p, q] of CROSS_SHAPES) {
    it(`crossGram ${rows}×${p} · ${rows}×${q}`, async () => {
      const x = randomMatrix(rows, p, rows * 31 + p);
      const y = randomMatrix(rows, q, rows * 17 + q + 1);
      const got = await crossGram(asMatrix(x), asMatrix(y), { backend: backend.name });
      expectProductClose(got, referenceCrossGram(x, y), columnNorms(x), columnNorms(y), tol);
    });

  }

  const gramShapes = new Map(CROSS_SHAPES.map(([rows, p]) => [`${rows}×${p}`, [rows, p] as const]));
  for (const [rows, p] of gramShapes.values()) {
    it(`gram ${rows}×${p} is XᵀX and exactly symmetric`, async () => {
      const x = randomMatrix(rows, p, rows * 7 + p);
      const got = await gram(asMatrix(x), { backend: backend.name });
      const norms = columnNorms(x);
      expectProductClose(got, referenceCrossGram(x, x), norms, norms, tol);
      let asymmetric = '';
      for (let i = 0; i < p && !asymmetric; i++) {
        for (let j = 0; j < i; j++) {
          if (!Object.is(got.data[i * p + j], got.data[j * p + i])) asymmetric = `(${i}, ${j})`;
        }
      }
      expect(asymmetric, 'first entry differing from its transpose').toBe('');
    });
  }

  it('zero rows give a zero product of the right shape', async () => {
    const x = matrix(0, 5);
    const y = matrix(0, 3);
    const c = await crossGram(x, y, { backend: backend.name });
    expect([c.rows, c.cols]).toEqual([5, 3]);
    expect([...c.data].every((v) => v === 0)).toBe(true);
    expect([...(await gram(x, { backend: backend.name })).data].every((v) => v === 0)).toBe(true);
  });

  it('an all-zero input gives exactly zero', async () => {
    const x = matrix(600, 70);
    const y = randomMatrix(600, 90, 5);
    const c = await crossGram(x, asMatrix(y), { backend: backend.name });
    expect(c.data.every((v) => v === 0)).toBe(true);
    expect((await gram(x, { backend: backend.name })).data.every((v) => v === 0)).toBe(true);
  });

  it('a zero column gives an exactly zero row of the product', async () => {
    const x = randomMatrix(400, 9, 11);
    for (let r = 0; r < 400; r++) x.data[r * 9 + 4] = 0;
    const c = await gram(asMatrix(x), { backend: backend.name });
    for (let j = 0; j < 9; j++) expect(c.data[4 * 9 + j]).toBe(0);
  });

  for (const scale of [1e150, 1e-150]) {
    it(`large dynamic range: entries of magnitude ${scale}`, async () => {
      // The float32 range ends near 3e38; a float32 backend must rescale rather than overflow or flush to zero.
      const x = randomMatrix(500, 21, 3, scale);
      const y = randomMatrix(500, 19, 4, 1 / scale);
      const c = await crossGram(asMatrix(x), asMatrix(y), { backend: backend.name });
      expectProductClose(c, referenceCrossGram(x, y), columnNorms(x), columnNorms(y), tol);
      const g = await gram(asMatrix(x), { backend: backend.name });
      const norms = columnNorms(x);
      expectProductClose(g, referenceCrossGram(x, x), norms, norms, tol);
    });
  }

  it('columns of very different scales keep their own relative accuracy', async () => {
    const x = randomMatrix(800, 12, 8);
    for (let r = 0; r < 800; r++) for (let j = 0; j < 12; j++) x.data[r * 12 + j]! *= 10 ** (j - 6);
    const g = await gram(asMatrix(x), { backend: backend.name });
    const norms = columnNorms(x);
    expectProductClose(g, referenceCrossGram(x, x), norms, norms, tol);
  });

  // The last one straddles wasm-simd's 128 × 256 output tiles and 256-row blocks in every dimension.
  const MATMUL_SHAPES: ReadonlyArray<[m: number, k: number, n: number]> = [
    [1, 1, 1],
    [13, 7, 5],
    [100, 90, 70],
    [129, 260, 257],
  ];
  for (const [m, k, n] of MATMUL_SHAPES) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        it(`matmul (${m}×${k})·(${k}×${n}) transposeA=${transposeA} transposeB=${transposeB}`, async () => {
          const a = randomMatrix(m, k, m + 3 * k);
          const b = randomMatrix(k, n, 7 * n + k);
          const stored = (d: Dense, t: boolean): Matrix => asMatrix(t ? transpose(d) : d);
          const got = await matmul(stored(a, transposeA), stored(b, transposeB), { transposeA, transposeB, backend: backend.name });
          expectProductClose(got, referenceCrossGram(transpose(a), b), rowNorms(a), columnNorms(b), tol);
        });
      }
    }
  }

  for (const transposeA of [false, true]) {
    it(`matmul of one matrix with its transpose (transposeA=${transposeA}) is a Gram: XᵀX or XXᵀ, exactly symmetric`, async () => {
      const x = randomMatrix(310, 140, 99);
      const got = await matmul(asMatrix(x), asMatrix(x), { transposeA, transposeB: !transposeA, backend: backend.name });
      const left = transposeA ? x : transpose(x); // C = leftᵀ · left
      const norms = columnNorms(left);
      expectProductClose(got, referenceCrossGram(left, left), norms, norms, tol);
      const n = got.rows;
      let asymmetric = '';
      for (let i = 0; i < n && !asymmetric; i++) {
        for (let j = 0; j < i; j++) if (!Object.is(got.data[i * n + j], got.data[j * n + i])) asymmetric = `(${i}, ${j})`;
      }
      expect(asymmetric, 'first entry differing from its transpose').toBe('');
    });
  }

  for (const transposeA of [false, true]) {
    it(`batchedMatmul of a batch with itself (transposeA=${transposeA}) gives exactly symmetric Gram matrices`, async () => {
      const [count, rows, cols] = [24, 90, 37];
      const items = Array.from({ length: count }, (_, i) => randomMatrix(rows, cols, 500 + i));
      const data = new Float64Array(count * rows * cols);
      items.forEach((d, i) => data.set(d.data, i * rows * cols));
      const batch: MatrixBatch = { count, rows, cols, data };
      const got = await batchedMatmul(batch, batch, { transposeA, transposeB: !transposeA, backend: backend.name });
      const n = transposeA ? cols : rows;
      expect([got.count, got.rows, got.cols]).toEqual([count, n, n]);
      for (let i = 0; i < count; i++) {
        const left = transposeA ? items[i]! : transpose(items[i]!); // C_i = leftᵀ · left
        const slice = { rows: n, cols: n, data: got.data.subarray(i * n * n, (i + 1) * n * n) };
        const norms = columnNorms(left);
        expectProductClose(slice, referenceCrossGram(left, left), norms, norms, tol);
        for (let r = 0; r < n; r++) for (let c = 0; c < r; c++) if (slice.data[r * n + c] !== slice.data[c * n + r]) throw new Error(`item ${i} asymmetric at (${r}, ${c})`);
      }
    });
  }

  const BATCH_CASES: ReadonlyArray<[count: number, m: number, k: number, n: number]> = [
    [1, 1, 1, 1],
    [5, 3, 7, 2],
    [40, 17, 33, 9],
    [24, 48, 48, 48],
  ];
  for (const [count, m, k, n] of BATCH_CASES) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        it(`batchedMatmul ${count} × (${m}×${k})·(${k}×${n}) transposeA=${transposeA} transposeB=${transposeB}`, async () => {
          const as = Array.from({ length: count }, (_, i) => randomMatrix(m, k, 100 + i));
          const bs = Array.from({ length: count }, (_, i) => randomMatrix(k, n, 900 + i));
          const stored = (ms: Dense[], t: boolean): MatrixBatch => {
            const parts = ms.map((d) => (t ? transpose(d) : d));
            const data = new Float64Array(parts.reduce((s, d) => s + d.data.length, 0));
            parts.forEach((d, i) => data.set(d.data, i * d.data.length));
            return { count, rows: parts[0]!.rows, cols: parts[0]!.cols, data };
          };
          const got = await batchedMatmul(stored(as, transposeA), stored(bs, transposeB), {
            transposeA, transposeB, backend: backend.name,
          });
          expect([got.count, got.rows, got.cols]).toEqual([count, m, n]);
          for (let i = 0; i < count; i++) {
            const want = referenceCrossGram(transpose(as[i]!), bs[i]!);
            const slice = { rows: m, cols: n, data: got.data.subarray(i * m * n, (i + 1) * m * n) };
            expectProductClose(slice, want, rowNorms(as[i]!), columnNorms(bs[i]!), tol);
          }
        });
      }
    }
  }
});
