/**
 * The workspace index as other parts of SVCCA Studio use it: open a workspace, bring the index up to date, ask it
 * for runs, checkpoints and arrays, resolve a (run, step, layer) to a file, and hear when it changes.
 */
import { stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type Database from 'better-sqlite3';
import type { IndexChangedEvent, IndexError, IndexReport, RunInfo, StepRef, Unsubscribe } from '../domain/index.js';
import { InputError } from '../errors.js';
import { IndexCaches } from './caches.js';
import { openDatabase } from './database.js';
import { hashFile } from './hash.js';
import { hasChanges, indexPass, type IndexPassOptions, type PassSummary } from './indexer.js';
import { locateIndex } from './location.js';
import { IndexReader, type CheckpointInfo, type FoundRun, type IndexCounts, type IndexedArray } from './queries.js';
import { IndexWriter } from './writer.js';

export type { CheckpointInfo, IndexCounts, IndexedArray } from './queries.js';
export { hasChanges, type IndexPassOptions, type PassSummary } from './indexer.js';

export interface OpenOptions {
  /** Index file; default `<workspace>/.svcca-studio/index.sqlite` (a per-user cache file for a read-only workspace). */
  readonly db?: string;
}

/** What one `index()` call found: the totals of the contract's `index --json` plus what this pass changed. */
export interface IndexResult extends IndexReport {
  readonly changes: PassSummary;
}

export interface IndexChange extends IndexChangedEvent {
  readonly changes: PassSummary;
}

export class WorkspaceIndex {
  /** Absolute real path of the workspace. */
  readonly root: string;
  readonly dbPath: string;
  /** Why the index is not at its default place (read-only workspace), if it is not. */
  readonly note: string | undefined;
  /** Basis and result caches of the compute engine, in the same database. */
  readonly caches: IndexCaches;

  private readonly db: Database.Database;
  private readonly writer: IndexWriter;
  private readonly reader: IndexReader;
  private readonly listeners = new Set<(change: IndexChange) => void>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(root: string, dbPath: string, note: string | undefined, db: Database.Database) {
    this.root = root;
    this.dbPath = dbPath;
    this.note = note;
    this.db = db;
    this.writer = new IndexWriter(db);
    this.reader = new IndexReader(db, root);
    this.caches = new IndexCaches(db);
  }

  /** Opens (creating or migrating as needed) the index of `workspace`. Does not scan: call `index()`. */
  static open(workspace: string, options: OpenOptions = {}): WorkspaceIndex {
    const location = locateIndex(workspace, options.db);
    return new WorkspaceIndex(location.workspace, location.dbPath, location.note, openDatabase(location.dbPath));
  }

  close(): void {
    this.listeners.clear();
    if (this.db.open) this.db.close();
  }

  /**
   * Brings the index up to date with the disk (only what changed is read) and returns the totals. Calls on one
   * WorkspaceIndex run one after another; other processes may index the same workspace at the same time.
   */
  index(options: IndexPassOptions = {}): Promise<IndexResult> {
    const run = async (): Promise<IndexResult> => {
      const changes = await indexPass(this.db, this.writer, this.root, options);
      const result: IndexResult = { ...this.report(), changes };
      if (hasChanges(changes)) {
        const { changes: _omit, ...report } = result;
        for (const listener of [...this.listeners]) listener({ root: this.root, report, changes });
      }
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Called after every index pass that changed something (watch mode's passes included). */
  onChange(listener: (change: IndexChange) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The totals and errors of the index as it stands (no scan). */
  report(): IndexReport {
    return { ...this.reader.counts(), errors: this.reader.errors() };
  }

  counts(): IndexCounts {
    return this.reader.counts();
  }

  errors(): IndexError[] {
    return this.reader.errors();
  }

  listRuns(): RunInfo[] {
    return this.reader.listRuns();
  }

  /** A run by name, or by its folder relative to the workspace; undefined when there is none. */
  getRun(name: string): RunInfo | undefined {
    return this.reader.findRun(name)?.info;
  }

  /** A run's checkpoints in training order (`final` last). */
  checkpoints(run: string): CheckpointInfo[] {
    const found = this.requireRun(run);
    return this.reader.checkpoints(found.id, found.rel).map(({ id: _id, ...c }) => c);
  }

  /** The layer arrays of one checkpoint, in the run's layer order. */
  layers(run: string, step: StepRef): IndexedArray[] {
    const found = this.requireRun(run);
    const checkpoint = this.requireCheckpoint(found, step);
    const arrays = firstPerName(this.reader.checkpointArrays(checkpoint.id, 'activations'));
    const order = new Map(found.info.layers.map((layer, i) => [layer, i]));
    return arrays.sort((a, b) => (order.get(a.name) ?? Infinity) - (order.get(b.name) ?? Infinity));
  }

  /**
   * Where one layer of one checkpoint is: `spec` is `file` or `file:array`, ready for `compare` and the formats
   * module. `final` and `last` both mean the end of training: the `final` folder, else the highest step.
   */
  resolveLayer(run: string, step: StepRef, layer: string): IndexedArray {
    const found = this.requireRun(run);
    const checkpoint = this.requireCheckpoint(found, step);
    const match = this.reader.checkpointArrays(checkpoint.id, 'activations').find((a) => a.name === layer);
    if (match) return match;
    const present = found.info.layers.join(', ') || 'none';
    const bad = this.reader.checkpointFileErrors(checkpoint.id);
    const hint = bad.length > 0 ? `; unreadable here: ${bad.map((e) => `${relative(checkpoint.path, e.path)} (${e.error})`).join(', ')}` : '';
    throw new InputError(checkpoint.path, `no layer "${layer}" in this checkpoint (layers: ${present})${hint}`);
  }

  /** The parameters saved with a checkpoint (weights.* files): `<layer>.weight`, `<layer>.bias`, … */
  weights(run: string, step: StepRef): IndexedArray[] {
    const found = this.requireRun(run);
    return this.reader.checkpointArrays(this.requireCheckpoint(found, step).id, 'weights');
  }

  /** The workspace's probe_labels.npy, when there is a readable one. */
  probeLabels(): string | null {
    return this.reader.workspaceFile('probe_labels');
  }

  /**
   * SHA-256 of a file's bytes. Remembered in the index for files it holds (until their size or mtime change), so the
   * caches can key on content without reading a file twice.
   */
  async contentHash(path: string): Promise<string> {
    const rel = relative(this.root, path).split(sep).join('/');
    const row = this.db.prepare<[string], { size: number; mtime_ms: number; content_hash: string | null }>(
      'SELECT size, mtime_ms, content_hash FROM files WHERE rel_path = ?',
    ).get(rel);
    const before = await stat(path).catch(() => {
      throw new InputError(path, 'no such file');
    });
    const current = row !== undefined && row.size === before.size && row.mtime_ms === before.mtimeMs;
    if (current && row.content_hash) return row.content_hash;
    const hash = await hashFile(path);
    const after = await stat(path).catch(() => null);
    if (current && after && after.size === before.size && after.mtimeMs === before.mtimeMs) {
      this.db
        .prepare<[string, string, number, number]>('UPDATE files SET content_hash = ? WHERE rel_path = ? AND size = ? AND mtime_ms = ?')
        .run(hash, rel, before.size, before.mtimeMs);
    }
    return hash;
  }

  private requireRun(run: string): FoundRun {
    const found = this.reader.findRun(run);
    if (found) return found;
    const names = this.reader.listRuns().map((r) => r.name);
    const shown = names.length > 8 ? `${names.slice(0, 8).join(', ')}, … (${names.length} runs)` : names.join(', ') || 'none indexed';
    throw new InputError(this.root, `no run named "${run}" (runs: ${shown})`);
  }

  private requireCheckpoint(run: FoundRun, step: StepRef): CheckpointInfo & { id: number } {
    const checkpoints = this.reader.checkpoints(run.id, run.rel);
    const found = step === 'final' || step === 'last' ? checkpoints[checkpoints.length - 1] : checkpoints.find((c) => c.step === step);
    if (found) return found;
    const runPath = this.reader.abs(run.rel);
    if (checkpoints.length === 0) throw new InputError(runPath, 'this run has no checkpoint folders (step-<digits> or final)');
    throw new InputError(runPath, `no checkpoint for step ${step} (steps: ${checkpoints.map((c) => c.step).join(', ')})`);
  }
}

/** When one layer is in two files of a checkpoint, the first in file order is used (and reported as a problem). */
function firstPerName(arrays: IndexedArray[]): IndexedArray[] {
  const seen = new Set<string>();
  return arrays.filter((a) => !seen.has(a.name) && seen.add(a.name));
}

/** Opens the workspace's index, brings it up to date, closes it: the one-call form of `WorkspaceIndex`. */
export async function indexWorkspace(workspace: string, options: OpenOptions & IndexPassOptions = {}): Promise<IndexResult> {
  const index = WorkspaceIndex.open(workspace, options);
  try {
    return await index.index(options);
  } finally {
    index.close();
  }
}
