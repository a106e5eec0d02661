/** The studio's dynamics and compress calls run these analyses as cancellable jobs with progress events. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCompress } from '../../../native/analyses/compression.js';
import { runDynamics } from '../../../native/analyses/dynamics.js';
import { createStudio, type Studio } from '../../../native/api/studio.js';
import type { ProgressEvent } from '../../../native/api/contract.js';
import { CancelledError } from '../../../native/errors.js';
import type { WorkspaceIndex } from '../../../native/index/index.js';
import { EXAMPLE, openIndexed, tempDir } from './helpers.js';

let studio: Studio;
let index: WorkspaceIndex;
let cleanup: () => void;
beforeAll(async () => {
  const t = tempDir('svcca-analyses-studio-');
  cleanup = t.cleanup;
  studio = await createStudio({ root: EXAMPLE, db: join(t.dir, 'studio.sqlite'), watch: false });
  await studio.ready();
  index = await openIndexed(EXAMPLE, t.dir, 'direct');
});
afterAll(async () => {
  await studio.close();
  index.close();
  cleanup();
});

describe('studio', () => {
  it('dynamics returns what runDynamics returns, reporting progress under the job id', async () => {
    const events: ProgressEvent[] = [];
    const off = studio.onProgress((e) => events.push(e));
    const viaStudio = await studio.dynamics({ run: 'true_lr0.01_seed2000' }, { jobId: 'dyn' });
    off();
    expect(viaStudio).toEqual(await runDynamics(index, { run: 'true_lr0.01_seed2000' }));
    const mine = events.filter((e) => e.jobId === 'dyn');
    expect(mine.at(-1)).toMatchObject({ done: 54, total: 54 }) // 6 checkpoints × 3 layers × 3 final layers;
  });

  it('compress returns what runCompress returns', async () => {
    const request = { run: 'true_lr0.01_seed2000', layer: 'fc', draws: 2 };
    expect(await studio.compress(request)).toEqual(await runCompress(index, request));
  });

  it('cancel stops a running dynamics job', async () => {
    const off = studio.onProgress((e) => {
      if (e.jobId === 'stop' && e.done === 5) void studio.cancel('stop');
    });
    await expect(studio.dynamics({ run: 'true_lr0.1_seed2004' }, { jobId: 'stop' })).rejects.toThrow(CancelledError);
    off();
  });
});
