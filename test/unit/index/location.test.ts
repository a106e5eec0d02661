/**
 * Where an index goes (native/index/location.ts): inside the workspace only when the folder is the user's own to
 * change; a folder another user owns and the app's bundled example get a per-user cache file instead, so opening
 * them never writes into them.
 */
import { chownSync, existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exampleWorkspace } from '../../../native/index/example.js';
import { locateIndex } from '../../../native/index/location.js';
import { makeRun, tempDir } from './workspace.js';

let cache: { dir: string; cleanup: () => void };
let previous: string | undefined;
beforeEach(() => {
  cache = tempDir('svcca-cache-');
  previous = process.env['XDG_CACHE_HOME'];
  process.env['XDG_CACHE_HOME'] = cache.dir;
});
afterEach(() => {
  if (previous === undefined) delete process.env['XDG_CACHE_HOME'];
  else process.env['XDG_CACHE_HOME'] = previous;
  cache.cleanup();
});

describe('index location', () => {
  it("keeps a user's own writable workspace's index inside it", () => {
    const ws = tempDir();
    try {
      makeRun(ws.dir, 'r', { steps: [0] });
      const where = locateIndex(ws.dir);
      expect(where.dbPath).toBe(join(realpathSync(ws.dir), '.svcca-studio', 'index.sqlite'));
      expect(where.note).toBeUndefined();
    } finally {
      ws.cleanup();
    }
  });

  it('never writes into the bundled example workspace: its index goes to the per-user cache', () => {
    const example = exampleWorkspace();
    const hadIndexDir = existsSync(join(example, '.svcca-studio'));
    const where = locateIndex(example);
    expect(where.dbPath.startsWith(join(cache.dir, 'svcca-studio'))).toBe(true);
    expect(where.note).toMatch(/bundled example/);
    expect(existsSync(join(example, '.svcca-studio'))).toBe(hadIndexDir);
  });

  it.runIf(process.getuid?.() === 0)('puts the index of a folder another user owns in the cache, not in the folder', () => {
    const ws = tempDir();
    try {
      makeRun(ws.dir, 'r', { steps: [0] });
      chownSync(ws.dir, 12345, 12345);
      const where = locateIndex(ws.dir);
      expect(where.dbPath.startsWith(join(cache.dir, 'svcca-studio'))).toBe(true);
      expect(where.note).toMatch(/another user/);
      expect(existsSync(join(ws.dir, '.svcca-studio'))).toBe(false);
    } finally {
      chownSync(ws.dir, 0, 0);
      ws.cleanup();
    }
  });
});
