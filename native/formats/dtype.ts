import type { DType } from './types.js';

/** Bytes per element of each dtype. */
export const ITEM_SIZE: Readonly<Record<DType, number>> = {
  f2: 2, bf16: 2, f4: 4, f8: 8,
  i1: 1, i2: 2, i4: 4, i8: 8,
  u1: 1, u2: 2, u4: 4, u8: 8,
  b1: 1,
};

export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** IEEE 754 binary16 → float64, exactly (every half is representable as a double). */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const bf16Scratch = new DataView(new ArrayBuffer(4));
/** bfloat16 is the top half of a float32. */
export function bf16ToNumber(bits: number): number {
  bf16Scratch.setUint32(0, bits << 16, false);
  return bf16Scratch.getFloat32(0, false);
}

/**
 * Convert `count` elements stored at `bytes[byteOffset…]` into float64 at `out[outOffset…]`.
 * Native-order float32/float64 take a typed-array fast path (Float64Array.set converts exactly); the rest go through
 * a DataView, which handles either byte order.
 */
export function decodeInto(
  bytes: Uint8Array,
  byteOffset: number,
  count: number,
  dtype: DType,
  littleEndian: boolean,
  out: Float64Array,
  outOffset: number,
): void {
  const size = ITEM_SIZE[dtype];
  const start = bytes.byteOffset + byteOffset;
  const native = littleEndian === HOST_LITTLE_ENDIAN || size === 1;
  if (native && start % size === 0) {
    const buffer = bytes.buffer;
    switch (dtype) {
      case 'f4': out.set(new Float32Array(buffer, start, count), outOffset); return;
      case 'f8': out.set(new Float64Array(buffer, start, count), outOffset); return;
      case 'i1': out.set(new Int8Array(buffer, start, count), outOffset); return;
      case 'u1': out.set(new Uint8Array(buffer, start, count), outOffset); return;
      case 'i2': out.set(new Int16Array(buffer, start, count), outOffset); return;
      case 'u2': out.set(new Uint16Array(buffer, start, count), outOffset); return;
      case 'i4': out.set(new Int32Array(buffer, start, count), outOffset); return;
      case 'u4': out.set(new Uint32Array(buffer, start, count), outOffset); return;
      default: break;
    }
  }
  const view = new DataView(bytes.buffer, start, count * size);
  const le = littleEndian;
  switch (dtype) {
    case 'f2': for (let i = 0; i < count; i++) out[outOffset + i] = halfToNumber(view.getUint16(2 * i, le)); return;
    case 'bf16': for (let i = 0; i < count; i++) out[outOffset + i] = bf16ToNumber(view.getUint16(2 * i, le)); return;
    case 'f4': for (let i = 0; i < count; i++) out[outOffset + i] = view.getFloat32(4 * i, le); return;
    case 'f8': for (let i = 0; i < count; i++) out[outOffset + i] = view.getFloat64(8 * i, le); return;
    case 'i1': for (let i = 0; i < count; i++) out[outOffset + i] = view.getInt8(i); return;
    case 'u1': for (let i = 0; i < count; i++) out[outOffset + i] = view.getUint8(i); return;
    case 'b1': for (let i = 0; i < count; i++) out[outOffset + i] = view.getUint8(i) !== 0 ? 1 : 0; return;
    case 'i2': for (let i = 0; i < count; i++) out[outOffset + i] = view.getInt16(2 * i, le); return;
    case 'u2': for (let i = 0; i < count; i++) out[outOffset + i] = view.getUint16(2 * i, le); return;
    case 'i4': for (let i = 0; i < count; i++) out[outOffset + i] = view.getInt32(4 * i, le); return;
    case 'u4': for (let i = 0; i < count; i++) out[outOffset + i] = view.getUint32(4 * i, le); return;
    // Number(bigint) rounds to nearest, as numpy's int64 → float64 cast does; exact below 2^53.
    case 'i8': for (let i = 0; i < count; i++) out[outOffset + i] = Number(view.getBigInt64(8 * i, le)); return;
    case 'u8': for (let i = 0; i < count; i++) out[outOffset + i] = Number(view.getBigUint64(8 * i, le)); return;
  }
}

/** Product of a shape's entries (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}
