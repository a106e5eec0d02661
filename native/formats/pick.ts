import type { ErrorFactory } from './contiguous.js';
import { quote } from './errors.js';
import type { ArrayInfo } from './types.js';

/**
 * The array a container spec asks for: `name` when given, else the container's only array. Errors list what the
 * container does hold so the user can write `file:array`.
 */
export function pickArray<T extends ArrayInfo>(arrays: readonly T[], path: string, name: string | undefined, makeError: ErrorFactory): T {
  if (name === undefined) {
    if (arrays.length === 1) return arrays[0]!;
    if (arrays.length === 0) throw makeError(path, 'holds no arrays');
    throw makeError(path, `holds ${arrays.length} arrays (${nameList(arrays)}); name one as ${quote(`${path}:NAME`)}`);
  }
  const found = arrays.find((a) => a.name === name);
  if (!found) throw makeError(`${path}:${name}`, `no array named ${quote(name)}; the file holds ${nameList(arrays)}`);
  return found;
}

function nameList(arrays: readonly ArrayInfo[], max = 12): string {
  const names = arrays.slice(0, max).map((a) => a.name);
  return arrays.length > max ? `${names.join(', ')}, … ${arrays.length - max} more` : names.join(', ') || 'nothing';
}
