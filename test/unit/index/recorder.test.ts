/** The numpy recorder of docs/recorder.md, run as written, makes a workspace the index reads as intended. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { WorkspaceIndex } from '../../../native/index/index.js';
import { REPO, tempDir } from './workspace.js';

let root: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir: root, cleanup } = tempDir('svcca-index-recorder-'));
});
afterEach(() => cleanup());

function recorderBlock(): string {
  const doc = readFileSync(join(REPO, 'docs', 'recorder.md'), 'utf8');
  const marker = doc.indexOf('test/unit/index/recorder.test.ts');
  const match = /```python\n([\s\S]*?)```/.exec(doc.slice(marker));
  if (marker < 0 || !match) throw new Error('docs/recorder.md: the tested numpy block is missing');
  return match[1]!;
}

it('docs/recorder.md numpy recorder: three lines give an indexable run', async () => {
  const block = recorderBlock();
  expect(block.trim().split('\n')).toHaveLength(3);
  const script = [
    'import json, os, sys',
    'import numpy as np',
    'WORKSPACE, RUN = sys.argv[1], "mlp_seed0"',
    'LAYERS = ["hidden", "logits"]',
    'history = []',
    'rng = np.random.default_rng(0)',
    'for step in (0, 250, 1000):',
    '    history.append({"step": step, "probe_acc": step / 2000})',
    '    acts = {"hidden": rng.standard_normal((32, 16)), "logits": rng.standard_normal((32, 10))}',
    ...block.trim().split('\n').map((line) => `    ${line}`),
  ].join('\n');
  execFileSync('python3', ['-c', script, root]);

  const index = WorkspaceIndex.open(root);
  try {
    const report = await index.index();
    expect(report).toMatchObject({ runs: 1, checkpoints: 3, arrays: 6, errors: [] });
    const run = index.getRun('mlp_seed0')!;
    expect(run.layers).toEqual(['hidden', 'logits']);
    expect(run.steps).toEqual([0, 250, 1000]);
    expect(run.metrics).toEqual([
      { step: 0, probe_acc: 0 },
      { step: 250, probe_acc: 0.125 },
      { step: 1000, probe_acc: 0.5 },
    ]);
    const hidden = index.resolveLayer('mlp_seed0', 'last', 'hidden');
    expect(hidden).toMatchObject({ spec: `${join(root, 'mlp_seed0', 'step-001000', 'activations.npz')}:hidden`, shape: [32, 16], dtype: 'f4' });
  } finally {
    index.close();
  }
});
