import { statSync, writeFileSync } from 'node:fs';
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
    expect(tables).toEqual(['arrays', 'basis_cache', 'checkpoints', 'files', 'result_cache', 'runs', 'scan_errors', 'workspace']);
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

  it('brings a version-1 index with data up to date without reading any array header again', async () => {
    const { dir: root, cleanup: done } = tempDir();
    try {
      makeRun(root, 'r', { steps: [0], meta: { name: 'r', metrics: [{ step: 0, probe_acc: 0.25 }] } });
      makeRun(root, 'q', { steps: [0, 1], meta: null });
      const path = join(dir, 'v1.sqlite');
      // The index as version 1 of the code wrote it: a metrics table, no metrics column, no digests.
      const v1 = new Database(path);
      v1.pragma('journal_mode = WAL');
      v1.exec(MIGRATIONS[0]!.sql);
      v1.pragma('user_version = 1');
      const runJson = statSync(join(root, 'r', 'run.json'));
      const insertRun = v1.prepare(
        "INSERT INTO runs (rel_path, preferred_name, name, run_json_size, run_json_mtime, run_json, layers, steps) VALUES (?, ?, ?, ?, ?, ?, '[\"conv\",\"fc\"]', ?)",
      );
      const r = insertRun.run('r', 'r', 'r', runJson.size, runJson.mtimeMs, '{"name":"r"}', '[0]').lastInsertRowid;
      const q = insertRun.run('q', 'q', 'q', null, null, null, '[0,1]').lastInsertRowid;
      v1.prepare('INSERT INTO metrics (run_id, step, name, value) VALUES (?, 0, ?, 0.25)').run(r, 'probe_acc');
      for (const [runId, rel, steps] of [[r, 'r', [0]], [q, 'q', [0, 1]]] as const) {
        for (const step of steps) {
          const dirName = `step-${String(step).padStart(6, '0')}`;
          const ckpt = v1.prepare('INSERT INTO checkpoints (run_id, dir, step) VALUES (?, ?, ?)').run(runId, dirName, step).lastInsertRowid;
          for (const [i, layer] of ['conv', 'fc'].entries()) {
            const fileRel = `${rel}/${dirName}/${layer}.npy`;
            const st = statSync(join(root, fileRel));
            const file = v1
              .prepare("INSERT INTO files (rel_path, checkpoint_id, kind, format, size, mtime_ms) VALUES (?, ?, 'activations', 'npy', ?, ?)")
              .run(fileRel, ckpt, st.size, st.mtimeMs).lastInsertRowid;
            v1.prepare(
              "INSERT INTO arrays (file_id, position, name, shape, dtype, byte_order, storage_order, data_offset, byte_length, compressed) VALUES (?, 0, ?, ?, 'f4', 'little', 'C', 128, ?, 0)",
            ).run(file, layer, JSON.stringify([6, 2 + i]), 6 * (2 + i) * 4);
          }
        }
      }
      v1.close();

      const index = WorkspaceIndex.open(root, { db: path });
      try {
        const pass = await index.index();
        expect(pass).toMatchObject({ runs: 2, checkpoints: 3, arrays: 6, errors: [] });
        expect(pass.changes.filesRead).toBe(0);
        expect(index.getRun('r')!.metrics).toEqual([{ step: 0, probe_acc: 0.25 }]);
        expect(index.getRun('q')!.steps).toEqual([0, 1]);
        const again = await index.index();
        expect(again.changes).toMatchObject({ filesRead: 0, runsWritten: [] });
      } finally {
        index.close();
      }
    } finally {
      done();
    }
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
