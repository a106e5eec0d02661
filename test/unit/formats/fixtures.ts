import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_SOURCE = fileURLToPath(new URL('../../fixtures/formats/', import.meta.url));
export { CORPUS, EXAMPLE } from '../../support/corpus.js';

export interface ManifestArray {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: string;
  readonly byteOrder: 'little' | 'big';
  readonly order: 'C' | 'F';
}
export interface ManifestCase {
  readonly file: string;
  readonly reader: string | null;
  readonly arrays?: ManifestArray[];
  /** Listed arrays whose reading is covered by an error case instead. */
  readonly skipRead?: string[];
  /** Datasets in the file that listing must leave out (not numeric arrays). */
  readonly unlisted?: string[];
  readonly error?: string;
  /** Where the error must appear: 'list' (default; listing refuses the file) or 'read' (lists fine, reading fails). */
  readonly errorOn?: 'list' | 'read';
  /** The array to read for errorOn 'read'. */
  readonly array?: string;
  readonly why: string;
}

export function loadManifest(): ManifestCase[] {
  return (JSON.parse(readFileSync(join(FIXTURES_SOURCE, 'manifest.json'), 'utf8')) as { cases: ManifestCase[] }).cases;
}

/** A fresh temp folder with every numpy-made fixture written into it; call the returned cleanup when done. */
export function makeFixtures(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'svcca-formats-'));
  execFileSync('python3', [join(FIXTURES_SOURCE, 'make_fixtures.py'), dir], { stdio: 'pipe' });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Committed fixtures live in the source tree (hdf5/…); the rest are written by make_fixtures.py into `dir`. */
export function fixturePath(dir: string, file: string): string {
  return file.startsWith('hdf5/') ? join(FIXTURES_SOURCE, file) : join(dir, file);
}

/** numpy's float64 conversion of one array: from make_fixtures.py's expected/ files, or hdf5/expected.json. */
export function expectedValues(dir: string, file: string, name: string): Float64Array | null {
  if (file.startsWith('hdf5/')) {
    const table = JSON.parse(readFileSync(join(FIXTURES_SOURCE, 'hdf5/expected.json'), 'utf8')) as Record<string, Record<string, number[]>>;
    const values = table[file.slice('hdf5/'.length)]?.[name];
    return values ? Float64Array.from(values) : null;
  }
  const p = join(dir, 'expected', `${file}__${name.replace(/\//g, '~')}.f64`);
  if (!existsSync(p)) return null;
  const bytes = readFileSync(p);
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Run a small numpy script and parse its JSON stdout. */
export function numpy<T>(script: string): T {
  return JSON.parse(execFileSync('python3', ['-c', `import json, numpy as np\n${script}`], { encoding: 'utf8' })) as T;
}

/** Bitwise equality (so -0 ≠ 0 and NaN payloads count); reports the first differing index. */
export function firstDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}
