/**
 * The layer pairs every measure is checked on: random with unequal widths, rank-deficient (duplicated neurons and
 * more neurons than rank), and dead / near-constant neurons. Seeded, so failures reproduce.
 */
import { matrix, type Matrix } from '../../../native/linalg/matrix.js';
import { matmul } from '../../../native/linalg/util.js';
import { randomMatrix } from '../linalg/helpers.js';

export interface LayerPair {
  readonly name: string;
  readonly a: Matrix;
  readonly b: Matrix;
}

/** Columns of `base` picked by `pick` (duplicates allowed). */
export function pickColumns(base: Matrix, pick: readonly number[]): Matrix {
  const out = matrix(base.rows, pick.length);
  for (let r = 0; r < base.rows; r++) pick.forEach((c, j) => (out.data[r * pick.length + j] = base.data[r * base.cols + c]!));
  return out;
}

/** a + f·b, elementwise. */
export function addScaled(a: Matrix, b: Matrix, f: number): Matrix {
  return matrix(a.rows, a.cols, a.data.map((v, i) => v + f * b.data[i]!));
}

export function layerPairs(): LayerPair[] {
  const m = 120;
  const z = randomMatrix(m, 6, 101); // shared signal
  const pairs: LayerPair[] = [];

  // Random, unequal widths, partly correlated: A = Z·W_A + noise (12 wide), B = Z·W_B + noise (9 wide).
  const a1 = addScaled(matmul(z, randomMatrix(6, 12, 102)), randomMatrix(m, 12, 103), 0.7);
  const b1 = addScaled(matmul(z, randomMatrix(6, 9, 104)), randomMatrix(m, 9, 105), 1.3);
  pairs.push({ name: 'random, unequal widths (12 vs 9)', a: a1, b: b1 });

  // Duplicated neurons: A repeats 4 of its 8 neurons and adds a sum of two (rank 8, 13 wide).
  const base = addScaled(matmul(z, randomMatrix(6, 8, 106)), randomMatrix(m, 8, 107), 0.5);
  const dup = pickColumns(base, [0, 1, 2, 3, 4, 5, 6, 7, 0, 3, 5, 7, 1]);
  for (let r = 0; r < m; r++) dup.data[r * 13 + 12] = base.data[r * 8 + 1]! + base.data[r * 8 + 2]!;
  pairs.push({ name: 'duplicated neurons (rank 8 of 13)', a: dup, b: b1 });

  // More neurons than rank: 30 neurons spanning 5 dimensions.
  const low = matmul(randomMatrix(m, 5, 108), randomMatrix(5, 30, 109));
  pairs.push({ name: 'more neurons than rank (rank 5 of 30)', a: low, b: a1 });

  // Dead and near-constant neurons: two exactly constant, one with relative variance 1e-14.
  const dead = pickColumns(a1, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (let r = 0; r < m; r++) {
    dead.data[r * 10 + 2] = 0;
    dead.data[r * 10 + 5] = 0.7;
    dead.data[r * 10 + 8] = 3 + 1e-7 * Math.sin(r);
  }
  pairs.push({ name: 'dead and near-constant neurons', a: b1, b: dead });
  return pairs;
}
