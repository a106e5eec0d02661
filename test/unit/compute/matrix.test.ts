import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMatrix } from '../../../native/compute/matrix.js';
import { parseStep, selectRunNames } from '../../../native/cli/commands/matrix.js';
import { CancelledError, InputError, StudioError, UsageError } from '../../../native/errors.js';
import { parseArraySpec } from '../../../native/formats/index.js';
import { WorkspaceIndex } from '../../../native/index/index.js';
import { asDense, loadLayer } from '../../../native/layers/index.js';
import { compareMatrices, type BasisMethod } from '../../../native/measures/compare.js';
import { CORPUS, EXAMPLE } from '../../support/corpus.js';

const tmp = mkdtempSync(join(tmpdir(), 'svcca-matrix-'));
/** The bundled example workspace's index (the name is the tests' own: the runs are the corpus's, conv1 left out). */
let corpus: WorkspaceIndex;

beforeAll(async () => {
  // The workspace is read-only: its index goes to a scratch file.
  corpus = WorkspaceIndex.open(EXAMPLE, { db: join(tmp, 'corpus.sqlite') });
  await corpus.index();
});
afterAll(() => {
  corpus.close();
  wide?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function pairwise(specs: string[], method: BasisMethod, conv: 'channels' | 'flatten' = 'channels'): Promise<number[][]> {
  const layers = await Promise.all(specs.map(async (s) => asDense(await loadLayer(s), conv)));
  const out: number[][] = [];
  for (let i = 0; i < specs.length; i++) {
    const row: number[] = [];
    for (let j = 0; j < specs.length; j++) row.push((await compareMatrices(layers[i]!, layers[j]!, { method, refA: specs[i]!, refB: specs[j]! })).similarity as number);
    out.push(row);
  }
  return out;
}

/** Two runs whose one layer, "wide", has more neurons (60) than datapoints (40): numpy noise, indexed. */
let wide: WorkspaceIndex | undefined;
async function wideWorkspace(): Promise<WorkspaceIndex> {
  if (wide) return wide;
  const root = join(tmp, 'wide');
  for (const [i, run] of ['wide_a', 'wide_b'].entries()) {
    const step = join(root, run, 'step-000001');
    mkdirSync(step, { recursive: true });
    execFileSync('python3', ['-c', 'import sys, numpy as np; np.save(sys.argv[1], np.random.RandomState(int(sys.argv[2])).randn(40, 60).astype("<f4"))', join(step, 'wide.npy'), String(i)]);
  }
  wide = WorkspaceIndex.open(root, { db: join(tmp, 'wide.sqlite') });
  await wide.index();
  return wide;
}

function maxDifference(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i]![j]!)))));
  return worst;
}

describe('matrix on the example workspace (10 convnets: 8 true-label, 2 random-label)', () => {
  // Conv layers (8000 rows compared channel-wise) on four runs, to keep the reference loop short.
  const four = ['random_lr0.01_seed2008', 'true_lr0.01_seed2001', 'true_lr0.1_seed2006', 'random_lr0.01_seed2009'];
  it.each([
    ['pwcca', 'fc', 'channels', undefined],
    ['cka', 'logits', 'channels', undefined],
    ['svcca', 'conv2', 'channels', four],
    ['cca', 'conv2', 'channels', four],
    ['svcca-weighted', 'conv2', 'flatten', four],
  ] as const)('%s on %s equals compare of every ordered pair (row = A) to 1e-12', async (method, layer, conv, runs) => {
    const result = await runMatrix(corpus, { layer, method, conv, ...(runs ? { runs: [...runs] } : {}) }, { cache: false, workers: 0 });
    const n = runs?.length ?? 10;
    expect(result.runs).toHaveLength(n);
    const expected = await pairwise(result.files, method, conv);
    expect(maxDifference(result.matrix, expected)).toBeLessThan(1e-12);
    if (method === 'pwcca') {
      // Rows carry A's weights: the matrix is not symmetric, and the asymmetry is compare's own.
      expect(Math.abs(result.matrix[0]![1]! - result.matrix[1]![0]!)).toBeGreaterThan(1e-3);
    }
    expect(result.decompositions).toBe(n);
    expect(result.pairs_computed).toBe(n * n);
    // Reported as compare reports it: the device class, and the kernel backend that ran.
    expect(result.backend).toBe('cpu');
    expect(result.kernel_backend).toMatch(/^(cpu-|blas:)/);
  });

  it('worker processes give the same matrix as this process', async () => {
    const local = await runMatrix(corpus, { layer: 'fc', method: 'pwcca' }, { cache: false, workers: 0 });
    const pooled = await runMatrix(corpus, { layer: 'fc', method: 'pwcca' }, { cache: false, workers: 2 });
    expect(pooled.workers).toBe(2);
    expect(maxDifference(pooled.matrix, local.matrix)).toBeLessThan(1e-12);
  });

  it('on workers, bases travel as spool files: cached from them, read back, and the spool removed', async () => {
    const spools = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith('svcca-spool-'));
    const before = new Set(spools());
    const index = WorkspaceIndex.open(EXAMPLE, { db: join(tmp, 'spooled.sqlite') });
    try {
      await index.index();
      const local = await runMatrix(index, { layer: 'fc', method: 'pwcca' }, { cache: false, workers: 0 });
      const first = await runMatrix(index, { layer: 'fc', method: 'pwcca' }, { workers: 2 });
      expect(first.decompositions).toBe(10);
      expect(maxDifference(first.matrix, local.matrix)).toBeLessThan(1e-12);
      // The bases the workers spooled went into the basis cache: another measure decomposes nothing.
      const svcca = await runMatrix(index, { layer: 'fc', method: 'svcca' }, { workers: 2 });
      expect(svcca.decompositions).toBe(0);
      expect(svcca.cache.bases.hits).toBe(10);
      const svccaLocal = await runMatrix(index, { layer: 'fc', method: 'svcca' }, { cache: false, workers: 0 });
      expect(maxDifference(svcca.matrix, svccaLocal.matrix)).toBeLessThan(1e-12);
    } finally {
      index.close();
    }
    expect(spools().filter((name) => !before.has(name))).toEqual([]);
  });

  it("separates true-label from random-label nets ([Morcos2018-PWCCA] sec. 3.1) with an exact permutation p-value", async () => {
    const result = await runMatrix(corpus, { layer: 'fc', method: 'pwcca', groupBy: 'labels' }, { cache: false });
    const stats = result.stats!;
    const within = Object.fromEntries(stats.groups.map((g) => [g.value, g.within_mean!]));
    // Generalizing nets converge to more similar solutions than memorizing nets...
    expect(within['true']!).toBeGreaterThan(within['random']! + 0.2);
    // ...and the grouping by labels is significant: no relabeling of 8 + 2 runs beats the real one (1 of C(10,2)).
    expect(stats.within_mean!).toBeGreaterThan(stats.between_mean!);
    expect(stats.permutations).toBe(45);
    expect(stats.p_value).toBeCloseTo(1 / 45, 12);
    // The clustering puts the two random-label nets next to each other, at one end of the leaf order.
    const randomAt = result.order.map((i) => result.runs[i]!).flatMap((name, k) => (name.startsWith('random') ? [k] : []));
    expect(randomAt.length).toBe(2);
    expect(Math.abs(randomAt[0]! - randomAt[1]!)).toBe(1);
    expect([0, 8]).toContain(Math.min(...randomAt));
    expect(result.linkage).toHaveLength(9);
  });

  it('a repeated question is answered from the result cache; a new measure reuses the decompositions', async () => {
    const db = join(tmp, 'cache.sqlite');
    const index = WorkspaceIndex.open(EXAMPLE, { db });
    try {
      await index.index();
      const first = await runMatrix(index, { layer: 'fc', method: 'pwcca' });
      expect(first.decompositions).toBe(10);
      expect(first.cache.bases.misses).toBe(10);
      const again = await runMatrix(index, { layer: 'fc', method: 'pwcca' });
      expect(again.cache.matrix).toBe(true);
      expect(again.decompositions).toBe(0);
      expect(again.pairs_computed).toBe(0);
      expect(again.matrix).toEqual(first.matrix);
      const svcca = await runMatrix(index, { layer: 'fc', method: 'svcca' });
      expect(svcca.decompositions).toBe(0);
      expect(svcca.cache.bases.hits).toBe(10);
      expect(svcca.pairs_computed).toBe(100);
      // A subset asks pairs already answered: no pair step runs.
      const names = first.runs.slice(2, 6);
      const subset = await runMatrix(index, { layer: 'fc', method: 'pwcca', runs: names });
      expect(subset.pairs_computed).toBe(0);
      expect(subset.cache.pairs.hits).toBe(16);
      expect(subset.matrix[1]![2]).toBe(first.matrix[3]![4]);
    } finally {
      index.close();
    }
  });

  it('a changed layer file invalidates its basis and the pairs it is in, and nothing else', async () => {
    const root = join(tmp, 'workspace');
    const runs = ['true_lr0.01_seed2001', 'true_lr0.1_seed2005', 'random_lr0.01_seed2009'];
    for (const run of runs) cpSync(join(EXAMPLE, run), join(root, run), { recursive: true });
    const index = WorkspaceIndex.open(root, { db: join(tmp, 'ws.sqlite') });
    try {
      await index.index();
      const before = await runMatrix(index, { layer: 'fc', method: 'pwcca' });
      expect(before.decompositions).toBe(3);
      // Overwrite one run's activations (fc among them) with another net's (new bytes and mtime).
      const target = before.files[before.runs.indexOf('true_lr0.01_seed2001')]!;
      const targetFile = parseArraySpec(target).path;
      const other = join(EXAMPLE, 'true_lr0.01_seed2000', 'step-001260', 'activations.npz');
      copyFileSync(other, targetFile);
      utimesSync(targetFile, new Date(), new Date(Date.now() + 5000));
      const after = await runMatrix(index, { layer: 'fc', method: 'pwcca' });
      expect(after.decompositions).toBe(1);
      expect(after.cache.bases.hits).toBe(2);
      expect(after.pairs_computed).toBe(5); // the changed run's row and column
      const i = after.runs.indexOf('true_lr0.01_seed2001');
      const j = after.runs.indexOf('true_lr0.1_seed2005');
      const k = after.runs.indexOf('random_lr0.01_seed2009');
      expect(after.matrix[i]![j]).not.toBe(before.matrix[i]![j]);
      expect(after.matrix[j]![k]).toBe(before.matrix[j]![k]);
      const fresh = await pairwise([target, after.files[j]!], 'pwcca');
      expect(Math.abs(after.matrix[i]![j]! - fresh[0]![1]!)).toBeLessThan(1e-12);
    } finally {
      index.close();
    }
  });

  it('cancel stops the job with CancelledError, in this process and on workers', async () => {
    for (const workers of [0, 2]) {
      const controller = new AbortController();
      const job = runMatrix(corpus, { layer: 'conv2', method: 'pwcca' }, {
        cache: false,
        workers,
        signal: controller.signal,
        onProgress: (_done, _total, label) => label === 'pairs' && controller.abort(),
      });
      await expect(job).rejects.toBeInstanceOf(CancelledError);
    }
  });

  it('steps, run filters and bad requests', async () => {
    // Step 0 exists in the first run of each group only.
    const early = ['random_lr0.01_seed2008', 'true_lr0.01_seed2000', 'true_lr0.1_seed2004'];
    const r = await runMatrix(corpus, { layer: 'fc', method: 'svcca', step: 0, runs: early }, { cache: false });
    expect(r.runs).toEqual(early);
    expect(r.files[0]).toContain('step-000000');
    await expect(runMatrix(corpus, { layer: 'fc', method: 'svcca', step: 0 }, { cache: false })).rejects.toThrow(/no checkpoint for step 0/);
    await expect(runMatrix(corpus, { layer: 'fc', method: 'pwcca', groupBy: 'optimizer' }, { cache: false })).rejects.toBeInstanceOf(UsageError);
    await expect(runMatrix(corpus, { layer: 'fc', method: 'pwcca', runs: ['nope'] }, { cache: false })).rejects.toBeInstanceOf(UsageError);
    // A layer of 60 neurons for 40 datapoints (numpy noise): PWCCA is degenerate there, and says what to do instead.
    const degenerate = await runMatrix(await wideWorkspace(), { layer: 'wide', method: 'pwcca' }, { cache: false }).catch((e: unknown) => e);
    expect(degenerate).toBeInstanceOf(InputError);
    expect((await runMatrix(corpus, { layer: 'fc', method: 'cka', backend: 'gpu', runs: early }, { cache: false })).backend_note ?? 'ran on a GPU').toMatch(/GPU/);
    expect((degenerate as StudioError).message).toMatch(/svcca/);

    const all = corpus.listRuns();
    expect(selectRunNames(all, 'true_lr0\\.1_')).toEqual(['true_lr0.1_seed2004', 'true_lr0.1_seed2005', 'true_lr0.1_seed2006', 'true_lr0.1_seed2007']);
    expect(selectRunNames(all, 'true_lr0.1_seed2007,random_lr0.01_seed2008')).toEqual(['true_lr0.1_seed2007', 'random_lr0.01_seed2008']);
    expect(() => selectRunNames(all, 'a,b')).toThrow(UsageError);
    expect(() => selectRunNames(all, '(')).toThrow(/not a valid regular expression/);
    expect(parseStep(undefined)).toBe('final');
    expect(parseStep('2100')).toBe(2100);
    expect(() => parseStep('-1')).toThrow(UsageError);
  });
});

describe.skipIf(!CORPUS)('matrix on the shared corpus (extra: conv1)', () => {
  let full: WorkspaceIndex;
  beforeAll(async () => {
    full = WorkspaceIndex.open(CORPUS!, { db: join(tmp, 'shared-corpus.sqlite') });
    await full.index();
  });
  afterAll(() => full.close());
  const four = ['random_lr0.01_seed2008', 'true_lr0.01_seed2001', 'true_lr0.1_seed2006', 'random_lr0.01_seed2009'];

  it('cca on conv1 (32000 rows channel-wise) equals compare of every ordered pair to 1e-12', async () => {
    const result = await runMatrix(full, { layer: 'conv1', method: 'cca', conv: 'channels', runs: four }, { cache: false, workers: 0 });
    expect(maxDifference(result.matrix, await pairwise(result.files, 'cca', 'channels'))).toBeLessThan(1e-12);
  });

  it('conv1 flattened has 512 neurons for 500 datapoints: PWCCA is degenerate there, and says what to do instead', async () => {
    const early = ['random_lr0.01_seed2008', 'true_lr0.01_seed2000', 'true_lr0.1_seed2004'];
    const degenerate = await runMatrix(full, { layer: 'conv1', method: 'pwcca', conv: 'flatten', runs: early }, { cache: false }).catch((e: unknown) => e);
    expect(degenerate).toBeInstanceOf(InputError);
    expect((degenerate as StudioError).message).toMatch(/svcca/);
  });
});
