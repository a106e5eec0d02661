import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../native/errors.js';
import { match as npyMatch } from '../../../native/formats/npy.js';
import { match as npzMatch } from '../../../native/formats/npz.js';
import { match as safetensorsMatch } from '../../../native/formats/safetensors.js';
import { FormatError, listArrays, openArray, parseArraySpec, readers } from '../../../native/formats/index.js';
import { CORPUS, EXAMPLE, expectedValues, firstDifference, makeFixtures, numpy } from './fixtures.js';

let dir = '';
let cleanup = (): void => {};
beforeAll(() => ({ dir, cleanup } = makeFixtures()));
afterAll(() => cleanup());

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err as Error,
  );
}

describe('parseArraySpec', () => {
  const existing = new Set(['a.npz', 'C:\\data\\x.npz', 'runs/a:b.npy', 'dir/a:b.npz', 'f.safetensors', '/abs/w.h5']);
  const exists = (p: string): boolean => existing.has(p);
  it.each([
    ['a.npz', { path: 'a.npz' }],
    ['a.npz:conv1', { path: 'a.npz', name: 'conv1' }],
    ['a.npz:', { path: 'a.npz' }],
    ['C:\\data\\x.npz:conv1', { path: 'C:\\data\\x.npz', name: 'conv1' }],
    ['C:\\data\\x.npz', { path: 'C:\\data\\x.npz' }],
    ['C:\\missing\\y.npy', { path: 'C:\\missing\\y.npy' }],
    ['runs/a:b.npy', { path: 'runs/a:b.npy' }],
    ['dir/a:b.npz:layer', { path: 'dir/a:b.npz', name: 'layer' }],
    ['f.safetensors:odd:name', { path: 'f.safetensors', name: 'odd:name' }],
    ['/abs/w.h5:block/conv', { path: '/abs/w.h5', name: 'block/conv' }],
    ['missing.npz:layer', { path: 'missing.npz', name: 'layer' }],
  ])('%s', (spec, expected) => {
    expect(parseArraySpec(spec, exists)).toEqual(expected);
  });
});

describe('openArray and listArrays', () => {
  it('opens a file whose own name contains a colon', async () => {
    const sub = join(dir, 'odd');
    mkdirSync(sub);
    const file = join(sub, 'x:y.npy');
    writeFileSync(file, Buffer.from(new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(join(dir, 'f8_c.npy'))))));
    const source = await openArray(file);
    expect(source.info.shape).toEqual([6, 7]);
    expect(source.ref).toBe(file);
  });

  it.each([
    ['nope.npy', 'no such file'],
    ['', 'is a directory, not an array file'],
    ['empty.npy', 'file is empty'],
  ])('one clear line for %s', async (file, problem) => {
    const path = join(dir, file);
    const err = await failure(openArray(path));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(`${path}: ${problem}`);
  });

  it('names the arrays of a container when the spec does not say which', async () => {
    const path = join(dir, 'st_two.safetensors');
    const err = await failure(openArray(path));
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toBe(`${path}: holds 2 arrays (a, b); name one as "${path}:NAME"`);
    const missing = await failure(openArray(`${path}:c`));
    expect(missing.message).toBe(`${path}:c: no array named "c"; the file holds a, b`);
    const npzMissing = await failure(openArray(`${join(dir, 'stored.npz')}:conv9`));
    expect(npzMissing.message).toContain('no array named "conv9"; the file holds conv1, fc, labels');
    const npyName = await failure(openArray(`${join(dir, 'f4_c.npy')}:other`));
    expect(npyName.message).toContain('a .npy file holds one array ("f4_c"); there is no array "other"');
  });

  it('refs name the array inside a container', async () => {
    const source = await openArray(`${join(dir, 'deflated.npz')}:fc`);
    expect(source.ref).toBe(`${join(dir, 'deflated.npz')}:fc`);
    expect(source.format).toBe('npz');
    expect(source.info.compressed).toBe(true);
    expect(source.info.dataOffset).toBeNull();
  });

  it('stored .npz members and safetensors tensors report where their raw data sits', async () => {
    const { readFileSync } = await import('node:fs');
    for (const [file, name] of [['stored.npz', 'conv1'], ['basic.safetensors', 'w32']] as const) {
      const source = await openArray(`${join(dir, file)}:${name}`);
      const offset = source.info.dataOffset!;
      const raw = readFileSync(join(dir, file)).subarray(offset, offset + source.info.byteLength);
      const f32 = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      expect(firstDifference(Float64Array.from(f32), await source.readAll())).toBe(-1);
    }
  });
});

describe('readRows streams the same values readAll returns', () => {
  const cases: [string, string][] = [
    ['rows_f4.npy', 'rows_f4'],
    ['rows_fortran.npy', 'rows_fortran'],
    ['f2_fortran_be.npy', 'f2_fortran_be'],
    ['stored.npz', 'fc'],
    ['stored.npz', 'conv1'],
    ['deflated.npz', 'conv1'],
    ['big_deflated.npz', 'acts'],
    ['big_deflated.npz', 'acts_f'],
    ['basic.safetensors', 'w32'],
    ['zip64.npz', 'b'],
  ];
  it.each(cases)('%s:%s', async (file, name) => {
    const source = await openArray(`${join(dir, file)}:${name}`);
    const all = await source.readAll();
    expect(firstDifference(all, expectedValues(dir, file, name)!)).toBe(-1);
    const m = source.info.shape[0]!;
    const row = all.length / m;
    const blocks: [number, number][] = [[0, m], [0, 1], [m - 1, 1], [0, 0], [m, 0], [Math.floor(m / 3), Math.ceil(m / 2)]];
    for (let start = 0; start < m; start += 7) blocks.push([start, Math.min(7, m - start)]);
    for (const [start, count] of blocks) {
      const rows = await source.readRows(start, count);
      expect(firstDifference(rows, all.subarray(start * row, (start + count) * row)), `rows [${start}, ${start + count})`).toBe(-1);
    }
    await expect(source.readRows(m - 1, 2)).rejects.toThrow(RangeError);
    await expect(source.readRows(-1, 1)).rejects.toThrow(RangeError);
  });

  it('a deflated member stops inflating once the rows asked for are decoded', async () => {
    // cut_stream.npz holds only the first half of its deflate stream: leading rows decode from what is there
    // (so nothing past them was needed), while reading everything runs into the cut.
    const file = 'cut_stream.npz';
    const source = await openArray(`${join(dir, file)}:x`);
    const expected = expectedValues(dir, file, 'x')!;
    expect(firstDifference(await source.readRows(0, 10), expected.subarray(0, 640))).toBe(-1);
    expect(firstDifference(await source.readRows(500, 2), expected.subarray(500 * 64, 502 * 64))).toBe(-1);
    await expect(source.readAll()).rejects.toThrow(/cut_stream.npz:x: corrupt deflate data/);
  });
});

describe('real files from the example workspace', () => {
  const step = join(EXAMPLE, 'true_lr0.01_seed2001/step-001260');
  it('lists activations.npz member by member (deflated float32, C order) and reads conv2 as numpy does', async () => {
    const file = join(step, 'activations.npz');
    const listed = await listArrays(file);
    expect(listed.map((a) => [a.name, a.shape, a.dtype, a.byteOrder, a.order, a.compressed])).toEqual([
      ['conv2', [500, 4, 4, 16], 'f4', 'little', 'C', true],
      ['fc', [500, 32], 'f4', 'little', 'C', true],
      ['logits', [500, 10], 'f4', 'little', 'C', true],
    ]);
    const rows = await (await openArray(`${file}:conv2`)).readRows(250, 2);
    const expected = numpy<number[]>(`print(json.dumps(np.load(${JSON.stringify(file)})['conv2'][250:252].astype(np.float64).ravel().tolist()))`);
    expect(Array.from(rows)).toEqual(expected);
  });

  it.skipIf(!CORPUS)('lists conv1.npy of the shared corpus as (500, 8, 8, 8) float32 C order and reads it as numpy does (extra)', async () => {
    const file = join(CORPUS!, 'true_lr0.01_seed2001/step-001260', 'conv1.npy');
    const [info] = await listArrays(file);
    expect(info).toMatchObject({ name: 'conv1', shape: [500, 8, 8, 8], dtype: 'f4', byteOrder: 'little', order: 'C', compressed: false });
    const rows = await (await openArray(file)).readRows(250, 2);
    const expected = numpy<number[]>(`print(json.dumps(np.load(${JSON.stringify(file)})[250:252].astype(np.float64).ravel().tolist()))`);
    expect(Array.from(rows)).toEqual(expected);
  });

  it('lists weights.safetensors as a PyTorch state dict and reads logits.weight exactly', async () => {
    const file = join(step, 'weights.safetensors');
    const listed = await listArrays(file);
    expect(listed.map((a) => [a.name, a.shape, a.dtype])).toEqual([
      ['conv1.weight', [8, 1, 3, 3], 'f4'],
      ['conv1.bias', [8], 'f4'],
      ['conv2.weight', [16, 8, 3, 3], 'f4'],
      ['conv2.bias', [16], 'f4'],
      ['fc.weight', [32, 256], 'f4'],
      ['fc.bias', [32], 'f4'],
      ['logits.weight', [10, 32], 'f4'],
      ['logits.bias', [10], 'f4'],
    ]);
    const values = await (await openArray(`${file}:logits.weight`)).readAll();
    // An independent parse in Python of the same bytes.
    const expected = numpy<number[]>(`
import struct
b = open(${JSON.stringify(file)}, 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n])['logits.weight']
s, e = h['data_offsets']
print(json.dumps(np.frombuffer(b[8 + n + s:8 + n + e], dtype='<f4').astype(np.float64).tolist()))`);
    expect(Array.from(values)).toEqual(expected);
  });
});

describe('signature checks', () => {
  it('never throw and claim nothing on short or foreign bytes', () => {
    const samples = [new Uint8Array(0), Uint8Array.of(0x93), Uint8Array.of(0x50, 0x4b), new Uint8Array(9), Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff)];
    for (const head of samples) {
      for (const reader of readers) expect(reader.match(head), `${reader.format} on ${head.length} bytes`).toBe(false);
    }
    expect(npyMatch(Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0))).toBe(true);
    expect(npzMatch(Uint8Array.of(0x50, 0x4b, 0x03, 0x04))).toBe(true);
    expect(safetensorsMatch(Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d))).toBe(true);
  });
});
