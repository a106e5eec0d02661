/** `svcca-studio index` and `svcca-studio runs` as a user runs them (from source, in a child process). */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, makeRun, REPO, tempDir, writeNpy } from './workspace.js';

const CHILD = join(REPO, 'test', 'unit', 'index', 'child.ts');

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, 'cli', ...args], { cwd: REPO, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let root: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir: root, cleanup } = tempDir('svcca-index-cli-'));
  makeRun(root, 'b/run2', { steps: [0, 5], meta: { name: 'run2', group: 'g', seed: 2, lr: 0.1, labels: 'true', metrics: [{ step: 5, probe_acc: 0.5 }], extra: 'kept' } });
  makeRun(root, 'run1', { steps: [3], meta: null });
});
afterAll(() => cleanup());

describe('svcca-studio index / runs', () => {
  it('index --json prints exactly {"runs","checkpoints","arrays","errors"}', () => {
    const r = cli('index', root, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toEqual({ runs: 2, checkpoints: 3, arrays: 6, errors: [] });
    expect(Object.keys(JSON.parse(r.stdout) as object)).toEqual(['runs', 'checkpoints', 'arrays', 'errors']);
  });

  it('runs --json lists every run with its metadata; the human form is a table', () => {
    const r = cli('runs', root, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { workspace: string; runs: Array<Record<string, unknown>>; errors: unknown[] };
    expect(out.workspace).toBe(root);
    expect(out.errors).toEqual([]);
    expect(out.runs).toEqual([
      { name: 'run1', path: 'run1', layers: ['conv', 'fc'], steps: [3], metrics: [], meta: {} },
      {
        name: 'run2',
        path: 'b/run2',
        group: 'g',
        seed: 2,
        lr: 0.1,
        labels: 'true',
        layers: ['conv', 'fc'],
        steps: [0, 5],
        metrics: [{ step: 5, probe_acc: 0.5 }],
        meta: { name: 'run2', group: 'g', seed: 2, lr: 0.1, labels: 'true', metrics: [{ step: 5, probe_acc: 0.5 }], extra: 'kept' },
      },
    ]);
    const human = cli('runs', root);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^2 runs in /);
    expect(human.stdout).toMatch(/run2\s+g\s+2\s+0\.1\s+true\s+2 \(0 … 5\)\s+conv fc\s+0\.5/);
  });

  it('uses the bundled example workspace when none is given', () => {
    const { dir, cleanup: done } = tempDir('svcca-index-cli-db-');
    try {
      const r = cli('index', '--db', join(dir, 'x.sqlite'), '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ runs: 10, checkpoints: 25, arrays: 75, errors: [] });
      const human = cli('runs', '--db', join(dir, 'x.sqlite'));
      expect(human.stderr).toContain(`using the bundled example ${EXAMPLE}`);
      expect(human.stdout).toContain('true_lr0.01_seed2000');
    } finally {
      done();
    }
  });

  it('bad input: exit code 2 and one error line naming the path', () => {
    const missing = join(root, 'nope');
    const r = cli('index', missing, '--json');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: ${missing}: no such folder\n`);
    const two = cli('runs', root, root);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/^error: unexpected argument '.*'; usage: svcca-studio runs/);
  });

  it('index --watch --json prints one JSON object per change, and stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'cli', 'index', root, '--watch', '--json'], { cwd: REPO });
    const lines: string[] = [];
    let buffer = '';
    let stderr = '';
    let waiting: { count: number; resolve: () => void } | null = null;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      lines.push(...parts);
      if (waiting && lines.length >= waiting.count) waiting.resolve();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // A child that dies early fails the test at once, with its stderr, instead of leaving it waiting.
    const linesAtLeast = (count: number): Promise<void> =>
      lines.length >= count
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            waiting = { count, resolve };
            void exit.then((code) => reject(new Error(`index --watch exited (${code}) early: ${stderr}`)));
          });

    await linesAtLeast(1);
    expect(JSON.parse(lines[0]!)).toEqual({ runs: 2, checkpoints: 3, arrays: 6, errors: [] });
    // Watching began before the first pass printed its result: save a new checkpoint as a training loop does.
    writeNpy(join(root, 'run1', 'step-000009', 'conv.npy'), [6, 2]);
    writeNpy(join(root, 'run1', 'step-000009', 'fc.npy'), [6, 3]);
    await linesAtLeast(2);
    expect(JSON.parse(lines[lines.length - 1]!)).toEqual({ runs: 2, checkpoints: 4, arrays: 8, errors: [] });
    child.kill('SIGINT');
    expect(await exit).toBe(0);
  });
});
