/**
 * Several processes and a kill: the index is shared by every process that opens the workspace, and a process may
 * die at any moment. Child processes run the real index code from source (tsx).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceIndex } from '../../../native/index/index.js';
import { countOnDisk, makeRun, REPO, tempDir } from './workspace.js';

const CHILD = join(REPO, 'test', 'unit', 'index', 'child.ts');
const RUNS = 100;
const STEPS = [0, 1, 2, 3, 4];
const LAYERS = ['l0', 'l1', 'l2', 'l3'];

let root: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir: root, cleanup } = tempDir('svcca-index-proc-'));
  for (let r = 0; r < RUNS; r++) makeRun(root, `g${r % 3}/run${r}`, { steps: STEPS, layers: LAYERS });
});
afterAll(() => cleanup());

interface Child {
  readonly lines: string[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(): void;
  /** Resolves at the first stdout line that satisfies `test`. */
  waitForLine(test: (line: string) => boolean): Promise<string>;
}

function startChild(args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: Array<{ test: (line: string) => boolean; resolve: (line: string) => void }> = [];
  let buffer = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return {
    lines,
    exit,
    kill: () => proc.kill('SIGKILL'),
    waitForLine: (test) =>
      new Promise((resolve, reject) => {
        const seen = lines.find(test);
        if (seen !== undefined) return resolve(seen);
        waiters.push({ test, resolve });
        void exit.then(({ code, stderr: err }) => reject(new Error(`child exited (${code}) before the line: ${err}`)));
      }),
  };
}

function integrity(dbPath: string): { check: string; foreignKeys: unknown[] } {
  const db = new Database(dbPath, { readonly: true });
  try {
    return {
      check: db.pragma('integrity_check', { simple: true }) as string,
      foreignKeys: db.pragma('foreign_key_check') as unknown[],
    };
  } finally {
    db.close();
  }
}

describe('processes', () => {
  it('two processes indexing the same workspace at once both succeed with the right counts', async () => {
    const expected = countOnDisk(root);
    expect(expected).toEqual({ runs: RUNS, checkpoints: RUNS * STEPS.length, arrays: RUNS * STEPS.length * LAYERS.length });
    const { dir, cleanup: done } = tempDir('svcca-index-db-');
    try {
      const db = join(dir, 'index.sqlite');
      const children = [startChild(['index', root, db]), startChild(['index', root, db])];
      const exits = await Promise.all(children.map((c) => c.exit));
      for (const [i, e] of exits.entries()) {
        expect(e, e.stderr).toMatchObject({ code: 0, signal: null });
        const report = JSON.parse(children[i]!.lines[children[i]!.lines.length - 1]!) as object;
        expect(report).toEqual({ ...expected, errors: [] });
      }
      expect(integrity(db)).toEqual({ check: 'ok', foreignKeys: [] });
      const index = WorkspaceIndex.open(root, { db });
      const again = await index.index();
      expect(again.changes.filesRead).toBe(0);
      expect(index.listRuns()).toHaveLength(RUNS);
      index.close();
    } finally {
      done();
    }
  });

  it('a process killed while indexing leaves a consistent index (each run whole or absent); a re-index completes it', async () => {
    const expected = countOnDisk(root);
    const { dir, cleanup: done } = tempDir('svcca-index-db-');
    try {
      const db = join(dir, 'index.sqlite');
      const child = startChild(['index', root, db, '2']);
      const total = expected.checkpoints * LAYERS.length;
      // Kill once a tenth of the files have been read, well before the end.
      await child.waitForLine((line) => {
        const m = /^progress (\d+) (\d+)$/.exec(line);
        return m !== null && Number(m[1]) >= total / 10 && Number(m[1]) < total;
      });
      child.kill();
      expect((await child.exit).signal).toBe('SIGKILL');

      expect(integrity(db)).toEqual({ check: 'ok', foreignKeys: [] });
      const raw = new Database(db, { readonly: true });
      const partial = raw.prepare("SELECT count(*) AS n FROM arrays a JOIN files f ON f.id = a.file_id WHERE f.kind = 'activations'").get() as { n: number };
      // Every run that made it into the index has all its checkpoints and arrays: no run is half-written.
      const perRun = raw
        .prepare(
          `SELECT r.rel_path, (SELECT count(*) FROM checkpoints c WHERE c.run_id = r.id) AS checkpoints,
             (SELECT count(*) FROM checkpoints c JOIN files f ON f.checkpoint_id = c.id JOIN arrays a ON a.file_id = f.id WHERE c.run_id = r.id) AS arrays
           FROM runs r`,
        )
        .all() as Array<{ rel_path: string; checkpoints: number; arrays: number }>;
      raw.close();
      expect(partial.n).toBeGreaterThan(0);
      expect(partial.n).toBeLessThan(expected.arrays);
      for (const run of perRun) expect(run).toEqual({ rel_path: run.rel_path, checkpoints: STEPS.length, arrays: STEPS.length * LAYERS.length });

      const index = WorkspaceIndex.open(root, { db });
      const report = await index.index();
      expect({ runs: report.runs, checkpoints: report.checkpoints, arrays: report.arrays, errors: report.errors }).toEqual({ ...expected, errors: [] });
      expect(report.changes.filesRead).toBe(expected.arrays - partial.n);
      expect(index.listRuns()).toHaveLength(RUNS);
      index.close();
      expect(integrity(db)).toEqual({ check: 'ok', foreignKeys: [] });
    } finally {
      done();
    }
  });
});
