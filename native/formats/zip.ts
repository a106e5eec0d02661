import type { FileHandle } from 'node:fs/promises';
import { readAt } from './file.js';

/**
 * The central directory of a zip file (PKWARE APPNOTE 6.3.x, sections 4.3.12–4.3.16 and zip64 4.3.14–4.3.15).
 * Only what an .npz needs: member names, methods, sizes and where each member's data starts. Sizes come from the
 * central directory, never from local headers (numpy's zip64 local headers hold 0xFFFFFFFF placeholders).
 */
export interface ZipMember {
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

export const MAX_ZIP_MEMBERS = 100_000;
export const MAX_CENTRAL_DIRECTORY_BYTES = 64 * 1024 * 1024;

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export class ZipStructureError extends Error {}

export async function readCentralDirectory(handle: FileHandle, fileSize: number): Promise<ZipMember[]> {
  const short = (): ZipStructureError => new ZipStructureError('zip structure runs past the end of the file (truncated?)');
  // The end record is 22 bytes plus a comment of at most 65535 bytes.
  const tailLength = Math.min(fileSize, 22 + 65535);
  const tail = await readAt(handle, fileSize - tailLength, tailLength, short);
  const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let at = -1;
  for (let i = tailLength - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD && i + 22 + tv.getUint16(i + 20, true) <= tailLength) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new ZipStructureError('no zip end-of-central-directory record (truncated or not a zip file)');
  let count = tv.getUint16(at + 10, true);
  let cdSize = tv.getUint32(at + 12, true);
  let cdOffset = tv.getUint32(at + 16, true);
  if (tv.getUint16(at + 4, true) !== 0 || tv.getUint16(at + 6, true) !== 0) throw new ZipStructureError('multi-disk (split) zip files are not supported');
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locatorAt = at - 20;
    if (locatorAt < 0 || tv.getUint32(locatorAt, true) !== ZIP64_LOCATOR) throw new ZipStructureError('zip64 end record locator missing');
    const z64Offset = safeNumber(tv.getBigUint64(locatorAt + 8, true), 'zip64 end record offset');
    if (z64Offset + 56 > fileSize) throw short();
    const z = await readAt(handle, z64Offset, 56, short);
    const zv = new DataView(z.buffer);
    if (zv.getUint32(0, true) !== ZIP64_EOCD) throw new ZipStructureError('zip64 end record signature missing');
    count = safeNumber(zv.getBigUint64(32, true), 'member count');
    cdSize = safeNumber(zv.getBigUint64(40, true), 'central directory size');
    cdOffset = safeNumber(zv.getBigUint64(48, true), 'central directory offset');
  }
  if (count > MAX_ZIP_MEMBERS) throw new ZipStructureError(`zip declares ${count} members, more than the limit of ${MAX_ZIP_MEMBERS}`);
  if (cdSize > MAX_CENTRAL_DIRECTORY_BYTES) throw new ZipStructureError(`zip central directory of ${cdSize} bytes exceeds the limit of ${MAX_CENTRAL_DIRECTORY_BYTES}`);
  if (cdOffset + cdSize > fileSize) throw new ZipStructureError('zip central directory lies past the end of the file (truncated?)');
  if (count * 46 > cdSize) throw new ZipStructureError(`zip declares ${count} members but its central directory has only ${cdSize} bytes`);

  const cd = await readAt(handle, cdOffset, cdSize, short);
  const v = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const members: ZipMember[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cdSize || v.getUint32(p, true) !== CENTRAL) throw new ZipStructureError(`zip central directory entry ${k} is malformed`);
    const flags = v.getUint16(p + 8, true);
    const method = v.getUint16(p + 10, true);
    const crc32 = v.getUint32(p + 16, true);
    let compressedSize = v.getUint32(p + 20, true);
    let uncompressedSize = v.getUint32(p + 24, true);
    const nameLength = v.getUint16(p + 28, true);
    const extraLength = v.getUint16(p + 30, true);
    const commentLength = v.getUint16(p + 32, true);
    let localHeaderOffset = v.getUint32(p + 42, true);
    const end = p + 46 + nameLength + extraLength + commentLength;
    if (end > cdSize) throw new ZipStructureError(`zip central directory entry ${k} runs past the directory`);
    // Bit 11: UTF-8 name; otherwise CP437, which agrees with UTF-8 on the ASCII names numpy writes.
    const name = new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(cd.subarray(p + 46, p + 46 + nameLength));
    // Zip64 extended information (header id 1) holds, in order, whichever of these overflowed their 32-bit field.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = v.getUint16(e, true);
      const size = v.getUint16(e + 2, true);
      if (id === 1) {
        let q = e + 4;
        const take = (what: string): number => {
          if (q + 8 > e + 4 + size) throw new ZipStructureError(`zip64 extra field of ${JSON.stringify(name)} is too short`);
          const value = safeNumber(v.getBigUint64(q, true), what);
          q += 8;
          return value;
        };
        if (uncompressedSize === 0xffffffff) uncompressedSize = take('uncompressed size');
        if (compressedSize === 0xffffffff) compressedSize = take('compressed size');
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take('local header offset');
      }
      e += 4 + size;
    }
    members.push({ name, method, flags, crc32, compressedSize, uncompressedSize, localHeaderOffset });
    p = end;
  }
  return members;
}

/** Absolute offset of a member's data: after its local header, whose name and extra lengths may differ from the central copy. */
export async function memberDataOffset(handle: FileHandle, fileSize: number, member: ZipMember): Promise<number> {
  if (member.localHeaderOffset + 30 > fileSize) throw new ZipStructureError(`local header of ${JSON.stringify(member.name)} lies past the end of the file`);
  const local = await readAt(handle, member.localHeaderOffset, 30, () => new ZipStructureError('truncated local header'));
  const v = new DataView(local.buffer);
  if (v.getUint32(0, true) !== LOCAL) throw new ZipStructureError(`local header of ${JSON.stringify(member.name)} has a bad signature`);
  const start = member.localHeaderOffset + 30 + v.getUint16(26, true) + v.getUint16(28, true);
  if (start + member.compressedSize > fileSize) {
    throw new ZipStructureError(`member ${JSON.stringify(member.name)} runs past the end of the file (truncated?)`);
  }
  return start;
}

function safeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipStructureError(`zip ${what} ${value} is absurd`);
  return Number(value);
}
