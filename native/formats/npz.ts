import { crc32 } from 'node:zlib';
import { checkLoadable, checkRowRange, ContiguousArraySource, type ErrorFactory } from './contiguous.js';
import { decodeInto, elementCount, ITEM_SIZE } from './dtype.js';
import { NpzError, quote } from './errors.js';
import { readAt, regularFileSize, withFile } from './file.js';
import { InflateError, inflateMember } from './inflate.js';
import { NPY_PREAMBLE_BYTES, npyHeaderEnd, parseNpyHeader, type NpyHeader } from './npy.js';
import { fortranToC } from './order.js';
import { pickArray } from './pick.js';
import type { ArrayInfo, ArraySource, FormatReader } from './types.js';
import { memberDataOffset, readCentralDirectory, ZipStructureError, type ZipMember } from './zip.js';

/**
 * NumPy's .npz: a zip of .npy members, `name.npy` holding array `name` (np.savez stores, np.savez_compressed
 * deflates). Listing reads the central directory and only the first bytes of each member (a deflated member is
 * inflated just far enough to parse its .npy header).
 */
export const ZIP_MAGIC = Uint8Array.of(0x50, 0x4b, 0x03, 0x04);
/** Deflate cannot exceed about 1032:1; a directory declaring more is lying. Small members get slack for headers. */
export const MAX_DEFLATE_RATIO = 1100;
const RATIO_SLACK_BYTES = 64 * 1024;

const npzError: ErrorFactory = (file, problem) => new NpzError(file, problem);

export function match(head: Uint8Array): boolean {
  return head.length >= 4 && ZIP_MAGIC.every((b, i) => head[i] === b);
}

interface MemberArray extends ArrayInfo {
  readonly member: ZipMember;
  /** Absolute offset of the member's (possibly compressed) bytes. */
  readonly memberStart: number;
  readonly header: NpyHeader;
}

async function readMembers(path: string): Promise<MemberArray[]> {
  const size = await regularFileSize(path);
  if (size === 0) throw new NpzError(path, 'file is empty');
  return withFile(path, async (handle) => {
    let members: ZipMember[];
    try {
      members = await readCentralDirectory(handle, size);
    } catch (err) {
      throw err instanceof ZipStructureError ? new NpzError(path, err.message) : err;
    }
    const arrays: MemberArray[] = [];
    const seen = new Set<string>();
    for (const member of members) {
      // Folders and non-.npy members are not arrays (np.load would not return them as arrays either).
      if (member.name.endsWith('/') || !member.name.toLowerCase().endsWith('.npy')) continue;
      const name = member.name.slice(0, -4);
      const ref = `${path}:${name}`;
      if (seen.has(name)) throw new NpzError(ref, `the zip holds two members named ${quote(member.name)}`);
      seen.add(name);
      checkMember(member, ref);
      let memberStart: number;
      try {
        memberStart = await memberDataOffset(handle, size, member);
      } catch (err) {
        throw err instanceof ZipStructureError ? new NpzError(ref, err.message) : err;
      }
      const head = member.method === 0 ? await storedHead(member, ref, memberStart) : await deflatedHead(path, ref, member, memberStart);
      const header = parseNpyHeader(head, ref, member.uncompressedSize - npyHeaderEnd(head, ref, npzError), npzError);
      arrays.push({
        name,
        shape: header.shape,
        dtype: header.dtype,
        byteOrder: header.byteOrder,
        order: header.order,
        dataOffset: member.method === 0 ? memberStart + header.dataStart : null,
        byteLength: header.byteLength,
        compressed: member.method !== 0,
        member,
        memberStart,
        header,
      });
    }
    return arrays;

    async function storedHead(member: ZipMember, ref: string, start: number): Promise<Uint8Array> {
      const short = (): NpzError => new NpzError(ref, 'member ends inside its .npy header');
      const first = await readAt(handle, start, Math.min(member.uncompressedSize, 4096), short);
      const end = npyHeaderEnd(first, ref, npzError);
      // A header longer than the member is reported by parseNpyHeader.
      if (end <= first.length || end > member.uncompressedSize) return first;
      return readAt(handle, start, end, short);
    }
  });
}

function checkMember(member: ZipMember, ref: string): void {
  if (member.flags & 0x1) throw new NpzError(ref, 'member is encrypted');
  if (member.method === 0) {
    if (member.compressedSize !== member.uncompressedSize) {
      throw new NpzError(ref, `stored member declares ${member.uncompressedSize} bytes but occupies ${member.compressedSize}`);
    }
  } else if (member.method === 8) {
    if (member.uncompressedSize > member.compressedSize * MAX_DEFLATE_RATIO + RATIO_SLACK_BYTES) {
      throw new NpzError(ref, `declared size ${member.uncompressedSize} bytes is impossible from ${member.compressedSize} deflated bytes (zip bomb?)`);
    }
  } else {
    const names: Record<number, string> = { 12: 'bzip2', 14: 'lzma', 93: 'zstd', 95: 'xz' };
    throw new NpzError(ref, `unsupported zip compression method ${member.method}${names[member.method] ? ` (${names[member.method]})` : ''}; use np.savez or np.savez_compressed`);
  }
}

/** Inflate only until the member's .npy header is complete. */
async function deflatedHead(path: string, ref: string, member: ZipMember, start: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let have = 0;
  let needed = NPY_PREAMBLE_BYTES;
  try {
    for await (const chunk of inflateMember(path, start, member.compressedSize, member.uncompressedSize)) {
      parts.push(chunk);
      have += chunk.length;
      if (have >= NPY_PREAMBLE_BYTES) {
        needed = npyHeaderEnd(concat(parts, Math.min(have, NPY_PREAMBLE_BYTES)), ref, npzError);
        if (have >= needed) break;
      }
    }
  } catch (err) {
    throw err instanceof InflateError ? new NpzError(ref, err.message) : err;
  }
  return concat(parts, Math.min(have, Math.max(needed, NPY_PREAMBLE_BYTES)));
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    if (at >= length) break;
    const n = Math.min(p.length, length - at);
    out.set(p.subarray(0, n), at);
    at += n;
  }
  return out;
}

/**
 * A deflated member: every read inflates from the member's start (deflate has no random access), stopping as soon
 * as the wanted rows are decoded. Reads that reach the end verify the member's CRC-32.
 */
class DeflatedNpySource implements ArraySource {
  readonly format = 'npz';
  constructor(
    readonly path: string,
    readonly ref: string,
    readonly info: MemberArray,
  ) {}

  async readAll(): Promise<Float64Array> {
    const shape = this.info.shape;
    const total = elementCount(shape);
    checkLoadable(this.ref, total, npzError);
    const flat = await this.readFlat(0, total);
    return this.info.order === 'F' && shape.length > 1 ? fortranToC(flat, shape) : flat;
  }

  async readRows(start: number, count: number): Promise<Float64Array> {
    const shape = this.info.shape;
    if (shape.length === 0) throw new NpzError(this.ref, 'a 0-d array has no rows to read');
    checkRowRange(shape, start, count);
    const rowElements = elementCount(shape.slice(1));
    checkLoadable(this.ref, rowElements * count, npzError);
    if (this.info.order === 'C' || shape.length === 1) return this.readFlat(start * rowElements, count * rowElements);
    // Fortran rows are spread over the whole member: inflate it all, then keep the rows asked for.
    const all = await this.readAll();
    return all.slice(start * rowElements, (start + count) * rowElements);
  }

  /** Elements [first, first + count) of the data in storage order. */
  private async readFlat(first: number, count: number): Promise<Float64Array> {
    const { dtype, byteOrder, member, memberStart, header } = this.info;
    const size = ITEM_SIZE[dtype];
    const from = header.dataStart + first * size;
    const to = from + count * size;
    const bytes = new Uint8Array(count * size);
    const wholeMember = to === member.uncompressedSize;
    let position = 0;
    let crc = 0;
    try {
      for await (const chunk of inflateMember(this.path, memberStart, member.compressedSize, member.uncompressedSize)) {
        if (wholeMember) crc = crc32(chunk, crc);
        const lo = Math.max(from, position);
        const hi = Math.min(to, position + chunk.length);
        if (hi > lo) bytes.set(chunk.subarray(lo - position, hi - position), lo - from);
        position += chunk.length;
        // Stop early unless this read runs to the member's end, where the CRC can be checked.
        if (position >= to && !wholeMember) break;
      }
    } catch (err) {
      throw err instanceof InflateError ? new NpzError(this.ref, err.message) : err;
    }
    if (position < to) throw new NpzError(this.ref, 'member data ended early');
    if (wholeMember && crc >>> 0 !== member.crc32 >>> 0) {
      throw new NpzError(this.ref, `CRC-32 mismatch (stored ${hex(member.crc32)}, data ${hex(crc)}): the member is corrupt`);
    }
    const out = new Float64Array(count);
    decodeInto(bytes, 0, count, dtype, byteOrder === 'little', out, 0);
    return out;
  }
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

export async function list(path: string): Promise<ArrayInfo[]> {
  return (await readMembers(path)).map(publicInfo);
}

export async function open(path: string, name?: string): Promise<ArraySource> {
  const arrays = await readMembers(path);
  if (arrays.length === 0) throw new NpzError(path, 'holds no .npy members');
  const chosen = pickArray(arrays, path, name, npzError);
  const ref = `${path}:${chosen.name}`;
  if (chosen.dataOffset !== null) {
    return new ContiguousArraySource(path, ref, 'npz', { ...publicInfo(chosen), dataOffset: chosen.dataOffset }, npzError);
  }
  return new DeflatedNpySource(path, ref, chosen);
}

function publicInfo(a: MemberArray): ArrayInfo {
  const { name, shape, dtype, byteOrder, order, dataOffset, byteLength, compressed } = a;
  return { name, shape, dtype, byteOrder, order, dataOffset, byteLength, compressed };
}

export const npzReader: FormatReader = { format: 'npz', extensions: ['.npz'], match, list, open };
