import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../native/errors.js';
import { asDense, loadLayer, neuronCount } from '../../../native/layers/layer.js';
import { CORPUS, EXAMPLE, firstDifference, makeFixtures, numpy } from './fixtures.js';

let dir = '';
let cleanup = (): void => {};
beforeAll(() => {
  ({ dir, cleanup } = makeFixtures());
  // One conv layer saved in every layout the contract names, and a dense layer both ways round.
  execFileSync('python3', ['-c', `
import numpy as np, sys
d = sys.argv[1]
rng = np.random.default_rng(7)
a = rng.standard_normal((6, 3, 5, 4)).astype('<f4')
np.save(d + '/conv_nhwc.npy', a)
np.save(d + '/conv_nchw.npy', np.ascontiguousarray(a.transpose(0, 3, 1, 2)))
np.save(d + '/conv_nchw_fortran.npy', np.asfortranarray(a.transpose(0, 3, 1, 2)))
s = rng.standard_normal((6, 9, 4))
np.save(d + '/seq_ntc.npy', s)
np.save(d + '/seq_nct.npy', np.ascontiguousarray(s.transpose(0, 2, 1)))
x = rng.standard_normal((11, 5))
np.save(d + '/dense.npy', x)
np.save(d + '/dense_t.npy', np.ascontiguousarray(x.T))
`, dir]);
});
afterAll(() => cleanup());

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err as Error,
  );
}

describe('loadLayer', () => {
  it('reads a real conv layer from the example workspace\'s npz as (m, h, w, c), equal to numpy', async () => {
    const file = join(EXAMPLE, 'true_lr0.01_seed2001/step-001260/activations.npz');
    const layer = await loadLayer(`${file}:conv2`);
    expect([layer.datapoints, layer.spatial, layer.channels]).toEqual([500, [4, 4], 16]);
    const sums = numpy<number[]>(`a = np.load(${JSON.stringify(file)})['conv2'].astype(np.float64); print(json.dumps([float(a.sum()), float(a[123, 2, 3, 6]), float(a[499, 3, 3, 15])]))`);
    const at = (i: number, y: number, x: number, c: number): number => layer.data[((i * 4 + y) * 4 + x) * 16 + c]!;
    expect(at(123, 2, 3, 6)).toBe(sums[1]);
    expect(at(499, 3, 3, 15)).toBe(sums[2]);
    expect(layer.data.reduce((s, v) => s + v, 0)).toBeCloseTo(sums[0]!, 6);
  });

  it.skipIf(!CORPUS)('reads conv1.npy of the shared corpus as (m, h, w, c), equal to numpy (extra)', async () => {
    const file = join(CORPUS!, 'true_lr0.01_seed2001/step-001260/conv1.npy');
    const layer = await loadLayer(file);
    expect([layer.datapoints, layer.spatial, layer.channels]).toEqual([500, [8, 8], 8]);
    const sums = numpy<number[]>(`a = np.load(${JSON.stringify(file)}).astype(np.float64); print(json.dumps([float(a.sum()), float(a[123, 4, 5, 6]), float(a[499, 7, 7, 7])]))`);
    const at = (i: number, y: number, x: number, c: number): number => layer.data[((i * 8 + y) * 8 + x) * 8 + c]!;
    expect(at(123, 4, 5, 6)).toBe(sums[1]);
    expect(at(499, 7, 7, 7)).toBe(sums[2]);
    expect(layer.data.reduce((s, v) => s + v, 0)).toBeCloseTo(sums[0]!, 6);
  });

  it('--layout nchw transposes (m, c, h, w) to the NHWC layer, from C or Fortran storage', async () => {
    const nhwc = await loadLayer(join(dir, 'conv_nhwc.npy'));
    for (const file of ['conv_nchw.npy', 'conv_nchw_fortran.npy']) {
      const nchw = await loadLayer(join(dir, file), { layout: 'nchw' });
      expect([nchw.datapoints, nchw.spatial, nchw.channels]).toEqual([6, [3, 5], 4]);
      expect(firstDifference(nchw.data, nhwc.data)).toBe(-1);
    }
  });

  it('--neurons-first transposes a dense (n, m) layer; conv layers ignore it', async () => {
    const dense = await loadLayer(join(dir, 'dense.npy'));
    const flipped = await loadLayer(join(dir, 'dense_t.npy'), { neuronsFirst: true });
    expect([flipped.datapoints, flipped.spatial, flipped.channels]).toEqual([11, null, 5]);
    expect(firstDifference(flipped.data, dense.data)).toBe(-1);
    const conv = await loadLayer(join(dir, 'conv_nhwc.npy'), { neuronsFirst: true });
    expect(conv.datapoints).toBe(6);
  });

  it('reads 3-D (m, t, c) as a conv layer with h = 1, and (m, c, t) under nchw', async () => {
    const ntc = await loadLayer(join(dir, 'seq_ntc.npy'));
    expect([ntc.datapoints, ntc.spatial, ntc.channels]).toEqual([6, [1, 9], 4]);
    const nct = await loadLayer(join(dir, 'seq_nct.npy'), { layout: 'nchw' });
    expect(firstDifference(nct.data, ntc.data)).toBe(-1);
  });

  it.each([
    ['vector.npy', 'array of shape (7,) is 1-D; a layer is (datapoints, neurons) or (datapoints, h, w, channels); if it is one neuron, save it as shape (7, 1)'],
    ['scalar.npy', 'array of shape () is 0-D'],
    ['rank5.npy', 'array of shape (2, 1, 1, 1, 3) is 5-D'],
    ['empty_rows.npy', 'array of shape (0, 5) is empty (axis 0 has size 0)'],
    ['nan.npy', 'NaN at index (2, 1) of shape (4, 3); activations must be finite'],
    ['inf.npy', '-Inf at index (1, 0, 1, 1) of shape (2, 3, 2, 2)'],
  ])('refuses %s', async (file, message) => {
    const err = await failure(loadLayer(join(dir, file)));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message.startsWith(`${join(dir, file)}: `)).toBe(true);
    expect(err.message).toContain(message);
  });

  it('names a missing file in one line', async () => {
    const err = await failure(loadLayer(join(dir, 'nope.npy')));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(`${join(dir, 'nope.npy')}: no such file`);
  });
});

describe('asDense', () => {
  it('views a conv layer as (m·h·w) × c or m × (h·w·c) without copying, and a dense layer as m × n', async () => {
    const conv = await loadLayer(join(dir, 'conv_nhwc.npy'));
    const channels = asDense(conv, 'channels');
    expect([channels.rows, channels.cols]).toEqual([6 * 3 * 5, 4]);
    expect(channels.data).toBe(conv.data);
    const flat = asDense(conv, 'flatten');
    expect([flat.rows, flat.cols]).toEqual([6, 60]);
    expect(neuronCount(conv, 'flatten')).toBe(60);
    expect(neuronCount(conv, 'channels')).toBe(4);
    // Row r of the channels view is datapoint ⌊r / (h·w)⌋ at position r mod (h·w): check one against numpy.
    const v = numpy<number>(`a = np.load(${JSON.stringify(join(dir, 'conv_nhwc.npy'))}).astype(np.float64); print(json.dumps(float(a[4, 2, 3, 1])))`);
    expect(channels.data[(4 * 15 + 2 * 5 + 3) * 4 + 1]).toBe(v);
    const dense = asDense(await loadLayer(join(dir, 'dense.npy')), 'flatten');
    expect([dense.rows, dense.cols]).toEqual([11, 5]);
  });
});
