import { crc32 } from 'node:zlib';
import { allocateValues, checkLoadable, checkRowRange, ContiguousArraySource, type ErrorFactory } from './contiguous.js';
import { decodeInto, elementCount, ITEM_SIZE } from './dtype.js';
import { NpzError, quote } from './errors.js';
import { readAt, regularFileSize, withFile } from './file.js';
import { InflateError, inflateMember } from './inflate.js';
import { INFLATE_BYTES_ENV, INFLATE_RATIO_ENV, inflateLimits, RATIO_SLACK_BYTES, type InflateLimits } from './limits.js';
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
    const limits = inflateLimits();
    for (const member of members) {
      // Folders and non-.npy members are not arrays (np.load would not return them as arrays either).
      if (member.name.endsWith('/') || !member.name.toLowerCase().endsWith('.npy')) continue;
      checkMemberName(path, member.name);
      const name = member.name.slice(0, -4);
      const ref = `${path}:${name}`;
      if (seen.has(name)) throw new NpzError(ref, `the zip holds two members named ${quote(member.name)}`);
      seen.add(name);
      checkMember(member, ref, limits);
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

/**
 * A member name becomes a layer name that users type and the UI shows, so it must read as a relative name:
 * `/`-separated segments as numpy writes for a key like `block1/relu` (the HDF5 group convention), but never an
 * absolute path, a drive, a backslash, an empty, `.` or `..` segment, or a control character.
 */
export function memberNameProblem(name: string): string | null {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains a control character';
  if (name.includes('\\')) return 'contains a backslash (a Windows path separator)';
  if (name.startsWith('/')) return 'is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'starts with a drive letter';
  const segments = name.slice(0, -4).split('/');
  if (segments.some((s) => s === '')) return 'has an empty path segment';
  if (segments.some((s) => s === '.' || s === '..')) return "has a '.' or '..' segment";
  return null;
}

function checkMemberName(path: string, name: string): void {
  const problem = memberNameProblem(name);
  if (problem) throw new NpzError(path, `member name ${quote(name)} ${problem}; layer names must be relative names such as "conv1" or "block1/relu"`);
}

function checkMember(member: ZipMember, ref: string, limits: InflateLimits): void {
  if (member.flags & 0x1) throw new NpzError(ref, 'member is encrypted');
  if (member.method === 0) {
    if (member.compressedSize !== member.uncompressedSize) {
      throw new NpzError(ref, `stored member declares ${member.uncompressedSize} bytes but occupies ${member.compressedSize}`);
    }
  } else if (member.method === 8) {
    // From the directory alone, before a byte is inflated: an expansion no real array needs is refused.
    if (member.uncompressedSize > limits.maxBytes) {
      throw new NpzError(ref, `deflated member declares ${member.uncompressedSize} bytes, above the inflation limit of ${limits.maxBytes} bytes (zip bomb? raise it with ${INFLATE_BYTES_ENV})`);
    }
    if (member.uncompressedSize > member.compressedSize * limits.maxRatio + RATIO_SLACK_BYTES) {
      const ratio = Math.round(member.uncompressedSize / Math.max(1, member.compressedSize));
      throw new NpzError(ref, `declared size ${member.uncompressedSize} bytes from ${member.compressedSize} deflated bytes is a ${ratio}:1 expansion, above the limit of ${limits.maxRatio}:1 (zip bomb? raise it with ${INFLATE_RATIO_ENV})`);
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

/** A cursor left open between reads closes itself after this long without one (it holds a file handle). */
const IDLE_CURSOR_MS = 2000;

/** An inflating stream paused between reads: `pending` holds the inflated bytes from `base` not yet consumed. */
interface Cursor {
  readonly stream: AsyncGenerator<Uint8Array>;
  base: number;
  pending: Uint8Array;
  crc: number;
}

/**
 * A deflated member (deflate has no random access). Reads that move forward through the member — a consumer
 * streaming row blocks in order — continue one inflating stream, so streaming a member costs one inflation, not
 * one per block; a read behind the stream starts a new one from the member's start. Reads are serialised. The
 * stream's CRC-32 is checked when a read reaches the member's end.
 */
class DeflatedNpySource implements ArraySource {
  readonly format = 'npz';
  private cursor: Cursor | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private idle: NodeJS.Timeout | null = null;
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

  /** Elements [first, first + count) of the data in storage order; one read at a time. */
  private readFlat(first: number, count: number): Promise<Float64Array> {
    const result = this.queue.then(() => this.readFlatNow(first, count));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Decodes chunk by chunk as the member inflates: only the float64 result is ever whole in memory, never the raw
   * bytes. Bytes before `from` (other rows, the .npy header) are passed over but still enter the CRC.
   */
  private async readFlatNow(first: number, count: number): Promise<Float64Array> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const { dtype, byteOrder, member, memberStart, header } = this.info;
    const size = ITEM_SIZE[dtype];
    const little = byteOrder === 'little';
    const from = header.dataStart + first * size;
    const to = from + count * size;
    const out = allocateValues(this.ref, count, npzError);
    // An element split across two inflated chunks is assembled here.
    const carry = new Uint8Array(size);
    let carried = 0;
    let decoded = 0;
    const take = (piece: Uint8Array): void => {
      let p = 0;
      if (carried > 0) {
        const n = Math.min(size - carried, piece.length);
        carry.set(piece.subarray(0, n), carried);
        carried += n;
        p = n;
        if (carried < size) return;
        decodeInto(carry, 0, 1, dtype, little, out, decoded++);
        carried = 0;
      }
      const whole = Math.floor((piece.length - p) / size);
      if (whole > 0) decodeInto(piece, p, whole, dtype, little, out, decoded);
      decoded += whole;
      p += whole * size;
      if (p < piece.length) {
        carry.set(piece.subarray(p), 0);
        carried = piece.length - p;
      }
    };
    if (this.cursor && this.cursor.base > from) await this.closeCursor();
    const cursor = (this.cursor ??= {
      stream: inflateMember(this.path, memberStart, member.compressedSize, member.uncompressedSize),
      base: 0,
      pending: new Uint8Array(0),
      crc: 0,
    });
    let ended = false;
    try {
      for (;;) {
        const end = cursor.base + cursor.pending.length;
        const lo = Math.max(from, cursor.base);
        const hi = Math.min(to, end);
        if (hi > lo) take(cursor.pending.subarray(lo - cursor.base, hi - cursor.base));
        if (end > to) {
          // The rest of this chunk belongs to later reads.
          cursor.pending = cursor.pending.subarray(to - cursor.base);
          cursor.base = to;
          break;
        }
        cursor.base = end;
        cursor.pending = new Uint8Array(0);
        // A read that ends at the member's end drains the stream, so its length and CRC are checked.
        if (end >= to && to < member.uncompressedSize) break;
        const next = await cursor.stream.next();
        if (next.done) {
          ended = true;
          break;
        }
        cursor.crc = crc32(next.value, cursor.crc);
        cursor.pending = next.value;
      }
    } catch (err) {
      await this.closeCursor();
      throw err instanceof InflateError ? new NpzError(this.ref, err.message) : err;
    }
    if (ended) {
      const crc = cursor.crc;
      await this.closeCursor();
      if (cursor.base < to) throw new NpzError(this.ref, 'member data ended early');
      if (crc >>> 0 !== member.crc32 >>> 0) {
        throw new NpzError(this.ref, `CRC-32 mismatch (stored ${hex(member.crc32)}, data ${hex(crc)}): the member is corrupt`);
      }
    } else {
      // Closed in turn with reads, so a read in flight keeps its stream.
      this.idle = setTimeout(() => {
        this.idle = null;
        this.queue = this.queue.then(() => this.closeCursor()).catch(() => undefined);
      }, IDLE_CURSOR_MS);
      this.idle.unref();
    }
    return out;
  }

  private async closeCursor(): Promise<void> {
    const cursor = this.cursor;
    this.cursor = null;
    if (cursor) await cursor.stream.return(undefined);
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
