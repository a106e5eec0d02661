/**
 * Row-major ↔ column-major without copies where possible: a row-major r × c matrix is the column-major c × r matrix
 * Mᵀ with leading dimension c, so the products swap operands instead of transposing (C = A·B ⇔ Cᵀ = Bᵀ·Aᵀ).
 * Float32 kernels round their inputs once and widen the results back to float64 (the Matrix type).
 */
export type Real = Float64Array | Float32Array;

/** The data in the kernel's precision: the array itself for float64 (read-only use), a rounded copy for float32. */
export function input(data: Float64Array, single: boolean): Real {
  return single ? Float32Array.from(data) : data;
}

/** A copy in the kernel's precision, for routines that overwrite their input. */
export function scratch(data: Float64Array, single: boolean): Real {
  return single ? Float32Array.from(data) : Float64Array.from(data);
}

export function zeros(length: number, single: boolean): Real {
  return single ? new Float32Array(length) : new Float64Array(length);
}

/** float64 values of a result (the array itself when already float64). */
export function widen(data: Real): Float64Array {
  return data instanceof Float64Array ? data : Float64Array.from(data);
}

/** Fills the lower triangle of a column-major n × n matrix from its upper one (= row-major upper from lower). */
export function mirrorUpperColumnMajor(c: Real, n: number): void {
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < j; i++) c[j + i * n] = c[i + j * n]!;
  }
}

/**
 * A float32 operand scaled by a power of two so its largest magnitude is near 1 (exact, and far from float32's
 * overflow at 3e38 and underflow below 1e-38); results are multiplied back by 2^-(exponents) in float64.
 * Float64 operands are passed as they are (exponent 0).
 */
export function scaledInput(data: Float64Array, single: boolean): { readonly array: Real; readonly exponent: number } {
  if (!single) return { array: data, exponent: 0 };
  let max = 0;
  for (let i = 0; i < data.length; i++) max = Math.max(max, Math.abs(data[i]!));
  const exponent = max > 0 && Number.isFinite(max) ? -Math.round(Math.log2(max)) : 0;
  const factor = 2 ** exponent;
  const array = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) array[i] = data[i]! * factor;
  return { array, exponent };
}

/** float64 values of a result scaled back by 2^-exponent. */
export function unscaled(data: Real, exponent: number): Float64Array {
  const out = widen(data);
  if (exponent !== 0) {
    // Two steps keep 2^-exponent itself representable when the exponents add up past float64's range.
    const half = Math.trunc(exponent / 2);
    const f1 = 2 ** -half;
    const f2 = 2 ** -(exponent - half);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! * f1 * f2;
  }
  return out;
}
