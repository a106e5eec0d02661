/**
 * The heavy products every measure needs, called by name. This first version is plain float64 JavaScript;
 * the kernel registry (backends: cpu-js, wasm-simd, gpu.js) replaces the bodies without changing these signatures.
 */
import { matrix, type Matrix } from '../linalg/matrix.js';

/** Xᵀ X (cols × cols) for row-major X (rows = datapoints). */
export async function gram(x: Matrix): Promise<Matrix> {
  return crossGram(x, x);
}

/** Xᵀ Y (x.cols × y.cols); X and Y must have the same number of rows. */
export async function crossGram(x: Matrix, y: Matrix): Promise<Matrix> {
  if (x.rows !== y.rows) throw new RangeError(`crossGram: ${x.rows} rows vs ${y.rows}`);
  const p = x.cols;
  const q = y.cols;
  const out = new Float64Array(p * q);
  const xd = x.data;
  const yd = y.data;
  for (let r = 0; r < x.rows; r++) {
    const xo = r * p;
    const yo = r * q;
    for (let i = 0; i < p; i++) {
      const v = xd[xo + i]!;
      if (v === 0) continue;
      const oo = i * q;
      for (let j = 0; j < q; j++) out[oo + j]! += v * yd[yo + j]!;
    }
  }
  return matrix(p, q, out);
}
