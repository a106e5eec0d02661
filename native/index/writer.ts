/**
 * Every write to the index, as prepared statements grouped into transactions. Each method is one transaction
 * (BEGIN IMMEDIATE, so a second indexing process waits its turn instead of failing mid-way) and is idempotent: it
 * writes what is on disk whatever the index held, so two processes indexing the same workspace both end right.
 */
import type Database from 'better-sqlite3';
import type { ArrayInfo, FormatName } from '../formats/types.js';
import { compareCheckpoints, compareNatural, type FileKind } from './layout.js';
import { settleNames } from './names.js';
import type { RunMeta } from './runjson.js';
import { CHANGED_WHILE_READ } from './headers.js';
import type { FileStamp, ScanProblem } from './walk.js';

/** run.json as read for one run: its stamp (null: no run.json) and what it says. */
export interface RunJsonUpdate {
  readonly stamp: FileStamp | null;
  readonly meta: RunMeta | null;
  /** Why run.json could not be used (unreadable, bad JSON, wrong types); null when it is fine or absent. */
  readonly error: string | null;
}

export type FileUpdate =
  | {
      readonly type: 'read';
      readonly rel: string;
      readonly checkpointDir: string | null;
      readonly kind: FileKind;
      readonly stamp: FileStamp;
      readonly format: FormatName | null;
      readonly arrays: readonly ArrayInfo[];
      readonly error: string | null;
      /** Known when it was just computed (an mtime-only change whose bytes did change). */
      readonly contentHash: string | null;
    }
  /** Same bytes, new mtime: keep the headers (and every cache keyed by the content hash). */
  | { readonly type: 'touched'; readonly rel: string; readonly stamp: FileStamp; readonly contentHash: string };

export interface RunUpdate {
  readonly rel: string;
  /** run.json "name" or the folder's name. */
  readonly preferredName: string;
  /** Set when run.json is new, changed or gone; null leaves the stored metadata as it is. */
  readonly runJson: RunJsonUpdate | null;
  /** Every checkpoint folder on disk, in training order. */
  readonly checkpoints: ReadonlyArray<{ readonly dir: string; readonly step: number | null }>;
  readonly removedCheckpoints: readonly string[];
  readonly removedFiles: readonly string[];
  readonly files: readonly FileUpdate[];
  /** Fingerprint of the run as walked (indexer.runDigest); stored so an unchanged run is skipped next time. */
  readonly digest: string;
}

export interface RunProblem {
  readonly rel: string;
  readonly error: string;
}

export class IndexWriter {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      runId: db.prepare<[string], { id: number }>('SELECT id FROM runs WHERE rel_path = ?'),
      insertRun: db.prepare<[string, string]>('INSERT INTO runs (rel_path, preferred_name) VALUES (?, ?) ON CONFLICT (rel_path) DO NOTHING'),
      updateRunJson: db.prepare(
        `UPDATE runs SET preferred_name = @preferredName, run_json_size = @size, run_json_mtime = @mtime, run_json = @json,
           run_json_error = @error, grp = @group, seed = @seed, lr = @lr, labels = @labels, declared_layers = @layers,
           metrics = @metrics
         WHERE id = @id`,
      ),
      upsertCheckpoint: db.prepare<[number, string, number | null], { id: number }>(
        'INSERT INTO checkpoints (run_id, dir, step) VALUES (?, ?, ?) ON CONFLICT (run_id, dir) DO UPDATE SET step = excluded.step RETURNING id',
      ),
      deleteCheckpoint: db.prepare<[number, string]>('DELETE FROM checkpoints WHERE run_id = ? AND dir = ?'),
      deleteFile: db.prepare<[string]>('DELETE FROM files WHERE rel_path = ?'),
      upsertFile: db.prepare(
        `INSERT INTO files (rel_path, checkpoint_id, kind, format, size, mtime_ms, content_hash, error)
         VALUES (@rel, @checkpointId, @kind, @format, @size, @mtime, @hash, @error)
         ON CONFLICT (rel_path) DO UPDATE SET checkpoint_id = excluded.checkpoint_id, kind = excluded.kind,
           format = excluded.format, size = excluded.size, mtime_ms = excluded.mtime_ms,
           content_hash = excluded.content_hash, error = excluded.error
         RETURNING id`,
      ),
      touchFile: db.prepare<[number, string, number, string]>(
        'UPDATE files SET mtime_ms = ? WHERE rel_path = ? AND size = ? AND content_hash = ?',
      ),
      deleteArrays: db.prepare<[number]>('DELETE FROM arrays WHERE file_id = ?'),
      insertArray: db.prepare(
        `INSERT INTO arrays (file_id, position, name, shape, dtype, byte_order, storage_order, data_offset, byte_length, compressed)
         VALUES (@fileId, @position, @name, @shape, @dtype, @byteOrder, @order, @dataOffset, @byteLength, @compressed)`,
      ),
      runLayerRows: db.prepare<[number], { name: string; dir: string; step: number | null; rel: string; position: number }>(
        `SELECT a.name, c.dir, c.step, f.rel_path AS rel, a.position
         FROM checkpoints c JOIN files f ON f.checkpoint_id = c.id JOIN arrays a ON a.file_id = f.id
         WHERE c.run_id = ? AND f.kind = 'activations'`,
      ),
      runCheckpoints: db.prepare<[number], { dir: string; step: number | null }>('SELECT dir, step FROM checkpoints WHERE run_id = ?'),
      declaredLayers: db.prepare<[number], { declared_layers: string | null }>('SELECT declared_layers FROM runs WHERE id = ?'),
      setDerived: db.prepare<[string, string, string, number, number]>(
        'UPDATE runs SET layers = ?, steps = ?, problems = ?, array_count = ? WHERE id = ?',
      ),
      setDigest: db.prepare<[string | null, number]>('UPDATE runs SET digest = ? WHERE id = ?'),
      setDigestByRel: db.prepare<[string, string]>('UPDATE runs SET digest = ? WHERE rel_path = ?'),
      deleteRun: db.prepare<[string]>('DELETE FROM runs WHERE rel_path = ?'),
      allRunNames: db.prepare<[], { id: number; rel: string; preferred: string; name: string | null }>(
        'SELECT id, rel_path AS rel, preferred_name AS preferred, name FROM runs',
      ),
      clearName: db.prepare<[number]>('UPDATE runs SET name = NULL WHERE id = ?'),
      setName: db.prepare<[string, number]>('UPDATE runs SET name = ? WHERE id = ?'),
      deleteScanErrorsAll: db.prepare('DELETE FROM scan_errors'),
      deleteScanErrorsIn: db.prepare<[string, string, string]>('DELETE FROM scan_errors WHERE rel_path = ? OR (rel_path >= ? AND rel_path < ?)'),
      insertScanError: db.prepare<[string, string]>('INSERT OR REPLACE INTO scan_errors (rel_path, error) VALUES (?, ?)'),
      setWorkspace: db.prepare<[string, string]>('INSERT OR REPLACE INTO workspace (key, value) VALUES (?, ?)'),
    };
  }

  /** One run, whole: its metadata, checkpoints, files and arrays, then its derived layer order and steps. */
  writeRun(update: RunUpdate): void {
    this.db.transaction(() => this.writeRunNow(update)).immediate();
  }

  private writeRunNow(u: RunUpdate): void {
    const s = this.s;
    s.insertRun.run(u.rel, u.preferredName);
    const runId = s.runId.get(u.rel)!.id;
    if (u.runJson) this.writeRunJson(runId, u.preferredName, u.runJson);
    for (const dir of u.removedCheckpoints) s.deleteCheckpoint.run(runId, dir);
    for (const rel of u.removedFiles) s.deleteFile.run(rel);
    const checkpointIds = new Map<string, number>();
    for (const c of u.checkpoints) checkpointIds.set(c.dir, s.upsertCheckpoint.get(runId, c.dir, c.step)!.id);
    for (const file of u.files) {
      if (file.type === 'touched') s.touchFile.run(file.stamp.mtimeMs, file.rel, file.stamp.size, file.contentHash);
      else this.writeFile(file, file.checkpointDir === null ? null : checkpointIds.get(file.checkpointDir)!);
    }
    this.refreshDerived(runId, u.rel);
    // A file that could not be read as walked (it changed meanwhile) must be looked at again: no digest then.
    const unsettled = u.files.some((f) => f.type === 'read' && f.error !== null && f.error.startsWith(CHANGED_WHILE_READ));
    s.setDigest.run(unsettled ? null : u.digest, runId);
  }

  /** Records that a run was compared file by file and found as indexed (only its fingerprint was new). */
  setDigest(rel: string, digest: string): void {
    this.s.setDigestByRel.run(digest, rel);
  }

  private writeRunJson(runId: number, preferredName: string, r: RunJsonUpdate): void {
    const m = r.meta;
    this.s.updateRunJson.run({
      id: runId,
      preferredName,
      size: r.stamp?.size ?? null,
      mtime: r.stamp?.mtimeMs ?? null,
      json: m ? JSON.stringify(m.meta) : null,
      error: r.error,
      group: m?.group ?? null,
      seed: m?.seed ?? null,
      lr: m?.lr ?? null,
      labels: m?.labels ?? null,
      layers: m?.layers ? JSON.stringify(m.layers) : null,
      metrics: JSON.stringify(m?.metrics ?? []),
    });
  }

  private writeFile(f: Extract<FileUpdate, { type: 'read' }>, checkpointId: number | null): void {
    const { id } = this.s.upsertFile.get({
      rel: f.rel,
      checkpointId,
      kind: f.kind,
      format: f.format,
      size: f.stamp.size,
      mtime: f.stamp.mtimeMs,
      hash: f.contentHash,
      error: f.error,
    }) as { id: number };
    this.s.deleteArrays.run(id);
    f.arrays.forEach((a, position) => {
      this.s.insertArray.run({
        fileId: id,
        position,
        name: a.name,
        shape: JSON.stringify(a.shape),
        dtype: a.dtype,
        byteOrder: a.byteOrder,
        order: a.order,
        dataOffset: a.dataOffset,
        byteLength: a.byteLength,
        compressed: a.compressed ? 1 : 0,
      });
    });
  }

  /**
   * The run's layer order (run.json `layers` first, as far as present on disk, then undeclared layers in file
   * order: checkpoints in training order, files by natural name, arrays as stored), its steps, and its problems
   * (two folders for one step, one layer in two files of a checkpoint). Stored with the run so listing runs reads
   * one row per run.
   */
  private refreshDerived(runId: number, runRel: string): void {
    const rows = this.s.runLayerRows.all(runId);
    rows.sort((a, b) => compareCheckpoints(a, b) || compareNatural(a.rel, b.rel) || a.position - b.position);
    const found: string[] = [];
    const seen = new Set<string>();
    const problems: RunProblem[] = [];
    const perCheckpoint = new Map<string, Map<string, string>>();
    for (const row of rows) {
      if (!seen.has(row.name)) {
        seen.add(row.name);
        found.push(row.name);
      }
      const layers = perCheckpoint.get(row.dir) ?? new Map<string, string>();
      perCheckpoint.set(row.dir, layers);
      const first = layers.get(row.name);
      if (first === undefined) layers.set(row.name, row.rel);
      else if (first !== row.rel) problems.push({ rel: row.rel, error: `layer "${row.name}" is also in ${first}; that one is used` });
    }
    const declaredText = this.s.declaredLayers.get(runId)?.declared_layers;
    const declared: string[] = declaredText ? (JSON.parse(declaredText) as string[]) : [];
    const layers = [...declared.filter((l) => seen.has(l)), ...found.filter((l) => !declared.includes(l))];

    const checkpoints = this.s.runCheckpoints.all(runId).sort(compareCheckpoints);
    const steps = checkpoints.map((c) => c.step ?? 'final');
    for (let i = 1; i < checkpoints.length; i++) {
      const [a, b] = [checkpoints[i - 1]!, checkpoints[i]!];
      if (a.step !== null && a.step === b.step) {
        problems.push({ rel: `${runRel === '' ? '' : `${runRel}/`}${b.dir}`, error: `a second folder for step ${b.step} (besides ${a.dir}); ${a.dir} is used` });
      }
    }
    this.s.setDerived.run(JSON.stringify(layers), JSON.stringify(steps), JSON.stringify(problems), rows.length, runId);
  }

  /** Runs that are gone from disk, with everything under them. */
  deleteRuns(rels: readonly string[]): void {
    if (rels.length === 0) return;
    this.db.transaction(() => {
      for (const rel of rels) this.s.deleteRun.run(rel);
    }).immediate();
  }

  /**
   * The end of a pass: workspace files (probe labels), the folders' scan problems, and run names (settled over
   * every run in the index, so a new run that shares a name renames both).
   */
  finishPass(p: {
    readonly root: string;
    readonly scopes: readonly string[];
    readonly problems: readonly ScanProblem[];
    readonly workspaceFiles: readonly Extract<FileUpdate, { type: 'read' }>[];
    readonly removedWorkspaceFiles: readonly string[];
  }): void {
    this.db.transaction(() => {
      const s = this.s;
      for (const scope of p.scopes) {
        if (scope === '') s.deleteScanErrorsAll.run();
        else s.deleteScanErrorsIn.run(scope, `${scope}/`, `${scope}0`);
      }
      for (const problem of p.problems) s.insertScanError.run(problem.rel, problem.error);
      for (const rel of p.removedWorkspaceFiles) s.deleteFile.run(rel);
      for (const file of p.workspaceFiles) this.writeFile(file, null);
      this.settleRunNames();
      s.setWorkspace.run('root', p.root);
      s.setWorkspace.run(p.scopes.includes('') ? 'complete_pass_at' : 'partial_pass_at', new Date().toISOString());
    }).immediate();
  }

  private settleRunNames(): void {
    const rows = this.s.allRunNames.all();
    const wanted = settleNames(rows);
    const renamed = rows.filter((r) => r.name !== wanted.get(r.rel));
    // Two steps, so that swapping names between runs never trips the uniqueness of `name` half-way.
    for (const r of renamed) this.s.clearName.run(r.id);
    for (const r of renamed) this.s.setName.run(wanted.get(r.rel)!, r.id);
  }
}
