/**
 * The packaging dry run (docs/packaging.md): electron-builder with electron-builder.yml, run for real except for
 * Electron's own executable (a placeholder: its binary cannot be downloaded here) and the native rebuild for
 * Electron's ABI (needs Electron's headers, also a download). What it proves is the app's layout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLayout } from '../../scripts/package-layout.mjs';
import { REPO } from '../unit/main/workspace.js';

const out = mkdtempSync(join(tmpdir(), 'svcca-dist-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(process.platform !== 'linux')('packaging dry run (electron-builder --dir around a placeholder executable)', () => {
  let log = '';

  it('packages the app and the layout check passes', () => {
    const run = spawnSync(process.execPath, [join(REPO, 'scripts', 'dist.mjs'), '--dry-run', '--out', out], { cwd: REPO, encoding: 'utf8', timeout: 240_000 });
    log = `${run.stdout}\n${run.stderr}`;
    expect(run.status, log).toBe(0);
    expect(log).toMatch(/dist: dry run checked: .*linux-unpacked/);
    expect(log).toMatch(/dist: bundles import .*better-sqlite3.*: all packaged/);
    const report = checkLayout(join(out, 'linux-unpacked'), { platform: 'linux' });
    expect(report.problems).toEqual([]);
  });

  it('puts the native addon beside the archive, and the check notices when it is not', () => {
    const addon = join(out, 'linux-unpacked', 'resources', 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    expect(existsSync(addon), log).toBe(true);
    rmSync(addon);
    expect(checkLayout(join(out, 'linux-unpacked'), { platform: 'linux' }).problems).toContain('better_sqlite3.node is not unpacked next to app.asar');
  });

  it('leaves the Node build of better-sqlite3 in node_modules for the tests', async () => {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(':memory:');
    expect(db.prepare('select 41 + 1 as answer').get()).toEqual({ answer: 42 });
    db.close();
  });
});
