import type { Dataset, Group } from 'h5wasm/node';
import { checkLoadable, checkRowRange, type ErrorFactory } from './contiguous.js';
import { decodeInto, elementCount, ITEM_SIZE } from './dtype.js';
import { Hdf5Error, quote } from './errors.js';
import { regularFileSize } from './file.js';
import { pickArray } from './pick.js';
import type { ArrayInfo, ArraySource, DType, FormatReader } from './types.js';

/**
 * HDF5 through h5wasm (the HDF5 C library compiled to WebAssembly; see docs/DEPENDENCIES.md). Datasets are named by
 * their path below the root (`group/name`). Listing reads object headers only; data is read on demand as hyperslabs
 * of whole rows, in blocks small enough for the WebAssembly heap. Only numeric datasets are arrays here: strings,
 * compounds, references and the like are left out of listings and refused by name.
 */
export const HDF5_SIGNATURE = Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a);
/** Where HDF5 looks for its superblock: offset 0, then after a user block of 512, 1024, 2048, … bytes. */
const SIGNATURE_OFFSETS = [0, 512, 1024, 2048];
/** Bytes per hyperslab read: the WebAssembly heap tops out at 2 GiB, and big reads are split into row blocks. */
const READ_BLOCK_BYTES = 32 * 1024 * 1024;
const MAX_GROUP_DEPTH = 64;
const MAX_DATASETS = 100_000;

const hdf5Error: ErrorFactory = (file, problem) => new Hdf5Error(file, problem);

export function match(head: Uint8Array): boolean {
  return SIGNATURE_OFFSETS.some((at) => head.length >= at + 8 && HDF5_SIGNATURE.every((b, i) => head[at + i] === b));
}

type H5Lib = (typeof import('h5wasm/node'))['default'];
type H5Module = Awaited<H5Lib['ready']>;
let library: Promise<{ h5: H5Lib; module: H5Module }> | null = null;

/** Load the WebAssembly module once, on first use (it costs ~100 ms, so the other readers never pay for it). */
function loadLibrary(): Promise<{ h5: H5Lib; module: H5Module }> {
  library ??= (async () => {
    const h5 = (await import('h5wasm/node')).default;
    const module = await h5.ready;
    // Turn HDF5's error-stack printing (to stderr) into thrown errors we can summarise in one line.
    module.activate_throwing_error_handler();
    return { h5, module };
  })();
  return library;
}

/** HDF5's error stack is many lines; the innermost entry names the cause ("file signature not found"). */
export function summarizeHdf5Error(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const causes = [...text.matchAll(/#\d+: .*? in [\w]+\(\): (.*)$/gm)].map((m) => m[1]!.trim());
  const minors = [...text.matchAll(/minor: (.*)$/gm)].map((m) => m[1]!.trim());
  const cause = causes.at(-1);
  const minor = minors.at(-1);
  if (cause) return minor && !cause.toLowerCase().includes(minor.toLowerCase()) ? `${cause} (${minor.toLowerCase()})` : cause;
  return text.split('\n')[0]!.slice(0, 200);
}

async function withHdf5<T>(path: string, body: (root: Group, lib: { h5: H5Lib; module: H5Module }) => T): Promise<T> {
  const size = await regularFileSize(path);
  if (size === 0) throw new Hdf5Error(path, 'file is empty');
  const lib = await loadLibrary();
  let file: InstanceType<H5Lib['File']>;
  try {
    file = new lib.h5.File(path, 'r');
  } catch (err) {
    throw new Hdf5Error(path, `cannot open as HDF5: ${summarizeHdf5Error(err)}`);
  }
  if (file.file_id < 0n) throw new Hdf5Error(path, 'cannot open as HDF5');
  try {
    return body(file, lib);
  } finally {
    file.close();
  }
}

interface DatasetInfo extends ArrayInfo {
  /** Why this dataset is not a numeric array, or null when it is. */
  readonly unsupported: string | null;
}

const CLASS_NAMES: Record<number, string> = {
  0: 'integer', 1: 'float', 2: 'time', 3: 'string', 4: 'bitfield', 5: 'opaque', 6: 'compound', 7: 'reference', 8: 'enum', 9: 'variable-length', 10: 'array',
};

function describe(path: string, name: string, dataset: Dataset): DatasetInfo {
  let metadata: Dataset['metadata'];
  try {
    metadata = dataset.metadata;
  } catch (err) {
    throw new Hdf5Error(`${path}:${name}`, `cannot read the dataset header: ${summarizeHdf5Error(err)}`);
  }
  const shape = metadata.shape ?? [];
  let type = metadata.type;
  let size = metadata.size;
  let signed = metadata.signed;
  // Enums over integers (h5py's bool is one) read as their integer values.
  if (type === 8 && metadata.enum_type && metadata.enum_type.type === 0) {
    type = 0;
    size = metadata.size;
    signed = metadata.signed;
  }
  const integers: Record<number, DType> = signed ? { 1: 'i1', 2: 'i2', 4: 'i4', 8: 'i8' } : { 1: 'u1', 2: 'u2', 4: 'u4', 8: 'u8' };
  const floats: Record<number, DType> = { 2: 'f2', 4: 'f4', 8: 'f8' };
  const dtype: DType | null = (type === 0 ? integers[size] : type === 1 ? floats[size] : undefined) ?? null;
  const unsupported = dtype === null
    ? `unsupported HDF5 datatype ${quote(`${CLASS_NAMES[type] ?? `class ${type}`}, ${size} bytes`)}: only integer and float datasets are arrays`
    : metadata.shape === null ? 'dataset has no dataspace (null shape)' : null;
  return {
    name,
    shape,
    dtype: dtype ?? 'u1',
    byteOrder: metadata.littleEndian ? 'little' : 'big',
    order: 'C',
    dataOffset: null,
    byteLength: elementCount(shape) * (dtype ? ITEM_SIZE[dtype] : size),
    compressed: safeFilters(dataset).length > 0,
    unsupported,
  };
}

function safeFilters(dataset: Dataset): unknown[] {
  try {
    return dataset.filters;
  } catch {
    return [];
  }
}

function walk(lib: H5Lib, path: string, group: Group, prefix: string, depth: number, out: DatasetInfo[]): void {
  if (depth > MAX_GROUP_DEPTH) throw new Hdf5Error(path, `groups nest deeper than ${MAX_GROUP_DEPTH} levels (a link cycle?)`);
  let keys: string[];
  try {
    keys = group.keys();
  } catch (err) {
    throw new Hdf5Error(path, `cannot list group ${quote(prefix || '/')}: ${summarizeHdf5Error(err)}`);
  }
  for (const key of keys) {
    const name = prefix ? `${prefix}/${key}` : key;
    let entity: ReturnType<Group['get']>;
    try {
      entity = group.get(key);
    } catch (err) {
      throw new Hdf5Error(`${path}:${name}`, `cannot open: ${summarizeHdf5Error(err)}`);
    }
    if (entity === null) continue;
    if (entity instanceof lib.Group) walk(lib, path, entity, name, depth + 1, out);
    else if (entity instanceof lib.Dataset) {
      out.push(describe(path, name, entity));
      if (out.length > MAX_DATASETS) throw new Hdf5Error(path, `holds more than ${MAX_DATASETS} datasets`);
    }
    // Broken soft links, external links and named datatypes are not arrays.
  }
}

async function readAllInfos(path: string): Promise<DatasetInfo[]> {
  return withHdf5(path, (root, { h5 }) => {
    const out: DatasetInfo[] = [];
    walk(h5, path, root, '', 0, out);
    return out;
  });
}

function publicInfo(d: DatasetInfo): ArrayInfo {
  const { name, shape, dtype, byteOrder, order, dataOffset, byteLength, compressed } = d;
  return { name, shape, dtype, byteOrder, order, dataOffset, byteLength, compressed };
}

export async function list(path: string): Promise<ArrayInfo[]> {
  return (await readAllInfos(path)).filter((d) => d.unsupported === null).map(publicInfo);
}

export async function open(path: string, name?: string): Promise<ArraySource> {
  const all = await readAllInfos(path);
  const numeric = all.filter((d) => d.unsupported === null);
  const asked = name === undefined ? undefined : all.find((d) => d.name === name.replace(/^\/+/, ''));
  if (asked?.unsupported) throw new Hdf5Error(`${path}:${asked.name}`, asked.unsupported);
  const chosen = pickArray(numeric, path, asked?.name ?? name, hdf5Error);
  return new Hdf5ArraySource(path, publicInfo(chosen));
}

class Hdf5ArraySource implements ArraySource {
  readonly format = 'hdf5';
  readonly ref: string;
  constructor(
    readonly path: string,
    readonly info: ArrayInfo,
  ) {
    this.ref = `${path}:${info.name}`;
  }

  async readAll(): Promise<Float64Array> {
    const shape = this.info.shape;
    checkLoadable(this.ref, elementCount(shape), hdf5Error);
    if (shape.length === 0) return this.read(null, 1);
    return this.readRows(0, shape[0]!);
  }

  async readRows(start: number, count: number): Promise<Float64Array> {
    const shape = this.info.shape;
    if (shape.length === 0) throw new Hdf5Error(this.ref, 'a 0-d array has no rows to read');
    checkRowRange(shape, start, count);
    const rowElements = elementCount(shape.slice(1));
    checkLoadable(this.ref, rowElements * count, hdf5Error);
    const out = new Float64Array(rowElements * count);
    if (out.length === 0) return out;
    const rowsPerBlock = Math.max(1, Math.floor(READ_BLOCK_BYTES / (rowElements * ITEM_SIZE[this.info.dtype])));
    for (let done = 0; done < count; done += rowsPerBlock) {
      const n = Math.min(rowsPerBlock, count - done);
      out.set(await this.read([start + done, n], n * rowElements), done * rowElements);
    }
    return out;
  }

  /** One hyperslab read of rows [first, first + n) (or the whole 0-d dataset), decoded to float64. */
  private async read(rows: [number, number] | null, elements: number): Promise<Float64Array> {
    const { dtype, shape } = this.info;
    const itemSize = ITEM_SIZE[dtype];
    return withHdf5(this.path, (root, { module }) => {
      const nbytes = elements * itemSize;
      const pointer = module._malloc(Math.max(1, nbytes));
      if (pointer === 0) throw new Hdf5Error(this.ref, `cannot allocate ${nbytes} bytes in the HDF5 WebAssembly heap`);
      try {
        const count = rows ? [BigInt(rows[1]), ...shape.slice(1).map(BigInt)] : null;
        const offset = rows ? [BigInt(rows[0]), ...shape.slice(1).map(() => 0n)] : null;
        const strides = rows ? shape.map(() => 1n) : null;
        try {
          module.get_dataset_data(root.file_id, `/${this.info.name}`, count, offset, strides, BigInt(pointer));
        } catch (err) {
          throw new Hdf5Error(this.ref, `cannot read the data: ${missingFilter(root, this.info.name) ?? summarizeHdf5Error(err)}`);
        }
        // h5wasm reads into little-endian memory whatever the file's byte order.
        const bytes = module.HEAPU8.slice(pointer, pointer + nbytes);
        const out = new Float64Array(elements);
        decodeInto(bytes, 0, elements, dtype, true, out, 0);
        return out;
      } finally {
        module._free(pointer);
      }
    });
  }
}

/** Filters the HDF5 library has built in (deflate, shuffle, fletcher32, szip, nbit, scaleoffset); others are plugins. */
const BUILT_IN_FILTERS = new Set([1, 2, 3, 4, 5, 6]);

/** When a read fails on a dataset compressed with a plugin filter (h5py's LZF, Blosc, …), say so plainly. */
function missingFilter(root: Group, name: string): string | null {
  try {
    const dataset = root.get(name) as Dataset | null;
    const plugin = dataset?.filters.find((f) => !BUILT_IN_FILTERS.has(f.id));
    if (!plugin) return null;
    return `it is compressed with HDF5 filter ${plugin.id} (${quote(plugin.name)}), which is a plugin this reader does not include; re-save it with gzip compression or none`;
  } catch {
    return null;
  }
}

export const hdf5Reader: FormatReader = { format: 'hdf5', extensions: ['.h5', '.hdf5', '.hdf'], match, list, open };
