import { describe, expect, it } from 'vitest';
import { basisKey, decodeBasis, encodeBasis, resultKey } from '../../../native/compute/cache.js';
import { prepareBasis } from '../../../native/measures/prepare.js';
import { matrix } from '../../../native/linalg/matrix.js';
import { rng } from './npy.js';

describe('basis blobs and cache keys', () => {
  it('a prepared basis survives the blob round trip bit for bit, typed arrays included', async () => {
    const r = rng(3);
    const x = matrix(40, 7, Float64Array.from({ length: 280 }, () => r.normal()));
    x.data[5] = 0; // a column with one zero is still a normal neuron
    for (let i = 0; i < 40; i++) x.data[i * 7 + 6] = 2; // a constant neuron, dropped
    const basis = await prepareBasis(x, { ref: 'layer.npy' });
    const blob = encodeBasis(basis);
    // Stored in SQLite, a blob comes back as a Buffer at an arbitrary offset: decode from an unaligned copy.
    const unaligned = new Uint8Array(blob.byteLength + 3);
    unaligned.set(blob, 3);
    const back = decodeBasis(unaligned.subarray(3))!;
    expect(back).not.toBeNull();
    expect(Object.keys(back).sort()).toEqual(Object.keys(basis).sort());
    for (const [key, value] of Object.entries(basis)) {
      const other = (back as unknown as Record<string, unknown>)[key];
      if (ArrayBuffer.isView(value)) {
        expect(other?.constructor).toBe(value.constructor);
        expect(Array.from(other as Float64Array)).toEqual(Array.from(value as Float64Array));
      } else {
        expect(other).toEqual(value);
      }
    }
    expect(back.kept.length).toBe(6);
  });

  it('refuses blobs of another format version or garbage (the caller recomputes)', async () => {
    const basis = await prepareBasis(matrix(5, 2, Float64Array.from([1, 2, 3, 5, 2, 2, 7, 1, 0, 4])));
    const blob = encodeBasis(basis);
    const other = blob.slice();
    new DataView(other.buffer).setUint32(4, 999, true);
    expect(decodeBasis(other)).toBeNull();
    expect(decodeBasis(new Uint8Array(8))).toBeNull();
  });

  it('keys change with content, stat and every parameter', () => {
    const fp = { contentHash: 'abc', size: 10, mtimeMs: 1 };
    const params = { kernel: 'cpu-js', array: null, epsilon: 1e-10, conv: 'channels', layout: 'nhwc', neuronsFirst: false };
    const base = basisKey(fp, params);
    expect(basisKey({ ...fp }, { ...params })).toBe(base);
    expect(basisKey({ ...fp, contentHash: 'abd' }, params)).not.toBe(base);
    expect(basisKey({ ...fp, mtimeMs: 2 }, params)).not.toBe(base);
    expect(basisKey(fp, { ...params, epsilon: 1e-9 })).not.toBe(base);
    expect(basisKey(fp, { ...params, array: 'fc' })).not.toBe(base);
    expect(basisKey(fp, { ...params, conv: 'flatten' })).not.toBe(base);
    expect(resultKey('pair', ['a', 'b'], 'p')).not.toBe(resultKey('pair', ['b', 'a'], 'p'));
  });
});

describe('ComputeCache on a real index database', () => {
  it('stores bases up to its budget per job, counts hits and misses, and can be bypassed', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { openDatabase } = await import('../../../native/index/database.js');
    const { IndexCaches } = await import('../../../native/index/caches.js');
    const { ComputeCache } = await import('../../../native/compute/cache.js');
    const dir = mkdtempSync(join(tmpdir(), 'svcca-cache-'));
    const db = openDatabase(join(dir, 'index.sqlite'));
    try {
      const store = { contentHash: async () => 'x', caches: new IndexCaches(db) };
      const r = rng(9);
      const basis = await prepareBasis(matrix(200, 10, Float64Array.from({ length: 2000 }, () => r.normal())));
      const size = encodeBasis(basis).byteLength;
      const params = { kernel: 'cpu-js', array: null, epsilon: 1e-10, conv: 'channels', layout: 'nhwc', neuronsFirst: false };
      const fp = (i: number) => ({ contentHash: `h${i}`, size: i, mtimeMs: 0 });
      const cache = new ComputeCache(store, true, 4.5 * size);
      for (let i = 0; i < 5; i++) cache.putBasis(basisKey(fp(i), params), fp(i), params, basis);
      const found = [0, 1, 2, 3, 4].map((i) => cache.getBasis(basisKey(fp(i), params)) !== null);
      expect(found).toEqual([true, true, true, true, false]); // the job stopped writing at its budget
      expect(cache.counters.basisHits).toBe(4);
      expect(cache.counters.basisMisses).toBe(1);
      cache.putResult('k', ['a'], 'p', { similarity: 0.5 });
      expect(cache.getResult('k')).toEqual({ similarity: 0.5 });
      const off = new ComputeCache(store, false);
      expect(off.getBasis(basisKey(fp(0), params))).toBeNull();
      expect(off.getResult('k')).toBeUndefined();
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
