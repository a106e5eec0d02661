/**
 * The one dense matrix type of the numerical code: row-major float64.
 * Row-major because activations arrive datapoints-first (one row per datapoint), so a layer file maps onto it
 * without a transpose and row blocks can be streamed.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function matrix(rows: number, cols: number, data?: Float64Array): Matrix {
  const d = data ?? new Float64Array(rows * cols);
  if (d.length !== rows * cols) throw new RangeError(`matrix data has ${d.length} values, expected ${rows}×${cols}`);
  return { rows, cols, data: d };
}
