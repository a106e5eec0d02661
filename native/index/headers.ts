/**
 * Reading one file's array headers for the index (the formats module parses; this decides what is indexable).
 * A file is indexed whole or not at all: one that is truncated, corrupt, or changes while it is read gives an error
 * with the reason instead of arrays, and is read again once its size or mtime changes (a finished write).
 */
import { stat } from 'node:fs/promises';
import { detectFormat } from '../formats/index.js';
import type { ArrayInfo, FormatName } from '../formats/types.js';
import type { FileStamp } from './walk.js';

/** The start of the error of a file whose size or mtime changed while its headers were read. */
export const CHANGED_WHILE_READ = 'changed while being indexed';

export type HeaderResult =
  | { readonly ok: true; readonly format: FormatName; readonly arrays: ArrayInfo[] }
  | { readonly ok: false; readonly error: string };

export async function readHeaders(path: string, before: FileStamp): Promise<HeaderResult> {
  let result: HeaderResult;
  try {
    const reader = await detectFormat(path);
    const arrays = await reader.list(path);
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

/** The reason alone: the index stores the path beside it, so a leading "path: " is dropped. */
export function problemOf(err: unknown, path: string): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!message.startsWith(path)) return message;
  return message.slice(path.length).replace(/^:\s*/, '') || message;
}
