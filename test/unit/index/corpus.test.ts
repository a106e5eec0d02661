/**
 * The bundled example workspace (and the shared corpus, when it is beside the repository): exact counts of what is
 * on disk (counted independently by numpy), metadata equal to run.json, and layer refs that point at the same values
 * in both.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleWorkspace, WorkspaceIndex } from '../../../native/index/index.js';
import { CORPUS, countOnDisk, EXAMPLE, tempDir } from './workspace.js';

let dbDir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir: dbDir, cleanup } = tempDir('svcca-index-corpus-'));
});
afterAll(() => cleanup());

const WORKSPACES = [
  { label: 'example workspace', root: EXAMPLE, known: { runs: 10, checkpoints: 25, arrays: 75 } },
  { label: 'shared corpus (extra)', root: CORPUS, known: { runs: 10, checkpoints: 25, arrays: 100 } },
];

for (const { label, root, known } of WORKSPACES) describe.skipIf(!root)(label, () => {
  it('indexes exactly the runs, checkpoints and arrays on disk, with no errors', async () => {
    const index = WorkspaceIndex.open(root!, { db: join(dbDir, `${label}.sqlite`) });
    try {
      const report = await index.index();
      expect(report.errors).toEqual([]);
      const counts = { runs: report.runs, checkpoints: report.checkpoints, arrays: report.arrays };
      expect(counts).toEqual(countOnDisk(root!));
      expect(counts).toEqual(known);
      expect(index.probeLabels()).toBe(join(root!, 'probe_labels.npy'));

      for (const run of index.listRuns()) {
        const meta = JSON.parse(readFileSync(join(root!, run.path, 'run.json'), 'utf8')) as Record<string, unknown> & {
          metrics: Array<Record<string, number>>;
          layers: string[];
          steps_saved: number[];
        };
        expect(run.meta).toEqual(meta);
        expect(run.metrics).toEqual(meta.metrics);
        expect(run.layers).toEqual(meta.layers);
        expect(run.steps).toEqual(meta.steps_saved.filter((s) => run.steps.includes(s)));
        expect(index.weights(run.name, 'final').map((w) => w.name)).toContain('logits.weight');
      }
    } finally {
      index.close();
    }
  });
});

describe('example workspace', () => {
  it('is what commands use by default; its layers resolve to members of activations.npz', async () => {
    expect(exampleWorkspace()).toBe(EXAMPLE);
    const example = WorkspaceIndex.open(EXAMPLE, { db: join(dbDir, 'default.sqlite') });
    try {
      await example.index();
      const a = example.resolveLayer('true_lr0.01_seed2000', 79, 'fc');
      expect(a.spec).toBe(`${join(EXAMPLE, 'true_lr0.01_seed2000', 'step-000079', 'activations.npz')}:fc`);
      expect(a.shape).toEqual([500, 32]);
    } finally {
      example.close();
    }
  });

  it.skipIf(!CORPUS)('its npz layers hold the shared corpus values (extra)', async () => {
    const example = WorkspaceIndex.open(EXAMPLE, { db: join(dbDir, 'example.sqlite') });
    const corpus = WorkspaceIndex.open(CORPUS!, { db: join(dbDir, 'corpus.sqlite') });
    try {
      await example.index();
      await corpus.index();
      const a = example.resolveLayer('true_lr0.01_seed2000', 79, 'fc');
      const b = corpus.resolveLayer('true_lr0.01_seed2000', 79, 'fc');
      expect(a.spec).toBe(`${join(EXAMPLE, 'true_lr0.01_seed2000', 'step-000079', 'activations.npz')}:fc`);
      expect(b.spec).toBe(join(CORPUS!, 'true_lr0.01_seed2000', 'step-000079', 'fc.npy'));
      expect(a.shape).toEqual(b.shape);
      const same = execFileSync(
        'python3',
        ['-c', 'import sys, numpy as np; print(np.array_equal(np.load(sys.argv[1])["fc"], np.load(sys.argv[2])))', a.path, b.path],
        { encoding: 'utf8' },
      );
      expect(same.trim()).toBe('True');
    } finally {
      example.close();
      corpus.close();
    }
  });
});
