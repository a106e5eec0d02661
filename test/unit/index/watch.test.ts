import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchWorkspace, WorkspaceIndex, type IndexChange, type Watcher } from '../../../native/index/index.js';
import { scopeOfChange } from '../../../native/index/watch.js';
import { makeRun, npyBytes, tempDir, writeNpy } from './workspace.js';

let root: string;
let cleanup: () => void;
let index: WorkspaceIndex;
let watcher: Watcher | undefined;

beforeEach(() => {
  ({ dir: root, cleanup } = tempDir('svcca-index-watch-'));
});
afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  index?.close();
  cleanup();
});

/** Polls until `ready()` holds; the deadline only keeps a broken watcher from hanging the suite. */
async function until(ready: () => boolean, what: string, deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!ready()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('watch mode', () => {
  it('follows a live run: a checkpoint appended (files written in pieces) is indexed once complete', async () => {
    makeRun(root, 'live', { steps: [0, 100] });
    index = WorkspaceIndex.open(root);
    await index.index();
    const changes: IndexChange[] = [];
    index.onChange((c) => changes.push(c));
    watcher = watchWorkspace(index, { debounceMs: 50, maxWaitMs: 500 });
    expect(watcher.mode).toBe('events');

    // A training job saving step 200: folder first, then each layer file written in two pieces.
    const ckpt = join(root, 'live', 'step-000200');
    mkdirSync(ckpt);
    for (const [i, layer] of ['conv', 'fc'].entries()) {
      const bytes = npyBytes([6, 2 + i]);
      writeFileSync(join(ckpt, `${layer}.npy`), bytes.subarray(0, 90));
      appendFileSync(join(ckpt, `${layer}.npy`), bytes.subarray(90));
    }
    await until(() => index.counts().arrays === 6 && index.errors().length === 0, 'the new checkpoint');
    expect(index.counts()).toEqual({ runs: 1, checkpoints: 3, arrays: 6 });
    expect(index.getRun('live')!.steps).toEqual([0, 100, 200]);
    expect(changes.length).toBeGreaterThan(0);
    // Only the run's folder was looked at again, never the whole workspace.
    for (const c of changes) expect(c.changes.scopes).toEqual(['live']);
    expect(changes[changes.length - 1]!.report).toMatchObject({ runs: 1, checkpoints: 3, arrays: 6, errors: [] });
  });

  it('sees runs appear at depth and disappear, and ignores its own index folder', async () => {
    makeRun(root, 'a', { steps: [0] });
    index = WorkspaceIndex.open(root);
    await index.index();
    let passes = 0;
    watcher = watchWorkspace(index, { debounceMs: 50, onResult: () => passes++ });

    makeRun(root, 'sweep/lr1/seed3', { steps: [0, 1] });
    await until(() => index.counts().runs === 2 && index.counts().arrays === 6, 'the nested run');
    rmSync(join(root, 'a'), { recursive: true });
    await until(() => index.counts().runs === 1, 'the deleted run to go');
    expect(index.listRuns().map((r) => r.name)).toEqual(['seed3']);

    // Writes to the index itself (in .svcca-studio) must not start passes: wait for quiet, then count.
    const settled = passes;
    await index.index();
    await new Promise((r) => setTimeout(r, 300));
    expect(passes).toBe(settled);
  });

  it('polls where events are unavailable (network file systems), with the same result', async () => {
    makeRun(root, 'r', { steps: [0] });
    index = WorkspaceIndex.open(root);
    await index.index();
    watcher = watchWorkspace(index, { polling: true, pollMs: 50 });
    expect(watcher.mode).toBe('polling');
    writeNpy(join(root, 'r', 'step-000001', 'conv.npy'), [6, 2]);
    await until(() => index.counts().checkpoints === 2 && index.counts().arrays === 3, 'the polled checkpoint');
    rmSync(join(root, 'r', 'step-000000'), { recursive: true });
    await until(() => index.counts().checkpoints === 1, 'the removed checkpoint');
    expect(index.getRun('r')!.steps).toEqual([1]);
  });

  it('maps a changed path to the folder to look at again', () => {
    makeRun(root, 'r', { steps: [3] });
    expect(scopeOfChange(root, 'r/step-000003/fc.npy')).toBe('r/step-000003'); // widened to the run by the indexer
    expect(scopeOfChange(root, 'r')).toBe('r');
    expect(scopeOfChange(root, 'r/run.json')).toBe('r');
    expect(scopeOfChange(root, 'gone/run.json')).toBe('gone');
    expect(scopeOfChange(root, 'gone')).toBe('');
    expect(scopeOfChange(root, '.svcca-studio/index.sqlite-wal')).toBeNull();
    expect(scopeOfChange(root, 'r/step-000003/.fc.npy.tmp')).toBeNull();
    writeNpy(join(root, 'probe_labels.npy'), [6]);
    expect(scopeOfChange(root, 'probe_labels.npy')).toBe('');
  });
});
