/**
 * A deflated .npz member read the way a streaming consumer reads it (row blocks in order): one inflation for the
 * whole pass, not one per block — counted as the compressed bytes read from disk — with the same values as readAll,
 * any order and concurrent reads still right, the CRC still checked, and no file handle kept once idle.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const counter = vi.hoisted(() => ({ bytes: 0 }));
vi.mock('../../../native/formats/file.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../native/formats/file.js')>();
  return {
    ...original,
    readAt: (...args: Parameters<typeof original.readAt>) => {
      counter.bytes += args[2];
      return original.readAt(...args);
    },
  };
});

const { openArray } = await import('../../../native/formats/index.js');

const ROWS = 20_000;
const COLS = 64;
let dir = '';
let file = '';
let corrupt = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'svcca-npz-stream-'));
  file = join(dir, 'acts.npz');
  execFileSync('python3', [
    '-c',
    `import numpy as np; np.savez_compressed(${JSON.stringify(file)}, acts=np.random.default_rng(3).standard_normal((${ROWS}, ${COLS})).astype('<f4'))`,
  ]);
  // The same archive with its central directory's CRC-32 of the member changed.
  const bytes = readFileSync(file);
  const central = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  bytes[central + 16]! ^= 0xff;
  corrupt = join(dir, 'corrupt.npz');
  writeFileSync(corrupt, bytes);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('deflated npz members under a streaming consumer', () => {
  it('streams row blocks in order with one inflation, and returns what readAll returns', async () => {
    const all = await (await openArray(`${file}:acts`)).readAll();
    const source = await openArray(`${file}:acts`);
    const compressed = statSync(file).size;
    counter.bytes = 0;
    const block = 250;
    for (let start = 0; start < ROWS; start += block) {
      const rows = await source.readRows(start, block);
      expect(rows).toEqual(all.subarray(start * COLS, (start + block) * COLS));
    }
    // 80 blocks: inflating from the start for each would read ~40 × the file.
    expect(counter.bytes).toBeLessThan(1.2 * compressed);
  });

  it('reads behind the stream, in any order and concurrently, with the right values', async () => {
    const all = await (await openArray(`${file}:acts`)).readAll();
    const source = await openArray(`${file}:acts`);
    const starts = [5000, 100, 19_990, 0, 7777];
    const rows = await Promise.all(starts.map((s) => source.readRows(s, 10)));
    rows.forEach((r, k) => expect(r).toEqual(all.subarray(starts[k]! * COLS, (starts[k]! + 10) * COLS)));
    expect(await source.readRows(19_000, 1000)).toEqual(all.subarray(19_000 * COLS));
  });

  it('checks the CRC-32 when streamed blocks reach the member end', async () => {
    const source = await openArray(`${corrupt}:acts`);
    await source.readRows(0, 10_000);
    await expect(source.readRows(10_000, 10_000)).rejects.toThrow(/CRC-32 mismatch/);
  });

  it.runIf(process.platform === 'linux')('closes an idle stream (no file handle kept)', async () => {
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const before = fds();
    const source = await openArray(`${file}:acts`);
    await source.readRows(0, 10);
    expect(fds()).toBeGreaterThan(before);
    await new Promise((r) => setTimeout(r, 2600));
    expect(fds()).toBe(before);
  });
});
