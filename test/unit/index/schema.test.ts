import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkspaceIndex } from '../../../native/index/index.js';
import { openDatabase } from '../../../native/index/database.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../native/index/schema.js';
import { makeRun, tempDir } from './workspace.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('svcca-index-schema-'));
});
afterEach(() => cleanup());

describe('schema', () => {
  it('creates a versioned WAL database with room for the caches', () => {
    const db = openDatabase(join(dir, 'i.sqlite'));
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(10_000);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
    expect(tables).toEqual(['arrays', 'basis_cache', 'checkpoints', 'files', 'metrics', 'result_cache', 'runs', 'scan_errors', 'workspace']);
    db.close();
  });

  it('migrates forward from an older version, one migration at a time, and refuses a newer index', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    const path = join(dir, 'old.sqlite');
    const old = new Database(path);
    old.pragma('user_version = 0');
    old.close();
    openDatabase(path).close(); // version 0 (an empty file) → current
    const newer = new Database(path);
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    expect(() => openDatabase(path)).toThrow(/newer SVCCA Studio \(schema \d+, this one knows \d+\)/);
  });

  it('refuses a file that is not an index with one line naming it', () => {
    const path = join(dir, 'notes.sqlite');
    writeFileSync(path, 'these are my notes, not a database'.repeat(100));
    expect(() => openDatabase(path)).toThrow(`${path}: is not an SVCCA Studio index (or is damaged); delete it to rebuild`);
  });

  it('keeps basis and result cache entries across reopening, and prunes the least recently used bases', () => {
    const { dir: root, cleanup: done } = tempDir();
    try {
      makeRun(root, 'r');
      const db = join(dir, 'c.sqlite');
      let index = WorkspaceIndex.open(root, { db });
      index.caches.putBasis('k1', 'hash1', '{"keep":0.99}', new Uint8Array([1, 2, 3]));
      index.caches.putBasis('k2', 'hash2', '{"keep":0.99}', new Uint8Array(10));
      index.caches.putResult('r1', ['hash1', 'hash2'], '{"method":"pwcca"}', { similarity: 0.5 });
      index.close();
      index = WorkspaceIndex.open(root, { db });
      expect(index.caches.getBasis('k1')).toEqual({ contentHash: 'hash1', params: '{"keep":0.99}', blob: Buffer.from([1, 2, 3]) });
      expect(index.caches.getResult('r1')).toEqual({ similarity: 0.5 });
      expect(index.caches.getResult('nope')).toBeUndefined();
      index.caches.prune(5); // k2 (10 bytes) was used least recently: it goes, k1 (3 bytes) fits
      expect(index.caches.getBasis('k2')).toBeUndefined();
      expect(index.caches.getBasis('k1')).toBeDefined();
      index.close();
    } finally {
      done();
    }
  });
});
