/**
 * Independent float64 references for the conformance suite: the textbook loops, one sequential sum per entry, and the
 * norms that scale the tolerance. Deliberately unblocked and unvectorised, sharing no code with any backend.
 */
import type { Dense } from './closeness.js';

/** Deterministic pseudo-random values in [-1, 1) (mulberry32), so failures reproduce. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  };
}

export function randomMatrix(rows: number, cols: number, seed: number, scale = 1): Dense {
  const next = seeded(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => next() * scale) };
}

/** C = Aᵀ B for row-major A (n × p), B (n × q). */
export function referenceCrossGram(a: Dense, b: Dense): Dense {
  const out = new Float64Array(a.cols * b.cols);
  for (let i = 0; i < a.cols; i++) {
    for (let j = 0; j < b.cols; j++) {
      let s = 0;
      for (let r = 0; r < a.rows; r++) s += a.data[r * a.cols + i]! * b.data[r * b.cols + j]!;
      out[i * b.cols + j] = s;
    }
  }
  return { rows: a.cols, cols: b.cols, data: out };
}

/** Euclidean norm of each column. */
export function columnNorms(m: Dense): Float64Array {
  const out = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) for (let j = 0; j < m.cols; j++) out[j] += m.data[r * m.cols + j]! ** 2;
  return out.map(Math.sqrt);
}

/** Euclidean norm of each row. */
export function rowNorms(m: Dense): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let j = 0; j < m.cols; j++) s += m.data[i * m.cols + j]! ** 2;
    out[i] = Math.sqrt(s);
  }
  return out;
}

export function transpose(m: Dense): Dense {
  const out = new Float64Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out[j * m.rows + i] = m.data[i * m.cols + j]!;
  return { rows: m.cols, cols: m.rows, data: out };
}
