import { ContiguousArraySource, type ErrorFactory } from './contiguous.js';
import { elementCount, formatShape, ITEM_SIZE } from './dtype.js';
import { quote, SafetensorsError } from './errors.js';
import { readAt, regularFileSize, withFile } from './file.js';
import { pickArray } from './pick.js';
import type { ArrayInfo, ArraySource, DType, FormatReader } from './types.js';

/**
 * Hugging Face safetensors (https://github.com/huggingface/safetensors#format): an unsigned 64-bit little-endian
 * header length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`,
 * then the data buffer; offsets are relative to the buffer. Always little-endian, always C order.
 */
/** The reference implementation's own cap on the JSON header (100 MB). */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

const DTYPES: Readonly<Record<string, DType>> = {
  F16: 'f2', BF16: 'bf16', F32: 'f4', F64: 'f8',
  I8: 'i1', I16: 'i2', I32: 'i4', I64: 'i8',
  U8: 'u1', U16: 'u2', U32: 'u4', U64: 'u8',
  BOOL: 'b1',
};

const safetensorsError: ErrorFactory = (file, problem) => new SafetensorsError(file, problem);

export function match(head: Uint8Array): boolean {
  if (head.length < 10) return false;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const n = view.getBigUint64(0, true);
  return n >= 2n && n <= BigInt(MAX_SAFETENSORS_HEADER_BYTES) && head[8] === 0x7b; // '{'
}

type TensorInfo = ArrayInfo & { readonly dataOffset: number };

async function readHeader(path: string): Promise<TensorInfo[]> {
  const size = await regularFileSize(path);
  if (size === 0) throw new SafetensorsError(path, 'file is empty');
  if (size < 8) throw new SafetensorsError(path, `file of ${size} bytes is too short for a safetensors header`);
  return withFile(path, async (handle) => {
    const short = (): SafetensorsError => new SafetensorsError(path, 'file ended inside the safetensors header');
    const lengthBytes = await readAt(handle, 0, 8, short);
    const n = new DataView(lengthBytes.buffer).getBigUint64(0, true);
    if (n > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) {
      throw new SafetensorsError(path, `safetensors header length ${n} bytes exceeds the limit of ${MAX_SAFETENSORS_HEADER_BYTES}`);
    }
    const headerLength = Number(n);
    if (8 + headerLength > size) {
      throw new SafetensorsError(path, `safetensors header length ${headerLength} runs past the end of the ${size}-byte file`);
    }
    const text = new TextDecoder('utf-8', { fatal: false }).decode(await readAt(handle, 8, headerLength, short));
    return parseHeader(text, path, 8 + headerLength, size - 8 - headerLength);
  });
}

function parseHeader(text: string, path: string, dataStart: number, dataBytes: number): TensorInfo[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SafetensorsError(path, `safetensors header is not valid JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SafetensorsError(path, 'safetensors header is not a JSON object');
  const tensors: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') continue; // free-form strings; nothing to read
    const ref = `${path}:${name}`;
    if (typeof entry !== 'object' || entry === null) throw new SafetensorsError(ref, 'tensor entry is not an object');
    const { dtype: rawDtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    const dtype = typeof rawDtype === 'string' ? DTYPES[rawDtype] : undefined;
    if (!dtype) throw new SafetensorsError(ref, `unsupported dtype ${quote(typeof rawDtype === 'string' ? rawDtype : JSON.stringify(rawDtype))} (readable: ${Object.keys(DTYPES).join(' ')})`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      throw new SafetensorsError(ref, `shape ${quote(JSON.stringify(shape))} is not a list of non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) {
      throw new SafetensorsError(ref, `data_offsets ${quote(JSON.stringify(offsets))} is not [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    const dims = shape as number[];
    const byteLength = elementCount(dims) * ITEM_SIZE[dtype];
    if (end < begin || end - begin !== byteLength) {
      throw new SafetensorsError(ref, `data_offsets [${begin}, ${end}] hold ${end - begin} bytes but shape ${formatShape(dims)} of ${rawDtype} needs ${byteLength}`);
    }
    if (end > dataBytes) {
      throw new SafetensorsError(ref, `data_offsets [${begin}, ${end}] run past the ${dataBytes}-byte data buffer (truncated file?)`);
    }
    tensors.push({ name, shape: dims, dtype, byteOrder: 'little', order: 'C', dataOffset: dataStart + begin, byteLength, compressed: false });
  }
  // File order: the order tensors sit in the buffer (JSON key order is not reliable for names like "0").
  tensors.sort((a, b) => a.dataOffset - b.dataOffset || a.byteLength - b.byteLength);
  for (let i = 1; i < tensors.length; i++) {
    const prev = tensors[i - 1]!;
    const cur = tensors[i]!;
    if (cur.dataOffset < prev.dataOffset + prev.byteLength) {
      throw new SafetensorsError(path, `tensors ${quote(prev.name)} and ${quote(cur.name)} overlap in the data buffer`);
    }
  }
  return tensors;
}

export async function list(path: string): Promise<ArrayInfo[]> {
  return readHeader(path);
}

export async function open(path: string, name?: string): Promise<ArraySource> {
  const info = pickArray(await readHeader(path), path, name, safetensorsError);
  return new ContiguousArraySource(path, `${path}:${info.name}`, 'safetensors', info, safetensorsError);
}

export const safetensorsReader: FormatReader = { format: 'safetensors', extensions: ['.safetensors'], match, list, open };
