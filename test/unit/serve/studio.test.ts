/**
 * The in-process StudioApi that serve (and Electron) put a transport in front of, on the example workspace: runs
 * from the index, layer refs, compare equal to the CLI's `compare --json`, the noise floor, cancel by job id.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../native/api/contract.js';
import { createStudio, type Studio } from '../../../native/api/studio.js';
import { EXAMPLE, REPO as ROOT } from '../../support/corpus.js';

const WORKSPACE = EXAMPLE;

let studio: Studio;
const scratch = mkdtempSync(join(tmpdir(), 'studio-test-'));

beforeAll(async () => {
  studio = await createStudio({ root: WORKSPACE, db: join(scratch, 'index.sqlite'), watch: false });
});
afterAll(async () => {
  await studio.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('studio', () => {
  it('lists the runs of the workspace once the first index pass is done', async () => {
    const runs = await studio.runs();
    expect(runs.length).toBeGreaterThanOrEqual(10);
    const info = await studio.workspace();
    expect(info.runs).toBe(runs.length);
    expect(info.root).toBe(WORKSPACE);
  });

  it('compares two layers exactly as `svcca-studio compare --json` does, with the noise floor and interval `significance` prints', async () => {
    const runs = await studio.runs();
    const [a, b] = [runs[0]!.name, runs[runs.length - 1]!.name];
    const fileA = await studio.resolveLayer({ run: a, layer: 'fc' });
    const fileB = await studio.resolveLayer({ run: b, layer: 'fc', step: 'last' });
    expect(fileA).toContain(a);
    const events: ProgressEvent[] = [];
    const off = studio.onProgress((e) => events.push(e));
    const ours = await studio.compare({ a: fileA, b: fileB, method: 'pwcca', noiseFloor: 3, bootstrap: 4, seed: 7 }, { jobId: 'cmp-1' });
    off();
    const cli = (...args: string[]) => JSON.parse(execFileSync(process.execPath, [join(ROOT, 'bin/svcca-studio.js'), ...args, '--json'], { encoding: 'utf8' }));
    const compared = cli('compare', fileA, fileB, '--method', 'pwcca');
    expect(ours.similarity).toBe(compared.similarity);
    expect(ours.coefficients).toEqual(compared.coefficients);
    expect(ours.weights).toEqual(compared.weights);
    // One analysis behind both: the pair view's noise floor and interval are the CLI's, number for number.
    const significant = cli('significance', fileA, fileB, '--method', 'pwcca', '--permutations', '3', '--bootstrap', '4', '--seed', '7');
    expect(ours.noise_floor).toEqual(significant.noise_floor);
    expect(ours.interval).toEqual(significant.interval);
    expect(ours.seed).toBe(7);
    expect(significant.similarity).toBeCloseTo(ours.similarity, 12);
    expect(ours.noise_floor!.shuffles).toBe(3);
    expect(ours.noise_floor!.similarity).toBeLessThan(ours.similarity);
    expect(ours.noise_floor!.coefficients).toHaveLength(ours.coefficients.length);
    expect(events.filter((e) => e.jobId === 'cmp-1').at(-1)).toMatchObject({ done: 11, total: 11 });
  });

  it('cancels a job by its id: the call rejects with CancelledError', async () => {
    const runs = await studio.runs();
    const file = await studio.resolveLayer({ run: runs[0]!.name, layer: 'conv2' });
    const pending = studio.compare({ a: file, b: file, method: 'svcca', noiseFloor: 200 }, { jobId: 'slow' });
    const off = studio.onProgress((e) => {
      if (e.jobId === 'slow' && e.done >= 4) void studio.cancel('slow');
    });
    await expect(pending).rejects.toMatchObject({ name: 'CancelledError' });
    off();
  });

  it('names an unknown run in one line', async () => {
    await expect(studio.resolveLayer({ run: 'nope', layer: 'fc' })).rejects.toThrow(/no run named "nope"/);
  });
});
