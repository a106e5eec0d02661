/**
 * The electron-vite build (run by `npm run build`, so by `npm test` and CI): the three targets exist where main
 * expects them, the sandboxed preload is one self-contained CommonJS file, main's own bundle stays free of the
 * numerical code (fast start), and the compute host bundle runs under plain Node too.
 */
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunInfo, WorkspaceInfo } from '../../native/api/contract.js';
import { ComputePool } from '../../native/compute/pool.js';
import { forkHost } from '../../main/host-fork.js';
import { HostSupervisor } from '../../main/host-supervisor.js';
import { externalImports } from '../../scripts/package-layout.mjs';
import { REPO, WORKSPACE } from '../unit/main/workspace.js';

const OUT = join(REPO, 'out');
const built = (file: string): string => {
  const path = join(OUT, file);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build:app\` (npm test builds first)`);
  return path;
};

const scratch = mkdtempSync(join(tmpdir(), 'svcca-build-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('electron-vite build', () => {
  it('emits main, the compute host, the preload and the renderer where main/index.ts looks for them', () => {
    for (const file of ['main/index.js', 'main/host.js', 'main/chunks/worker.js', 'preload/index.cjs', 'renderer/index.html']) built(file);
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { main: string };
    expect(join(REPO, pkg.main)).toBe(join(OUT, 'main', 'index.js'));
  });

  it('makes the preload one CommonJS file whose only require is electron (all a sandboxed preload may load)', () => {
    const preload = readFileSync(built('preload/index.cjs'), 'utf8');
    const requires = [...preload.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    expect(new Set(requires)).toEqual(new Set(['electron']));
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    expect(preload).toContain('exposeInMainWorld("studio"');
  });

  it('keeps SQLite and every other package out of the window process (they load in the compute host only)', () => {
    const main = readFileSync(built('main/index.js'), 'utf8');
    expect(externalImports(main)).toEqual([]);
    const host = readFileSync(built('main/host.js'), 'utf8');
    expect(externalImports(host)).toContain('better-sqlite3');
  });

  it('bundles the compute pool worker where the pool looks for it, and the bundle answers jobs', async () => {
    const worker = built('main/chunks/worker.js');
    // When the host bundle contains the pool, its chunk sits beside the worker (pool.ts forks `worker.js` next to itself).
    if (readFileSync(built('main/host.js'), 'utf8').includes('./chunks/pool.js')) built('main/chunks/pool.js');
    const pool = new ComputePool({ size: 1, entry: worker });
    try {
      await expect(pool.run('no-such-job', {})).rejects.toThrow("compute host has no job kind 'no-such-job'");
    } finally {
      await pool.close();
    }
  });

  it('runs the built compute host as a Node child process on the example workspace', async () => {
    const host = new HostSupervisor(forkHost({ entry: built('main/host.js'), db: join(scratch, 'index.sqlite') }), { root: WORKSPACE });
    host.start();
    try {
      const info = (await host.call('workspace', [])) as WorkspaceInfo;
      expect(info.root).toBe(realpathSync(WORKSPACE));
      await host.call('reindex', []);
      expect(((await host.call('runs', [])) as RunInfo[]).length).toBe(10);
    } finally {
      host.stop();
    }
  });
});
