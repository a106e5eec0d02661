import { open, stat, type FileHandle } from 'node:fs/promises';
import { FormatError } from './errors.js';

/** Bytes per positioned read when a large range is read in pieces (keeps peak byte buffers small). */
export const READ_CHUNK_BYTES = 16 * 1024 * 1024;

/** Size of a regular file, or a one-line FormatError for a missing path, a directory or anything unreadable. */
export async function regularFileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new FormatError(path, 'is a directory, not an array file');
    if (!info.isFile()) throw new FormatError(path, 'is not a regular file');
    return info.size;
  } catch (err) {
    throw describeFsError(path, err);
  }
}

export async function openFile(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (err) {
    throw describeFsError(path, err);
  }
}

/** Run `body` with the file open for reading; the handle is always closed. */
export async function withFile<T>(path: string, body: (handle: FileHandle) => Promise<T>): Promise<T> {
  const handle = await openFile(path);
  try {
    return await body(handle);
  } finally {
    await handle.close();
  }
}

/**
 * Read exactly `length` bytes at `position`. A short read means the file ended early (or shrank after its header
 * was parsed): `onShort(got)` builds the error.
 */
export async function readAt(
  handle: FileHandle,
  position: number,
  length: number,
  onShort: (got: number) => Error,
  into?: Uint8Array,
): Promise<Uint8Array> {
  const buffer = into ?? new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(buffer, got, length - got, position + got);
    if (bytesRead === 0) throw onShort(got);
    got += bytesRead;
  }
  return buffer;
}

/** Up to `length` bytes from the start of the file (fewer when the file is shorter). */
export async function readHead(handle: FileHandle, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(buffer, got, length - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buffer.subarray(0, got);
}

function describeFsError(path: string, err: unknown): Error {
  if (err instanceof FormatError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': return new FormatError(path, 'no such file');
    case 'EISDIR': return new FormatError(path, 'is a directory, not an array file');
    case 'EACCES':
    case 'EPERM': return new FormatError(path, 'permission denied');
    case 'ENOTDIR': return new FormatError(path, 'no such file (a parent is not a directory)');
    default: return err instanceof Error ? err : new Error(String(err));
  }
}
