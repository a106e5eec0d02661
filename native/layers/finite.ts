/** Index of the first NaN or ±Inf value, or -1 when all are finite. */
export function firstNonFinite(values: Float64Array): number {
  for (let i = 0; i < values.length; i++) {
    // v - v is 0 for finite v and NaN for NaN and ±Inf: one comparison per value.
    const v = values[i]!;
    if (v - v !== 0) return i;
  }
  return -1;
}
