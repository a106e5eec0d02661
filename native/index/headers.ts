/**
 * Reading one file's array headers for the index (the formats module parses; this decides what is indexable).
 * A file is indexed whole or not at all: one that is truncated, corrupt, or changes while it is read gives an error
 * with the reason instead of arrays, and is read again once its size or mtime changes (a finished write).
 */
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { detectFormat, readers } from '../formats/index.js';
import type { ArrayInfo, FormatName, FormatReader } from '../formats/types.js';
import type { FileStamp } from './walk.js';

/** The start of the error of a file whose size or mtime changed while its headers were read. */
export const CHANGED_WHILE_READ = 'changed while being indexed';

export type HeaderResult =
  | { readonly ok: true; readonly format: FormatName; readonly arrays: ArrayInfo[] }
  | { readonly ok: false; readonly error: string };

export async function readHeaders(path: string, before: FileStamp): Promise<HeaderResult> {
  let result: HeaderResult;
  try {
    const { reader, arrays } = await listWithReader(path);
    result = { ok: true, format: reader.format, arrays };
  } catch (err) {
    result = { ok: false, error: problemOf(err, path) };
  }
  const after = await stat(path).catch(() => null);
  if (!after || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
    return { ok: false, error: `${CHANGED_WHILE_READ} (still being written?); read again on the next pass` };
  }
  if (result.ok) {
    const short = result.arrays.find((a) => a.dataOffset !== null && a.dataOffset + a.byteLength > before.size);
    if (short) {
      return {
        ok: false,
        error: `truncated: array "${short.name}" needs bytes up to ${short.dataOffset! + short.byteLength}, the file has ${before.size} (still being written?)`,
      };
    }
  }
  return result;
}

/**
 * The reader the extension names lists the file: one open instead of two (`listArrays` first opens the file to
 * detect its format by signature), which halves the system calls of a cold pass over many small files. Only when
 * that fails is the format detected by signature, as `listArrays` and `compare` do, so a misnamed file indexes as it
 * compares.
 */
async function listWithReader(path: string): Promise<{ reader: FormatReader; arrays: ArrayInfo[] }> {
  const ext = extname(path).toLowerCase();
  const byExtension = readers.find((r) => r.extensions.includes(ext));
  if (byExtension) {
    try {
      return { reader: byExtension, arrays: await byExtension.list(path) };
    } catch (err) {
      const bySignature = await detectFormat(path).catch(() => byExtension);
      if (bySignature === byExtension) throw err;
      return { reader: bySignature, arrays: await bySignature.list(path) };
    }
  }
  const reader = await detectFormat(path);
  return { reader, arrays: await reader.list(path) };
}

/** The reason alone: the index stores the path beside it, so a leading "path: " is dropped. */
export function problemOf(err: unknown, path: string): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!message.startsWith(path)) return message;
  return message.slice(path.length).replace(/^:\s*/, '') || message;
}
