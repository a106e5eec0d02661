/** Float32 safety shared by the gpu.js kernels: power-of-two rescaling and the summation block length. */

/** At most this many float32 products are summed before the host takes over in float64 (error ≤ 512·2⁻²⁴). */
export const ROW_BLOCK = 512;

/** A float32 copy whose column (or row) k was multiplied by scale[k]. */
export interface Scaled {
  readonly values: Float32Array;
  readonly scale: Float64Array;
}

/** 2^−round(log2 norm): multiplying by it is exact and brings the norm near 1. A zero norm keeps scale 1. */
export function powerOfTwoScale(norm: number): number {
  if (!(norm > 0) || !Number.isFinite(norm)) return 1;
  return 2 ** -Math.round(Math.log2(norm));
}
