import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFormat, Hdf5Error, listArrays, openArray } from '../../../native/formats/index.js';
import { loadLayer } from '../../../native/layers/layer.js';
import { expectedValues, firstDifference, FIXTURES_SOURCE } from './fixtures.js';

// Files written here with h5wasm itself (round trip), beside the committed h5py-written corpus in manifest.json.
let dir = '';
const conv = Float32Array.from({ length: 37 * 3 * 2 * 5 }, (_, i) => Math.sin(i) * 1000);
const dense = Float64Array.from({ length: 300 * 11 }, (_, i) => Math.cos(i * 0.37) / (i + 1));
const ints = Int16Array.from({ length: 24 }, (_, i) => (i - 12) * 1000);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'svcca-hdf5-'));
  await h5wasm.ready;
  const file = new h5wasm.File(join(dir, 'roundtrip.h5'), 'w');
  try {
    file.create_dataset({ name: 'conv1', data: conv, shape: [37, 3, 2, 5] });
    const block = file.create_group('model').create_group('block2');
    block.create_dataset({ name: 'fc', data: dense, shape: [300, 11], chunks: [16, 11], compression: 'gzip' });
    file.create_dataset({ name: 'counts', data: ints, shape: [4, 6] });
    file.create_dataset({ name: 'names', data: ['a', 'b'] });
  } finally {
    file.close();
  }
  writeFileSync(join(dir, 'fake.h5'), 'plain text, not HDF5 at all');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hdf5 reader', () => {
  it('lists datasets by group path with shapes and dtypes, leaving out non-numeric ones', async () => {
    const listed = await listArrays(join(dir, 'roundtrip.h5'));
    expect(listed.map((a) => [a.name, a.shape, a.dtype, a.compressed])).toEqual([
      ['conv1', [37, 3, 2, 5], 'f4', false],
      ['counts', [4, 6], 'i2', false],
      ['model/block2/fc', [300, 11], 'f8', true],
    ]);
  });

  it('reads back exactly what h5wasm wrote, whole and in row blocks', async () => {
    const cases: [string, Float64Array][] = [
      ['conv1', Float64Array.from(conv)],
      ['/model/block2/fc', dense],
      ['counts', Float64Array.from(ints)],
    ];
    for (const [name, expected] of cases) {
      const source = await openArray(`${join(dir, 'roundtrip.h5')}:${name}`);
      expect(source.ref).toBe(`${join(dir, 'roundtrip.h5')}:${name.replace(/^\//, '')}`);
      const all = await source.readAll();
      expect(firstDifference(all, expected)).toBe(-1);
      const m = source.info.shape[0]!;
      const row = all.length / m;
      for (const [start, count] of [[0, 1], [m - 1, 1], [1, m - 2], [m, 0], [Math.floor(m / 2), Math.ceil(m / 2)]] as const) {
        expect(firstDifference(await source.readRows(start, count), all.subarray(start * row, (start + count) * row))).toBe(-1);
      }
      await expect(source.readRows(m, 1)).rejects.toThrow(RangeError);
    }
  });

  it('reads committed h5py datasets in row blocks equal to numpy', async () => {
    const file = join(FIXTURES_SOURCE, 'hdf5/layers.h5');
    const source = await openArray(`${file}:chunked`);
    const expected = expectedValues('', 'hdf5/layers.h5', 'chunked')!;
    // Rows 5..21 cross the (8, 7) chunk boundaries of the gzip-compressed dataset.
    expect(firstDifference(await source.readRows(5, 17), expected.subarray(5 * 7, 22 * 7))).toBe(-1);
    const layer = await loadLayer(`${file}:conv1`);
    expect([layer.datapoints, layer.spatial, layer.channels]).toEqual([4, [3, 3], 2]);
  });

  it('gives one clear line for a file that claims .h5 but is not HDF5, and for unknown or non-numeric names', async () => {
    const fake = join(dir, 'fake.h5');
    expect((await detectFormat(fake)).format).toBe('hdf5');
    const err = await listArrays(fake).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Hdf5Error);
    expect((err as Error).message).toBe(`${fake}: cannot open as HDF5: file signature not found (not an hdf5 file)`);
    const file = join(dir, 'roundtrip.h5');
    await expect(openArray(`${file}:nope`)).rejects.toThrow(`${file}:nope: no array named "nope"; the file holds conv1, counts, model/block2/fc`);
    await expect(openArray(`${file}:names`)).rejects.toThrow(`${file}:names: unsupported HDF5 datatype "string, `);
    await expect(openArray(file)).rejects.toThrow('holds 3 arrays (conv1, counts, model/block2/fc)');
  });
});
