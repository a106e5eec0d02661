/**
 * Opening the index database with the settings every process must share: WAL (readers never block the writer,
 * a killed writer loses only its open transaction), a busy timeout (two indexers take turns instead of failing),
 * foreign keys (deleting a run removes its checkpoints, files and arrays in the same transaction).
 */
import Database from 'better-sqlite3';
import { InputError } from '../errors.js';
import { migrate } from './schema.js';

/** How long a statement waits for another process's write transaction before giving up. */
export const BUSY_TIMEOUT_MS = 30_000;

export function openDatabase(dbPath: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(dbPath, { timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw new InputError(dbPath, `cannot open the index (${err instanceof Error ? err.message : String(err)})`);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const mode = switchToWal(db);
    if (mode !== 'wal') throw new InputError(dbPath, `the index needs WAL journaling, the file system gave '${String(mode)}'`);
    // NORMAL in WAL mode: a commit survives a killed process; a power cut may lose the last commits, never consistency.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, dbPath);
  } catch (err) {
    db.close();
    if (err instanceof InputError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new InputError(dbPath, 'is not an SVCCA Studio index (or is damaged); delete it to rebuild');
    }
    throw err;
  }
  return db;
}

/**
 * Switching to WAL needs a moment of exclusive access, and SQLite answers SQLITE_BUSY at once (without calling the
 * busy handler) while a second process is opening or migrating the same new file: retry until the busy timeout.
 */
function switchToWal(db: Database.Database): unknown {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      return db.pragma('journal_mode = WAL', { simple: true });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if ((code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') || Date.now() > deadline) throw err;
      Atomics.wait(pause, 0, 0, 25 + Math.random() * 25);
    }
  }
}
