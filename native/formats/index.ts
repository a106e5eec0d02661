import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { FormatError } from './errors.js';
import { readHead, regularFileSize, withFile } from './file.js';
import { npyReader } from './npy.js';
import { hdf5Reader } from './hdf5.js';
import { npzReader } from './npz.js';
import { safetensorsReader } from './safetensors.js';
import type { ArrayInfo, ArraySource, FormatReader } from './types.js';

export type { ArrayInfo, ArraySource, DType, FormatName, FormatReader } from './types.js';
export { FormatError, NpyError, NpzError, SafetensorsError, Hdf5Error } from './errors.js';

/**
 * The one registry of format readers. Detection is by signature first (a `.npy` renamed `.bin` still reads) and by
 * extension second (so a damaged `.npy` reaches the npy reader and gets its precise complaint).
 */
export const readers: readonly FormatReader[] = [npyReader, npzReader, safetensorsReader, hdf5Reader];

/** Bytes of the head handed to `match`: HDF5 may put its signature after a user block at 512, 1024 or 2048. */
const HEAD_BYTES = 2048 + 8;

export async function detectFormat(path: string): Promise<FormatReader> {
  const size = await regularFileSize(path);
  if (size === 0) throw new FormatError(path, 'file is empty');
  const head = await withFile(path, (handle) => readHead(handle, HEAD_BYTES));
  const bySignature = readers.find((r) => r.match(head));
  if (bySignature) return bySignature;
  const ext = extname(path).toLowerCase();
  const byExtension = readers.find((r) => r.extensions.includes(ext));
  if (byExtension) return byExtension;
  const known = readers.flatMap((r) => r.extensions).join(', ');
  // The message never quotes the file's bytes: an error may cross the wire, and the file may not be the user's.
  throw new FormatError(path, `unknown file format (no .npy, zip, safetensors or HDF5 signature); readable formats: ${known}`);
}

/** Headers of every array in a file, without reading any array data. */
export async function listArrays(path: string): Promise<ArrayInfo[]> {
  return (await detectFormat(path)).list(path);
}

export interface ArraySpec {
  readonly path: string;
  /** Array inside a container; undefined means "the file's only array". */
  readonly name?: string;
}

function isExistingPath(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Split `file` or `file:array`. A spec that names an existing path is that path, colons and all. Otherwise split at
 * the rightmost ':' whose left part exists (array names may hold ':' too); with no existing prefix, at the last ':'
 * (so the error names the intended file). A Windows drive prefix like `C:\` is never a split point.
 */
export function parseArraySpec(spec: string, exists: (path: string) => boolean = isExistingPath): ArraySpec {
  if (spec === '') throw new FormatError('(empty)', 'no array file given');
  if (exists(spec)) return { path: spec };
  const firstSplittable = /^[A-Za-z]:[\\/]/.test(spec) ? 2 : 0;
  const colons: number[] = [];
  for (let i = spec.length - 1; i >= firstSplittable; i--) if (spec[i] === ':') colons.push(i);
  for (const i of colons) {
    const path = spec.slice(0, i);
    if (path !== '' && exists(path)) return splitAt(spec, i);
  }
  const last = colons[0];
  if (last === undefined || last === 0) return { path: spec };
  return splitAt(spec, last);
}

function splitAt(spec: string, i: number): ArraySpec {
  const name = spec.slice(i + 1);
  return name === '' ? { path: spec.slice(0, i) } : { path: spec.slice(0, i), name };
}

/** Open one array: `file` (its only array) or `file:array`. Reads headers only; data loads on demand. */
export async function openArray(spec: string): Promise<ArraySource> {
  const { path, name } = parseArraySpec(spec);
  const reader = await detectFormat(path);
  return reader.open(path, name);
}
