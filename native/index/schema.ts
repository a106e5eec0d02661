/**
 * The index's schema, as an ordered list of forward migrations. `PRAGMA user_version` records how many have run;
 * opening an index runs the missing ones, each in its own transaction, so an index from any earlier version is
 * brought up to date and a kill during a migration leaves the previous version intact.
 */
import type Database from 'better-sqlite3';
import { InputError } from '../errors.js';

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, metrics, checkpoints, files, arrays, scan errors; basis and result caches',
    sql: `
      -- Facts about the workspace as a whole (its root, when it was last fully scanned).
      CREATE TABLE workspace (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE runs (
        id              INTEGER PRIMARY KEY,
        rel_path        TEXT NOT NULL UNIQUE,   -- folder relative to the workspace root, '/'-separated
        preferred_name  TEXT NOT NULL,          -- run.json "name", else the folder's name
        name            TEXT UNIQUE,            -- unique name; NULL only while an index pass settles names
        run_json_size   INTEGER,                -- stat of run.json when it was read; NULL: no run.json
        run_json_mtime  REAL,
        run_json        TEXT,                   -- the object as written (unknown keys kept)
        run_json_error  TEXT,
        grp             TEXT,
        seed            REAL,
        lr              REAL,
        labels          TEXT,
        declared_layers TEXT,                   -- run.json "layers" (JSON list) or NULL
        layers          TEXT NOT NULL DEFAULT '[]',  -- derived at each write of the run: the run's layer order
        steps           TEXT NOT NULL DEFAULT '[]',  -- derived likewise: checkpoint steps in training order
        problems        TEXT NOT NULL DEFAULT '[]'   -- derived likewise: [{rel, error}] (a step twice, a layer twice)
      );

      CREATE TABLE metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step   INTEGER NOT NULL,
        name   TEXT NOT NULL,
        value  REAL NOT NULL,
        PRIMARY KEY (run_id, step, name)
      ) WITHOUT ROWID;

      CREATE TABLE checkpoints (
        id     INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        dir    TEXT NOT NULL,                   -- step-<digits> or final
        step   INTEGER,                         -- NULL for final
        UNIQUE (run_id, dir)
      );

      -- Every array file: activations and weights inside checkpoints, probe labels at the root.
      CREATE TABLE files (
        id            INTEGER PRIMARY KEY,
        rel_path      TEXT NOT NULL UNIQUE,
        checkpoint_id INTEGER REFERENCES checkpoints(id) ON DELETE CASCADE,
        kind          TEXT NOT NULL CHECK (kind IN ('activations', 'weights', 'probe_labels')),
        format        TEXT,                     -- npy | npz | safetensors | hdf5; NULL when unreadable
        size          INTEGER NOT NULL,         -- stat when the headers were read: the change test
        mtime_ms      REAL NOT NULL,
        content_hash  TEXT,                     -- sha256 of the bytes at (size, mtime_ms); filled on demand
        error         TEXT                      -- why the file could not be indexed; its arrays are then absent
      );
      CREATE INDEX files_checkpoint ON files (checkpoint_id);

      -- Headers of the arrays in each file, in file order. Never the data.
      CREATE TABLE arrays (
        file_id       INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
        position      INTEGER NOT NULL,
        name          TEXT NOT NULL,            -- layer (or parameter) name; a bare .npy's stem
        shape         TEXT NOT NULL,            -- JSON list
        dtype         TEXT NOT NULL,
        byte_order    TEXT NOT NULL,
        storage_order TEXT NOT NULL,            -- C or F
        data_offset   INTEGER,                  -- absolute offset of contiguous raw data, else NULL
        byte_length   INTEGER NOT NULL,
        compressed    INTEGER NOT NULL,
        PRIMARY KEY (file_id, position)
      ) WITHOUT ROWID;

      -- Problems met while walking folders (unreadable folder, symlink loop); rewritten by each scan of a folder.
      CREATE TABLE scan_errors (
        rel_path TEXT PRIMARY KEY,
        error    TEXT NOT NULL
      ) WITHOUT ROWID;

      -- For the compute engine: a decomposition per (file content, parameters). key = hash of both.
      CREATE TABLE basis_cache (
        key          TEXT PRIMARY KEY,
        content_hash TEXT NOT NULL,
        params       TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        used_at      INTEGER NOT NULL,
        bytes        INTEGER NOT NULL,
        blob         BLOB NOT NULL
      );
      CREATE INDEX basis_cache_hash ON basis_cache (content_hash);

      -- For the compute engine: a finished result per (content hashes of its inputs, parameters).
      CREATE TABLE result_cache (
        key        TEXT PRIMARY KEY,
        inputs     TEXT NOT NULL,               -- JSON list of the inputs' content hashes
        params     TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        used_at    INTEGER NOT NULL,
        json       TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'metrics as a JSON column of runs; per-run array count and digest (skip unchanged runs); basis LRU index',
    sql: `
      -- Metrics are always read per run and whole: one JSON list per run (listing 200 runs × 50 steps then reads
      -- 200 values, not 20,000 rows).
      ALTER TABLE runs ADD COLUMN metrics TEXT NOT NULL DEFAULT '[]';
      DROP TABLE metrics;
      -- Derived at each write of a run, like layers and steps: its activation arrays.
      ALTER TABLE runs ADD COLUMN array_count INTEGER NOT NULL DEFAULT 0;
      -- Fingerprint of the run as last written (indexer.runDigest); NULL: compare file by file on the next pass.
      ALTER TABLE runs ADD COLUMN digest TEXT;
      CREATE INDEX basis_cache_used ON basis_cache (used_at);
      -- The new derived columns are filled by writing every run again: forget run.json stamps so the next pass
      -- re-reads each run.json (metrics) and rewrites each run (array_count, digest). Headers are not re-read.
      UPDATE runs SET run_json_size = NULL, run_json_mtime = NULL, digest = NULL;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Bring `db` to SCHEMA_VERSION. Each migration and its version bump commit together (IMMEDIATE: two processes
 * opening a fresh index at once serialize, and the second finds the work done).
 */
export function migrate(db: Database.Database, file: string): void {
  for (const migration of MIGRATIONS) {
    const apply = db.transaction(() => {
      const current = schemaVersion(db);
      if (current >= migration.version) return;
      if (current !== migration.version - 1) throw new Error(`index schema: no path from version ${current} to ${migration.version}`);
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    });
    apply.immediate();
  }
  const version = schemaVersion(db);
  if (version > SCHEMA_VERSION) {
    throw new InputError(file, `index written by a newer SVCCA Studio (schema ${version}, this one knows ${SCHEMA_VERSION}); delete it or pass --db`);
  }
}
