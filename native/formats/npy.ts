import { basename, extname } from 'node:path';
import { ContiguousArraySource, type ErrorFactory } from './contiguous.js';
import { elementCount, formatShape, ITEM_SIZE } from './dtype.js';
import { NpyError, quote } from './errors.js';
import { readAt, readHead, regularFileSize, withFile } from './file.js';
import { isPyDict, isPyTuple, parsePyLiteral, PyLiteralError, pyRepr, type PyValue } from './pyliteral.js';
import type { ArrayInfo, ArraySource, DType, FormatReader } from './types.js';

/**
 * NumPy's .npy format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 * `\x93NUMPY`, major and minor version bytes, a little-endian header length (2 bytes in v1, 4 in v2/v3), then a
 * Python dict literal {'descr', 'fortran_order', 'shape'} padded with spaces and a newline, then the raw data.
 */
export const NPY_MAGIC = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59);
/** numpy itself refuses headers over 10 kB by default; 1 MiB leaves room for odd writers and stops absurd values. */
export const MAX_NPY_HEADER_BYTES = 1024 * 1024;
/** Enough bytes to hold the magic, the version and the header length of any version. */
export const NPY_PREAMBLE_BYTES = 12;

export interface NpyHeader {
  readonly version: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly byteOrder: 'little' | 'big';
  readonly order: 'C' | 'F';
  /** Bytes from the start of the .npy stream to its first data byte. */
  readonly dataStart: number;
  /** Bytes of data the header promises. */
  readonly byteLength: number;
}

const npyError: ErrorFactory = (file, problem) => new NpyError(file, problem);

export function match(head: Uint8Array): boolean {
  if (head.length < NPY_MAGIC.length) return false;
  return NPY_MAGIC.every((b, i) => head[i] === b);
}

/**
 * From the first bytes of a .npy stream, the number of bytes up to the end of its header (= where data starts).
 * Needs at least NPY_PREAMBLE_BYTES bytes (or all there are).
 */
export function npyHeaderEnd(prefix: Uint8Array, ref: string, makeError: ErrorFactory = npyError): number {
  if (!match(prefix)) {
    // The bytes found are not quoted: errors may cross the wire and must not leak a file's contents.
    throw makeError(ref, 'not a .npy file: expected the magic "\\x93NUMPY" at its start');
  }
  if (prefix.length < 10) throw makeError(ref, 'file ends inside the .npy preamble');
  const major = prefix[6]!;
  const minor = prefix[7]!;
  if (minor !== 0 || major < 1 || major > 3) throw makeError(ref, `unsupported .npy format version ${major}.${minor} (known: 1.0, 2.0, 3.0)`);
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  let headerLength: number;
  let preamble: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    preamble = 10;
  } else {
    if (prefix.length < 12) throw makeError(ref, 'file ends inside the .npy preamble');
    headerLength = view.getUint32(8, true);
    preamble = 12;
  }
  if (headerLength > MAX_NPY_HEADER_BYTES) {
    throw makeError(ref, `.npy header length ${headerLength} bytes exceeds the limit of ${MAX_NPY_HEADER_BYTES}`);
  }
  return preamble + headerLength;
}

/**
 * Parse and check a complete .npy header (`bytes` holds at least npyHeaderEnd bytes). `dataBytes`, when known, is
 * how many bytes follow the header; it must equal what the header promises.
 */
export function parseNpyHeader(
  bytes: Uint8Array,
  ref: string,
  dataBytes: number | null,
  makeError: ErrorFactory = npyError,
): NpyHeader {
  const dataStart = npyHeaderEnd(bytes, ref, makeError);
  if (bytes.length < dataStart) throw makeError(ref, `file ends inside the .npy header (header needs ${dataStart} bytes, file has ${bytes.length})`);
  const major = bytes[6]!;
  const preamble = major === 1 ? 10 : 12;
  const raw = bytes.subarray(preamble, dataStart);
  // v1 and v2 headers are latin-1, v3 headers UTF-8.
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(raw).replace(/[\s\0]+$/, '');
  let literal: PyValue;
  try {
    literal = parsePyLiteral(text);
  } catch (err) {
    if (err instanceof PyLiteralError) throw makeError(ref, `malformed .npy header ${quote(text)}: ${err.message}`);
    throw err;
  }
  if (!isPyDict(literal)) throw makeError(ref, `.npy header is not a dict: ${quote(text)}`);
  const keys = [...literal.dict.keys()].sort();
  if (keys.join(',') !== 'descr,fortran_order,shape') {
    throw makeError(ref, `.npy header must have exactly the keys 'descr', 'fortran_order', 'shape'; found ${quote(keys.join(', '))}`);
  }
  const { dtype, byteOrder } = parseDescr(literal.dict.get('descr')!, ref, makeError);
  const fortran = literal.dict.get('fortran_order');
  if (typeof fortran !== 'boolean') throw makeError(ref, `'fortran_order' must be True or False, found ${quote(pyRepr(fortran!))}`);
  const shape = parseShape(literal.dict.get('shape')!, ref, makeError);
  const count = elementCount(shape);
  const byteLength = count * ITEM_SIZE[dtype];
  if (!Number.isSafeInteger(byteLength)) throw makeError(ref, `shape ${formatShape(shape)} is absurdly large`);
  if (dataBytes !== null && dataBytes !== byteLength) {
    const what = dataBytes < byteLength ? 'truncated' : 'has trailing bytes';
    throw makeError(
      ref,
      `${what}: header says shape ${formatShape(shape)} of ${dtype} (${byteLength} data bytes) but ${dataBytes} bytes follow the header`,
    );
  }
  return { version: `${major}.0`, shape, dtype, byteOrder, order: fortran ? 'F' : 'C', dataStart, byteLength };
}

function parseDescr(descr: PyValue, ref: string, makeError: ErrorFactory): { dtype: DType; byteOrder: 'little' | 'big' } {
  if (typeof descr !== 'string') {
    throw makeError(ref, `unsupported dtype ${quote(pyRepr(descr))}: structured arrays are not supported; save one plain numeric array per layer`);
  }
  const m = /^([<>|=])([a-zA-Z])(\d*)(\[.*\])?$/.exec(descr);
  if (!m) throw makeError(ref, `unsupported dtype ${quote(descr)}`);
  const [, orderChar, kind, sizeText] = m as unknown as [string, string, string, string];
  const size = Number(sizeText || '0');
  switch (kind) {
    case 'O': throw makeError(ref, `unsupported dtype ${quote(descr)}: object arrays hold pickled Python objects and are never loaded; save a numeric array`);
    case 'S': case 'a': case 'U': throw makeError(ref, `unsupported dtype ${quote(descr)}: string arrays are not numeric`);
    case 'c': throw makeError(ref, `unsupported dtype ${quote(descr)}: complex values are not supported`);
    case 'V': throw makeError(ref, `unsupported dtype ${quote(descr)}: void/structured arrays are not supported`);
    case 'M': case 'm': throw makeError(ref, `unsupported dtype ${quote(descr)}: datetimes are not activations`);
    default: break;
  }
  const dtype = ({ f2: 'f2', f4: 'f4', f8: 'f8', i1: 'i1', i2: 'i2', i4: 'i4', i8: 'i8', u1: 'u1', u2: 'u2', u4: 'u4', u8: 'u8', b1: 'b1' } as const)[
    `${kind}${size}` as 'f4'
  ] as DType | undefined;
  if (!dtype) throw makeError(ref, `unsupported dtype ${quote(descr)}`);
  if (orderChar === '|' && size > 1) throw makeError(ref, `unsupported dtype ${quote(descr)}: a multi-byte type needs a byte order`);
  // '=' is "native"; numpy never writes it in files, and every machine it runs on for this app is little-endian.
  return { dtype, byteOrder: orderChar === '>' ? 'big' : 'little' };
}

function parseShape(shape: PyValue, ref: string, makeError: ErrorFactory): number[] {
  if (!isPyTuple(shape)) throw makeError(ref, `'shape' must be a tuple, found ${quote(pyRepr(shape))}`);
  const dims: number[] = [];
  for (const d of shape.tuple) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw makeError(ref, `shape ${quote(pyRepr(shape))} has an entry that is not a non-negative integer: ${quote(pyRepr(d))}`);
    }
    dims.push(d);
  }
  if (dims.length > 32) throw makeError(ref, `shape ${quote(pyRepr(shape))} has more than 32 dimensions`);
  return dims;
}

/** The array name of a bare .npy file: its file name without the extension. */
export function npyStem(path: string): string {
  const base = basename(path);
  return extname(base).toLowerCase() === '.npy' ? base.slice(0, -4) : base;
}

async function readNpyHeader(path: string): Promise<{ header: NpyHeader; info: ArrayInfo & { dataOffset: number } }> {
  const size = await regularFileSize(path);
  if (size === 0) throw new NpyError(path, 'file is empty');
  return withFile(path, async (handle) => {
    let bytes = await readHead(handle, Math.min(size, 4096));
    const end = npyHeaderEnd(bytes, path);
    if (end > size) throw new NpyError(path, `file ends inside the .npy header (header needs ${end} bytes, file has ${size})`);
    if (end > bytes.length) bytes = await readAt(handle, 0, end, () => new NpyError(path, 'file shrank while reading'));
    const header = parseNpyHeader(bytes, path, size - end);
    const info = {
      name: npyStem(path),
      shape: header.shape,
      dtype: header.dtype,
      byteOrder: header.byteOrder,
      order: header.order,
      dataOffset: header.dataStart,
      byteLength: header.byteLength,
      compressed: false,
    };
    return { header, info };
  });
}

export async function list(path: string): Promise<ArrayInfo[]> {
  return [(await readNpyHeader(path)).info];
}

export async function open(path: string, name?: string): Promise<ArraySource> {
  const { info } = await readNpyHeader(path);
  if (name !== undefined && name !== info.name) {
    throw new NpyError(`${path}:${name}`, `a .npy file holds one array (${quote(info.name)}); there is no array ${quote(name)}`);
  }
  return new ContiguousArraySource(path, path, 'npy', info, npyError);
}

export const npyReader: FormatReader = { format: 'npy', extensions: ['.npy'], match, list, open };
