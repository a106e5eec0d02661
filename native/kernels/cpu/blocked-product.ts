/**
 * C += X[0:rows]ᵀ · Y[0:rows] in plain float64 JavaScript, for row-major X (p columns) and Y (q columns).
 *
 * XᵀY = Σ_r x_rᵀ y_r: every datapoint row adds an outer product. The loops block over rows (a block of X and Y rows
 * stays in cache while all output tiles visit it) and over output tiles; each 2 × 4 register tile keeps 8 scalar
 * accumulators across a row block, loading 2 values of x_r and 4 of y_r per row (6 loads per 16 flops instead of
 * the 2 loads + 1 store per 2 flops of an axpy). `upperOnly` computes only tiles touching the upper triangle
 * (Gram: the caller mirrors it).
 */

/** Rows per block: 256 rows × (64 + 64) columns × 8 bytes = 256 KiB, within L2. */
const ROW_BLOCK = 256;
/** Columns of Y per output tile. */
const COL_TILE = 64;

export function accumulateProduct(
  x: Float64Array,
  p: number,
  y: Float64Array,
  q: number,
  rows: number,
  c: Float64Array,
  upperOnly: boolean,
): void {
  for (let r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
    const r1 = Math.min(rows, r0 + ROW_BLOCK);
    for (let j0 = 0; j0 < q; j0 += COL_TILE) {
      const j1 = Math.min(q, j0 + COL_TILE);
      const iEnd = upperOnly ? Math.min(p, j1) : p;
      for (let i = 0; i < iEnd; i += 2) {
        const twoRows = i + 1 < p;
        // Skip quads entirely below the diagonal: their first column is left of row i.
        let j = upperOnly ? Math.max(j0, i - (i % 4)) : j0;
        for (; j + 4 <= j1; j += 4) {
          if (twoRows) tile2x4(x, p, y, q, r0, r1, c, i, j);
          else tileGeneric(x, p, y, q, r0, r1, c, i, 1, j, 4);
        }
        if (j < j1) tileGeneric(x, p, y, q, r0, r1, c, i, twoRows ? 2 : 1, j, j1 - j);
      }
    }
  }
}

function tile2x4(
  x: Float64Array, p: number, y: Float64Array, q: number, r0: number, r1: number, c: Float64Array, i: number, j: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let xo = r0 * p + i;
  let yo = r0 * q + j;
  for (let r = r0; r < r1; r++) {
    const x0 = x[xo]!, x1 = x[xo + 1]!;
    const y0 = y[yo]!, y1 = y[yo + 1]!, y2 = y[yo + 2]!, y3 = y[yo + 3]!;
    c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
    c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
    xo += p;
    yo += q;
  }
  const o0 = i * q + j;
  const o1 = o0 + q;
  c[o0] += c00; c[o0 + 1] += c01; c[o0 + 2] += c02; c[o0 + 3] += c03;
  c[o1] += c10; c[o1 + 1] += c11; c[o1 + 2] += c12; c[o1 + 3] += c13;
}

/** Edge tiles (fewer than 2 rows or 4 columns left): the same sums, one entry at a time. */
function tileGeneric(
  x: Float64Array, p: number, y: Float64Array, q: number, r0: number, r1: number, c: Float64Array,
  i: number, ni: number, j: number, nj: number,
): void {
  for (let a = 0; a < ni; a++) {
    for (let b = 0; b < nj; b++) {
      let s = 0;
      for (let r = r0; r < r1; r++) s += x[r * p + i + a]! * y[r * q + j + b]!;
      c[(i + a) * q + j + b] += s;
    }
  }
}
