/**
 * What every format reader produces. Readers check a signature, parse only headers, and read data on demand.
 * Data always comes back as float64 in C (row-major) order, whatever the dtype, byte order or storage order on disk.
 */
export type DType = 'f2' | 'bf16' | 'f4' | 'f8' | 'i1' | 'i2' | 'i4' | 'i8' | 'u1' | 'u2' | 'u4' | 'u8' | 'b1';

export type FormatName = 'npy' | 'npz' | 'safetensors' | 'hdf5';

export interface ArrayInfo {
  /** Name inside the container; for a bare `.npy` the file's stem. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly byteOrder: 'little' | 'big';
  readonly order: 'C' | 'F';
  /** Absolute byte offset of the raw data in the file when it is stored uncompressed and contiguous, else null. */
  readonly dataOffset: number | null;
  /** Bytes of the array's data once uncompressed. */
  readonly byteLength: number;
  readonly compressed: boolean;
}

export interface ArraySource {
  /** The file on disk. */
  readonly path: string;
  /** How errors and results name this array: `path` for a bare file, `path:name` inside a container. */
  readonly ref: string;
  readonly format: FormatName;
  readonly info: ArrayInfo;
  /** The whole array as float64, C order. */
  readAll(): Promise<Float64Array>;
  /** Rows [start, start + count) along the first axis, float64, C order; lets big files stream. */
  readRows(start: number, count: number): Promise<Float64Array>;
}

export interface FormatReader {
  readonly format: FormatName;
  /** Extensions this reader claims, lower case with the dot. */
  readonly extensions: readonly string[];
  /** Cheap signature check on the first bytes of a file; never throws. */
  match(head: Uint8Array): boolean;
  /** Headers of every array in the file, without reading array data. */
  list(path: string): Promise<ArrayInfo[]>;
  /** One array (the only one when `name` is omitted and the file holds exactly one). */
  open(path: string, name?: string): Promise<ArraySource>;
}
