import { copyFileSync, mkdirSync, renameSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkspaceIndex } from '../../../native/index/index.js';
import {
  countOnDisk,
  HDF5_FIXTURE,
  makeRun,
  npyBytes,
  tempDir,
  writeNpy,
  writeNpz,
  writeRunJson,
  writeSafetensors,
} from './workspace.js';

let root: string;
let cleanup: () => void;
let index: WorkspaceIndex;

beforeEach(() => {
  ({ dir: root, cleanup } = tempDir());
});
afterEach(() => {
  index?.close();
  cleanup();
});

function open(): WorkspaceIndex {
  index = WorkspaceIndex.open(root);
  return index;
}

describe('discovery', () => {
  it('finds runs at any depth, with and without run.json, and counts exactly what is on disk', async () => {
    makeRun(root, 'a', { steps: [0, 5, 20] });
    makeRun(root, 'sweep/lr0.1/seed1', { steps: [0], final: true });
    makeRun(root, 'sweep/lr0.1/seed2', { steps: [7], meta: null }); // no run.json: a run by its checkpoint folders
    makeRun(root, 'deep/x/y/z/w', { steps: [1, 2], layers: ['l1', 'l2', 'l3'] });
    writeRunJson(join(root, 'planned'), { name: 'planned' }); // run.json, no checkpoints yet: still a run
    mkdirSync(join(root, 'notes/empty'), { recursive: true }); // a folder that is no run
    writeFileSync(join(root, 'a', 'step-000000', 'readme.txt'), 'not an array');

    const report = await open().index();
    expect(report.errors).toEqual([]);
    expect({ runs: report.runs, checkpoints: report.checkpoints, arrays: report.arrays }).toEqual(countOnDisk(root));
    expect(report).toMatchObject({ runs: 5, checkpoints: 3 + 2 + 1 + 2, arrays: 3 * 2 + 2 * 2 + 2 + 2 * 3 });

    const runs = index.listRuns();
    expect(runs.map((r) => [r.name, r.path])).toEqual([
      ['a', 'a'],
      ['planned', 'planned'],
      ['seed1', 'sweep/lr0.1/seed1'],
      ['seed2', 'sweep/lr0.1/seed2'],
      ['w', 'deep/x/y/z/w'],
    ]);
    expect(index.getRun('seed1')!.steps).toEqual([0, 'final']);
    expect(index.getRun('seed2')!.meta).toEqual({});
    expect(index.getRun('planned')!.steps).toEqual([]);
  });

  it('follows linked run folders, reports a link back to an ancestor instead of looping, skips hidden folders', async () => {
    const elsewhere = tempDir('svcca-index-elsewhere-');
    try {
      makeRun(elsewhere.dir, 'linked', { steps: [0, 1] });
      makeRun(root, 'local', { steps: [0] });
      symlinkSync(join(elsewhere.dir, 'linked'), join(root, 'linked'));
      symlinkSync(root, join(root, 'local', 'loop'));
      makeRun(root, '.hidden/run', { steps: [0] });
      const report = await open().index();
      expect(report).toMatchObject({ runs: 2, checkpoints: 3, arrays: 6 });
      expect(report.errors).toEqual([{ path: join(root, 'local', 'loop'), error: expect.stringMatching(/symbolic link back to its own ancestor/) }]);
      expect(index.resolveLayer('linked', 1, 'fc').path).toBe(join(root, 'linked', 'step-000001', 'fc.npy'));
    } finally {
      elsewhere.cleanup();
    }
  });

  it('keeps run.json metadata, unknown keys and metrics; reports wrong types without dropping the run', async () => {
    makeRun(root, 'r1', {
      meta: {
        name: 'first',
        group: 'g',
        seed: 3,
        lr: 0.01,
        labels: 'true',
        layers: ['fc', 'conv'],
        metrics: [
          { step: 10, train_acc: 0.5, probe_acc: 0.4, note: 'text is kept in meta only' },
          { step: 0, train_acc: 0.1 },
        ],
        custom: { nested: [1, 2] },
      },
    });
    makeRun(root, 'r2', { meta: { seed: 'seven', group: 4 } });
    writeFileSync(join(root, 'r2', 'run.json'), '{"seed": "seven", "group": 4}');
    makeRun(root, 'r3', { meta: null });
    writeFileSync(join(root, 'r3', 'run.json'), '{"name": "half-writ');

    const report = await open().index();
    const r1 = index.getRun('first')!;
    expect(r1).toMatchObject({ name: 'first', path: 'r1', group: 'g', seed: 3, lr: 0.01, labels: 'true' });
    expect(r1.layers).toEqual(['fc', 'conv']); // declared order, not file order
    expect(r1.metrics).toEqual([
      { step: 0, train_acc: 0.1 },
      { step: 10, train_acc: 0.5, probe_acc: 0.4 },
    ]);
    expect(r1.meta['custom']).toEqual({ nested: [1, 2] });

    const r2 = index.getRun('r2')!;
    expect(r2.group).toBe('4');
    expect(r2.seed).toBeUndefined();
    expect(r2.meta['seed']).toBe('seven');
    expect(index.getRun('r3')!.layers).toEqual(['conv', 'fc']); // bad JSON: folder name, file order
    expect(report.errors).toEqual([
      { path: join(root, 'r2', 'run.json'), error: '"seed" must be a number, found the text "seven"' },
      { path: join(root, 'r3', 'run.json'), error: expect.stringMatching(/^not valid JSON/) },
    ]);
  });

  it('reads containers (.npz deflated and stored, .safetensors, HDF5) member by member; weights.* are parameters', async () => {
    const ckpt = join(root, 'run', 'step-000100');
    writeNpz(join(ckpt, 'acts.npz'), { conv1: [6, 4, 4, 3], conv2: [6, 2, 2, 5] });
    writeNpz(join(ckpt, 'more.npz'), { fc: [6, 7] }, false);
    writeSafetensors(join(ckpt, 'head.safetensors'), { logits: [6, 10], probs: [6, 10] });
    copyFileSync(HDF5_FIXTURE, join(ckpt, 'extra.h5')); // one dataset, "acts" (2, 3)
    writeSafetensors(join(ckpt, 'weights.safetensors'), { 'fc.weight': [7, 48], 'fc.bias': [7] });
    writeNpy(join(root, 'probe_labels.npy'), [6]);

    const report = await open().index();
    expect(report.errors).toEqual([]);
    // countOnDisk has no HDF5 reader: the one dataset of extra.h5 is added by hand.
    expect({ runs: report.runs, checkpoints: report.checkpoints, arrays: report.arrays }).toEqual({
      ...countOnDisk(root),
      arrays: countOnDisk(root).arrays + 1,
    });
    expect(report.arrays).toBe(6);
    const layers = index.layers('run', 100);
    expect(layers.map((l) => [l.name, l.spec.slice(ckpt.length + 1), l.shape])).toEqual([
      ['conv1', 'acts.npz:conv1', [6, 4, 4, 3]],
      ['conv2', 'acts.npz:conv2', [6, 2, 2, 5]],
      ['acts', 'extra.h5:acts', [2, 3]],
      ['logits', 'head.safetensors:logits', [6, 10]],
      ['probs', 'head.safetensors:probs', [6, 10]],
      ['fc', 'more.npz:fc', [6, 7]],
    ]);
    expect(layers.find((l) => l.name === 'conv1')!.compressed).toBe(true);
    const fc = layers.find((l) => l.name === 'fc')!;
    expect(fc.compressed).toBe(false);
    expect(fc.dataOffset).toBeGreaterThan(0);
    expect(index.weights('run', 'last').map((w) => [w.name, w.shape])).toEqual([
      ['fc.weight', [7, 48]],
      ['fc.bias', [7]],
    ]);
    expect(index.probeLabels()).toBe(join(root, 'probe_labels.npy'));
    expect(index.listRuns().map((r) => r.name)).toEqual(['run']); // probe_labels.npy at the root is no run
  });

  it('records corrupt, truncated and unknown files as errors with path and reason, and goes on', async () => {
    makeRun(root, 'good', { steps: [0] });
    const ckpt = join(root, 'bad', 'step-000001');
    writeNpy(join(ckpt, 'ok.npy'), [6, 3]);
    writeFileSync(join(ckpt, 'corrupt.npy'), Buffer.concat([Buffer.from('\x93NUMPY\x01\x00\x20\x00', 'latin1'), Buffer.from("{'descr': '<f4', 'shape': (6,", 'latin1')]));
    writeFileSync(join(ckpt, 'truncated.npy'), npyBytes([6, 8]).subarray(0, 100));
    writeFileSync(join(ckpt, 'empty.safetensors'), '');
    writeFileSync(join(ckpt, 'garbage.npz'), 'PK but not really a zip');

    const report = await open().index();
    expect(report).toMatchObject({ runs: 2, checkpoints: 2, arrays: 2 + 1 });
    expect(report.errors.map((e) => e.path)).toEqual(['corrupt.npy', 'empty.safetensors', 'garbage.npz', 'truncated.npy'].map((f) => join(ckpt, f)));
    for (const e of report.errors) expect(e.error).toMatch(/\S/);
    expect(report.errors.find((e) => e.path.endsWith('truncated.npy'))!.error).toMatch(/truncat|end|short|bytes/i);
    expect(index.layers('bad', 1).map((l) => l.name)).toEqual(['ok']);
    expect(() => index.resolveLayer('bad', 1, 'truncated')).toThrow(/no layer "truncated".*truncated\.npy/);
  });

  it('does not half-index a file being written: an error until the write completes, then indexed', async () => {
    makeRun(root, 'live', { steps: [0] });
    const path = join(root, 'live', 'step-000010', 'fc.npy');
    const full = npyBytes([6, 50]);
    mkdirSync(join(root, 'live', 'step-000010'));
    writeFileSync(path, full.subarray(0, 700)); // header and part of the data
    let report = await open().index();
    expect(report.errors).toEqual([{ path, error: expect.stringMatching(/./) }]);
    expect(report.arrays).toBe(2);
    expect(index.getRun('live')!.steps).toEqual([0, 10]);

    writeFileSync(path, full);
    report = await index.index();
    expect(report.errors).toEqual([]);
    expect(report.arrays).toBe(3);
    expect(index.resolveLayer('live', 10, 'fc').shape).toEqual([6, 50]);
  });
});

describe('incremental passes', () => {
  it('reads nothing when nothing changed, only what changed otherwise', async () => {
    makeRun(root, 'a', { steps: [0, 1, 2] });
    makeRun(root, 'b', { steps: [0, 1, 2] });
    const first = await open().index();
    expect(first.changes.filesRead).toBe(12);

    const again = await index.index();
    expect(again.changes).toMatchObject({ filesRead: 0, filesRemoved: 0, runsWritten: [], runsRemoved: [] });

    writeNpy(join(root, 'b', 'step-000001', 'fc.npy'), [6, 9]); // different size
    const one = await index.index();
    expect(one.changes).toMatchObject({ filesRead: 1, runsWritten: ['b'] });
    expect(index.resolveLayer('b', 1, 'fc').shape).toEqual([6, 9]);

    rmSync(join(root, 'a', 'step-000002'), { recursive: true });
    rmSync(join(root, 'b', 'step-000000', 'conv.npy'));
    const removed = await index.index();
    expect(removed).toMatchObject({ runs: 2, checkpoints: 5, arrays: 12 - 2 - 1 });
    expect(removed.changes.filesRead).toBe(0);
    expect(index.getRun('a')!.steps).toEqual([0, 1]);
  });

  it('tells a new mtime with the same bytes (content hash) from a real change of the same size', async () => {
    makeRun(root, 'a', { steps: [0] });
    const path = join(root, 'a', 'step-000000', 'fc.npy');
    await open().index();
    const hash = await index.contentHash(path);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);

    utimesSync(path, new Date(), new Date(Date.now() + 5000)); // touched, same content
    let pass = await index.index();
    expect(pass.changes).toMatchObject({ filesRead: 0, filesTouched: 1 });
    expect(await index.contentHash(path)).toBe(hash);

    writeFileSync(path, npyBytes([6, 3], 1)); // same size, other values
    utimesSync(path, new Date(), new Date(Date.now() + 10_000));
    pass = await index.index();
    expect(pass.changes).toMatchObject({ filesRead: 1, filesTouched: 0 });
    expect(await index.contentHash(path)).not.toBe(hash);
  });

  it('removes a deleted run with everything under it, and indexes it again when it comes back', async () => {
    makeRun(root, 'keep', { steps: [0] });
    makeRun(root, 'group/gone', { steps: [0, 1], final: true });
    await open().index();
    const full = index.counts();

    renameSync(join(root, 'group/gone'), join(root, 'away'));
    const after = await index.index({ scopes: ['group'] }); // a scoped pass sees the deletion in its folder
    expect(after).toMatchObject({ runs: 1, checkpoints: 1, arrays: 2 });
    expect(after.changes.runsRemoved).toEqual(['group/gone']);
    expect(index.getRun('gone')).toBeUndefined();
    const db = new Database(index.dbPath, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM files').get()).toEqual({ n: 2 });
    db.close();

    renameSync(join(root, 'away'), join(root, 'group/gone'));
    const back = await index.index();
    expect(index.counts()).toEqual(full);
    expect(back.changes.runsWritten).toEqual(['group/gone']);
    expect(index.getRun('gone')!.steps).toEqual([0, 1, 'final']);
  });

  it('names runs uniquely: a shared name falls back to the relative path, for both runs', async () => {
    makeRun(root, 'sweepA/seed1', { meta: { name: 'seed1' } });
    await open().index();
    expect(index.listRuns().map((r) => r.name)).toEqual(['seed1']);
    makeRun(root, 'sweepB/seed1', { meta: null });
    await index.index();
    expect(index.listRuns().map((r) => r.name)).toEqual(['sweepA/seed1', 'sweepB/seed1']);
    rmSync(join(root, 'sweepA'), { recursive: true });
    await index.index();
    expect(index.listRuns().map((r) => r.name)).toEqual(['seed1']);
  });
});

describe('lookups', () => {
  it('resolves (run, step | final | last, layer) to a file or file:array spec, and explains misses', async () => {
    makeRun(root, 'r', { steps: [0, 100] });
    writeNpz(join(root, 'r', 'final', 'activations.npz'), { conv: [6, 2], fc: [6, 3] });
    await open().index();
    expect(index.checkpoints('r').map((c) => [c.dir, c.step, c.arrays])).toEqual([
      ['step-000000', 0, 2],
      ['step-000100', 100, 2],
      ['final', 'final', 2],
    ]);
    expect(index.resolveLayer('r', 100, 'fc').spec).toBe(join(root, 'r', 'step-000100', 'fc.npy'));
    expect(index.resolveLayer('r', 'final', 'fc').spec).toBe(`${join(root, 'r', 'final', 'activations.npz')}:fc`);
    expect(index.resolveLayer('r', 'last', 'conv').spec).toBe(`${join(root, 'r', 'final', 'activations.npz')}:conv`);
    expect(() => index.resolveLayer('nope', 0, 'fc')).toThrow(/no run named "nope" \(runs: r\)/);
    expect(() => index.resolveLayer('r', 5, 'fc')).toThrow(/no checkpoint for step 5 \(steps: 0, 100, final\)/);
    expect(() => index.resolveLayer('r', 0, 'logits')).toThrow(/no layer "logits".*layers: conv, fc/);
  });

  it('reports one layer in two files of a checkpoint, and two folders for one step', async () => {
    makeRun(root, 'r', { steps: [5] });
    writeNpz(join(root, 'r', 'step-000005', 'x.npz'), { fc: [6, 4] });
    writeNpy(join(root, 'r', 'step-5', 'fc.npy'), [6, 1]);
    const report = await open().index();
    expect(report.errors.map((e) => [e.path.slice(root.length + 1), e.error])).toEqual([
      ['r/step-000005/x.npz', 'layer "fc" is also in r/step-000005/fc.npy; that one is used'],
      ['r/step-5', 'a second folder for step 5 (besides step-000005); step-000005 is used'],
    ]);
    expect(index.resolveLayer('r', 5, 'fc').spec).toBe(join(root, 'r', 'step-000005', 'fc.npy'));
  });

  it('falls back to a per-user cache file for a read-only workspace, and says so', async () => {
    makeRun(root, 'r', { steps: [0] });
    const cache = tempDir('svcca-cache-');
    const previous = process.env['XDG_CACHE_HOME'];
    process.env['XDG_CACHE_HOME'] = cache.dir;
    const { chmodSync } = await import('node:fs');
    chmodSync(root, 0o555);
    try {
      index = WorkspaceIndex.open(root);
      expect(index.dbPath.startsWith(join(cache.dir, 'svcca-studio'))).toBe(true);
      expect(index.note).toMatch(/read-only/);
      expect(await index.index()).toMatchObject({ runs: 1, arrays: 2 });
      index.close();
      // A writable workspace whose index file is read-only (copied from a read-only place): the cache again.
      chmodSync(root, 0o755);
      WorkspaceIndex.open(root).close();
      chmodSync(join(root, '.svcca-studio', 'index.sqlite'), 0o444);
      index = WorkspaceIndex.open(root);
      expect(index.dbPath.startsWith(join(cache.dir, 'svcca-studio'))).toBe(true);
    } finally {
      chmodSync(root, 0o755);
      if (previous === undefined) delete process.env['XDG_CACHE_HOME'];
      else process.env['XDG_CACHE_HOME'] = previous;
      index.close();
      cache.cleanup();
    }
  });

  it('reports progress with done, total and a rate', async () => {
    for (let i = 0; i < 4; i++) makeRun(root, `r${i}`, { steps: [0, 1, 2] });
    const seen: Array<{ phase: string; done: number; total: number; rate: number }> = [];
    await open().index({ onProgress: (p) => seen.push(p) });
    const reads = seen.filter((p) => p.phase === 'read');
    expect(reads[reads.length - 1]).toMatchObject({ done: 24, total: 24 });
    expect(reads.every((p) => p.done <= p.total && p.rate >= 0)).toBe(true);
    expect(seen.some((p) => p.phase === 'scan')).toBe(true);
  });

  it('stops when cancelled, leaving an index that the next pass completes', async () => {
    for (let i = 0; i < 10; i++) makeRun(root, `r${i}`, { steps: [0, 1, 2, 3] });
    const controller = new AbortController();
    controller.abort();
    await expect(open().index({ signal: controller.signal })).rejects.toThrow(/cancelled/);
    expect(await index.index()).toMatchObject({ runs: 10, checkpoints: 40, arrays: 80 });
  });

  it('truncated to zero bytes and back: the file error comes and goes', async () => {
    makeRun(root, 'r', { steps: [0] });
    await open().index();
    const path = join(root, 'r', 'step-000000', 'fc.npy');
    truncateSync(path, 0);
    expect((await index.index()).errors.map((e) => e.path)).toEqual([path]);
    writeNpy(path, [6, 3]);
    expect((await index.index()).errors).toEqual([]);
  });
});
