import { decodeInto, elementCount, ITEM_SIZE } from './dtype.js';
import { FormatError } from './errors.js';
import { READ_CHUNK_BYTES, readAt, withFile } from './file.js';
import type { ArrayInfo, ArraySource, FormatName } from './types.js';

/** Largest array a single Float64Array may hold here; beyond it callers must stream with readRows. */
export const MAX_LOAD_ELEMENTS = 2 ** 31 - 1;

export type ErrorFactory = (file: string, problem: string) => FormatError;

/**
 * An array stored uncompressed and contiguous in a file (bare .npy, stored .npz member, safetensors tensor).
 * Every read is a positioned read of just the bytes needed; the file is opened per call so no handle outlives it.
 * C-order rows are one contiguous range; Fortran-order rows are a strided gather, transposed to C order on the way.
 */
export class ContiguousArraySource implements ArraySource {
  constructor(
    readonly path: string,
    readonly ref: string,
    readonly format: FormatName,
    readonly info: ArrayInfo & { readonly dataOffset: number },
    private readonly makeError: ErrorFactory,
  ) {}

  async readAll(): Promise<Float64Array> {
    const shape = this.info.shape;
    if (shape.length === 0) return this.readFlat(0, 1);
    return this.readRows(0, shape[0]!);
  }

  async readRows(start: number, count: number): Promise<Float64Array> {
    const shape = this.info.shape;
    if (shape.length === 0) throw this.makeError(this.ref, 'a 0-d array has no rows to read');
    checkRowRange(shape, start, count);
    const rowElements = elementCount(shape.slice(1));
    const total = rowElements * count;
    checkLoadable(this.ref, total, this.makeError);
    if (this.info.order === 'C' || shape.length === 1) return this.readFlat(start * rowElements, total);
    return this.readFortranRows(start, count);
  }

  /** `count` consecutive elements starting at flat (storage-order) element `first`. */
  private async readFlat(first: number, count: number): Promise<Float64Array> {
    const { dtype, byteOrder } = this.info;
    const size = ITEM_SIZE[dtype];
    const out = allocateValues(this.ref, count, this.makeError);
    if (count === 0) return out;
    const perChunk = Math.max(1, Math.floor(READ_CHUNK_BYTES / size));
    const buffer = new Uint8Array(Math.min(count, perChunk) * size);
    await withFile(this.path, async (handle) => {
      for (let done = 0; done < count; done += perChunk) {
        const n = Math.min(perChunk, count - done);
        const bytes = buffer.subarray(0, n * size);
        await readAt(handle, this.info.dataOffset + (first + done) * size, n * size, () => this.truncated(), bytes);
        decodeInto(bytes, 0, n, dtype, byteOrder === 'little', out, done);
      }
    });
    return out;
  }

  /**
   * Fortran order stores axis 0 fastest: trailing index k (in F order over shape[1:]) owns elements
   * [k·m, (k+1)·m). Rows [start, start+count) are the slice [k·m+start, k·m+start+count) of each; neighbouring
   * slices are read together in windows of at most READ_CHUNK_BYTES, then scattered to C order.
   */
  private async readFortranRows(start: number, count: number): Promise<Float64Array> {
    const { dtype, byteOrder, shape } = this.info;
    const size = ITEM_SIZE[dtype];
    const m = shape[0]!;
    const trailing = shape.slice(1);
    const columns = elementCount(trailing);
    const out = allocateValues(this.ref, count * columns, this.makeError);
    if (out.length === 0) return out;
    // C-order position of each F-order trailing index.
    const cIndexOfF = fortranToCIndex(trailing);
    const perWindow = Math.max(1, Math.floor((READ_CHUNK_BYTES / size - count) / m) + 1);
    const span = (cols: number): number => ((cols - 1) * m + count) * size;
    const buffer = new Uint8Array(span(Math.min(perWindow, columns)));
    const column = new Float64Array(count);
    await withFile(this.path, async (handle) => {
      for (let k0 = 0; k0 < columns; k0 += perWindow) {
        const cols = Math.min(perWindow, columns - k0);
        const bytes = buffer.subarray(0, span(cols));
        await readAt(handle, this.info.dataOffset + (k0 * m + start) * size, bytes.length, () => this.truncated(), bytes);
        for (let j = 0; j < cols; j++) {
          decodeInto(bytes, j * m * size, count, dtype, byteOrder === 'little', column, 0);
          const c = cIndexOfF[k0 + j]!;
          for (let i = 0; i < count; i++) out[i * columns + c] = column[i]!;
        }
      }
    });
    return out;
  }

  private truncated(): FormatError {
    return this.makeError(this.ref, 'file ended before the array data did (truncated or changed while reading)');
  }
}

export function checkRowRange(shape: readonly number[], start: number, count: number): void {
  const rows = shape[0] ?? 0;
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > rows) {
    throw new RangeError(`rows [${start}, ${start + count}) are outside the array's ${rows} rows`);
  }
}

/**
 * A float64 buffer for `count` values, or the reader's own error when the runtime cannot allocate it (V8 refuses
 * typed arrays past its length limit with a bare RangeError, which would otherwise surface as a crash).
 */
export function allocateValues(ref: string, count: number, makeError: ErrorFactory): Float64Array {
  checkLoadable(ref, count, makeError);
  try {
    return new Float64Array(count);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const gib = ((count * 8) / 1024 ** 3).toFixed(1);
    throw makeError(ref, `${count} values (${gib} GiB as float64) cannot be held in memory at once; read it in row blocks`);
  }
}

export function checkLoadable(ref: string, elements: number, makeError: ErrorFactory): void {
  if (elements > MAX_LOAD_ELEMENTS) {
    throw makeError(ref, `${elements} values are too many to load at once (limit ${MAX_LOAD_ELEMENTS}); read it in row blocks`);
  }
}

/** For dims `d`, the C-order flat index of each F-order flat index. */
export function fortranToCIndex(dims: readonly number[]): Uint32Array {
  const n = elementCount(dims);
  const result = new Uint32Array(n);
  const cStride: number[] = new Array<number>(dims.length);
  let s = 1;
  for (let a = dims.length - 1; a >= 0; a--) {
    cStride[a] = s;
    s *= dims[a]!;
  }
  const idx = new Array<number>(dims.length).fill(0);
  let c = 0;
  for (let f = 0; f < n; f++) {
    result[f] = c;
    // Advance the multi-index with axis 0 fastest, keeping the C offset in step.
    for (let a = 0; a < dims.length; a++) {
      idx[a]!++;
      c += cStride[a]!;
      if (idx[a]! < dims[a]!) break;
      c -= cStride[a]! * dims[a]!;
      idx[a] = 0;
    }
  }
  return result;
}
