/**
 * Fortran (column-major) values of an array of `shape` → the same array in C (row-major) order.
 * Walks the F order sequentially while keeping the matching C offset in step, so no index table is needed.
 */
export function fortranToC(src: Float64Array, shape: readonly number[]): Float64Array {
  const out = new Float64Array(src.length);
  const rank = shape.length;
  if (src.length === 0) return out;
  const cStride = new Array<number>(rank);
  let s = 1;
  for (let a = rank - 1; a >= 0; a--) {
    cStride[a] = s;
    s *= shape[a]!;
  }
  const index = new Array<number>(rank).fill(0);
  let c = 0;
  for (let f = 0; f < src.length; f++) {
    out[c] = src[f]!;
    for (let a = 0; a < rank; a++) {
      index[a]!++;
      c += cStride[a]!;
      if (index[a]! < shape[a]!) break;
      c -= cStride[a]! * shape[a]!;
      index[a] = 0;
    }
  }
  return out;
}
