import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StudioError } from '../../../native/errors.js';
import { openArray } from '../../../native/formats/index.js';
import { streamCovariance, type StreamedCovariance } from '../../../native/compute/streaming.js';
import { rng, writeNpy, writeNpyRows } from './npy.js';
import { runPython } from './python.js';

const dir = mkdtempSync(join(tmpdir(), 'svcca-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** numpy's centered sums for the same files: (rows−1)·cov blocks and means, after the same reshape. */
const NUMPY = `
import json, sys
import numpy as np
d = json.load(sys.stdin)
def rows(path, mode, layout):
    x = np.load(path).astype(np.float64)
    if x.ndim > 2:
        if layout == 'nchw':
            x = np.moveaxis(x, 1, -1)
        x = x.reshape(x.shape[0], -1) if mode == 'flatten' else x.reshape(-1, x.shape[-1])
    return x
a = rows(d['a'], d['mode'], d['layout']); b = rows(d['b'], d['mode'], d['layout'])
ca = a - a.mean(0); cb = b - b.mean(0)
print(json.dumps({'meanA': a.mean(0).tolist(), 'meanB': b.mean(0).tolist(), 'aa': (ca.T @ ca).ravel().tolist(),
                  'bb': (cb.T @ cb).ravel().tolist(), 'ab': (ca.T @ cb).ravel().tolist(), 'rows': a.shape[0]}))
`;

function maxRelativeError(ours: ArrayLike<number>, ref: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]!));
  let worst = 0;
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - ref[i]!));
  return worst / scale;
}

function expectMatches(ours: StreamedCovariance, ref: { meanA: number[]; meanB: number[]; aa: number[]; bb: number[]; ab: number[]; rows: number }): void {
  expect(ours.rows).toBe(ref.rows);
  expect(maxRelativeError(ours.meanA, ref.meanA)).toBeLessThan(1e-13);
  expect(maxRelativeError(ours.meanB!, ref.meanB)).toBeLessThan(1e-13);
  expect(maxRelativeError(ours.aa.data, ref.aa)).toBeLessThan(1e-12);
  expect(maxRelativeError(ours.bb!.data, ref.bb)).toBeLessThan(1e-12);
  expect(maxRelativeError(ours.ab!.data, ref.ab)).toBeLessThan(1e-12);
}

function randomArray(length: number, seed: number, offset: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length }, () => offset + r.normal());
}

describe('streaming covariance over row blocks', () => {
  it('dense pair with a large mean: equals numpy for any block size (Chan merge keeps the digits)', async () => {
    const m = 1003;
    const a = join(dir, 'a.npy');
    const b = join(dir, 'b.npy');
    writeNpy(a, [m, 21], randomArray(m * 21, 1, 1e4));
    writeNpy(b, [m, 13], randomArray(m * 13, 2, -300));
    const ref = runPython<Parameters<typeof expectMatches>[1]>(NUMPY, { a, b, mode: 'channels', layout: 'nhwc' });
    const [sa, sb] = [await openArray(a), await openArray(b)];
    for (const blockRows of [1, 37, 500, m]) expectMatches(await streamCovariance(sa, sb, { blockRows }), ref);
  });

  it('conv layers as channels or flattened, NHWC and NCHW, float32 on disk', async () => {
    const m = 60;
    for (const [layout, shape] of [
      ['nhwc', [m, 3, 4, 5]],
      ['nchw', [m, 5, 3, 4]],
    ] as const) {
      const a = join(dir, `conv-a-${layout}.npy`);
      const b = join(dir, `conv-b-${layout}.npy`);
      const size = shape.reduce((x, y) => x * y, 1);
      writeNpy(a, shape, randomArray(size, 3, 2), '<f4');
      writeNpy(b, shape, randomArray(size, 4, 0), '<f4');
      for (const mode of ['channels', 'flatten'] as const) {
        const ref = runPython<Parameters<typeof expectMatches>[1]>(NUMPY, { a, b, mode, layout });
        const ours = await streamCovariance(await openArray(a), await openArray(b), { blockRows: 7, conv: mode, layout });
        expectMatches(ours, ref);
      }
    }
  });

  it('single layer, progress per block, cancel between blocks, unequal datapoints refused', async () => {
    const a = join(dir, 'single.npy');
    writeNpy(a, [100, 4], randomArray(400, 5, 0));
    const seen: number[] = [];
    const one = await streamCovariance(await openArray(a), undefined, { blockRows: 30, onProgress: (done) => seen.push(done) });
    expect(seen).toEqual([30, 60, 90, 100]);
    expect(one.bb).toBeUndefined();
    const controller = new AbortController();
    const cancelled = streamCovariance(await openArray(a), undefined, {
      blockRows: 10,
      signal: controller.signal,
      onProgress: (done) => done >= 20 && controller.abort(),
    });
    await expect(cancelled).rejects.toThrow(/cancelled/);
    const b = join(dir, 'short.npy');
    writeNpy(b, [99, 4], randomArray(396, 6, 0));
    await expect(streamCovariance(await openArray(a), await openArray(b))).rejects.toThrow(StudioError);
  });

  it('peak memory of a pair pass stays below 1.5 × one file (child process maxRSS)', () => {
    // Two 96 MiB float32 files; reading either whole as float64 would take 192 MiB on its own.
    const m = 393_216;
    const n = 64;
    const files = ['big-a.npy', 'big-b.npy'].map((f) => join(dir, f));
    files.forEach((file, k) => {
      const r = rng(10 + k);
      writeNpyRows(file, [m, n], '<f4', (_, out) => {
        for (let j = 0; j < n; j++) out[j] = r.uniform();
      });
    });
    const fileBytes = statSync(files[0]!).size;
    const script = `
      import { openArray } from ${JSON.stringify(new URL('../../../native/formats/index.ts', import.meta.url).pathname)};
      import { streamCovariance } from ${JSON.stringify(new URL('../../../native/compute/streaming.ts', import.meta.url).pathname)};
      const before = process.memoryUsage().rss;
      const r = await streamCovariance(await openArray(process.argv[2]), await openArray(process.argv[3]), { blockBytes: 8 << 20 });
      const peak = process.resourceUsage().maxRSS * 1024;
      console.log(JSON.stringify({ before, peak, rows: r.rows }));
    `;
    const scriptFile = join(dir, 'peak.mts');
    writeFileSync(scriptFile, script);
    const out = execFileSync(process.execPath, ['--import', 'tsx', scriptFile, ...files], { encoding: 'utf8' });
    const { before, peak, rows } = JSON.parse(out.trim().split('\n').pop()!) as { before: number; peak: number; rows: number };
    expect(rows).toBe(m);
    // What the pass itself added on top of the runtime, against the bound of 1.5 × one file (loading one file
    // whole would already add 2 × its float32 bytes).
    expect(peak - before).toBeLessThan(1.5 * fileBytes);
  });
});
