/** (rows × cols) row-major → (cols × rows) row-major. */
export function transposeMatrix(src: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(src.length);
  transposeInto(src, 0, rows, cols, out, 0);
  return out;
}

/** (m, c, p) → (m, p, c): channels-first to channels-last, p = h·w positions; one matrix transpose per datapoint. */
export function transposeChannelsLast(src: Float64Array, m: number, c: number, p: number): Float64Array {
  const out = new Float64Array(src.length);
  const block = c * p;
  for (let n = 0; n < m; n++) transposeInto(src, n * block, c, p, out, n * block);
  return out;
}

/** Blocked so both the read and the write side stay in cache on big layers. */
function transposeInto(src: Float64Array, srcOffset: number, rows: number, cols: number, out: Float64Array, outOffset: number): void {
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(i0 + B, rows);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(j0 + B, cols);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) out[outOffset + j * rows + i] = src[srcOffset + i * cols + j]!;
      }
    }
  }
}
