/**
 * Every read of the index: runs with their metadata and metrics, checkpoints, the arrays of a checkpoint, counts and
 * errors. Paths come back absolute (the index stores them relative to the workspace, so it survives a move).
 */
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { IndexError, MetricPoint, RunInfo } from '../domain/index.js';
import type { ArrayInfo, DType, FormatName } from '../formats/types.js';
import { compareCheckpoints, compareNatural, type FileKind } from './layout.js';
import type { RunProblem } from './writer.js';

export interface IndexCounts {
  readonly runs: number;
  readonly checkpoints: number;
  /** Activation (layer) arrays; parameters in weights.* files and probe labels are not counted. */
  readonly arrays: number;
}

export interface CheckpointInfo {
  /** Folder name: step-<digits> or final. */
  readonly dir: string;
  readonly step: number | 'final';
  /** Absolute path of the folder. */
  readonly path: string;
  /** Activation arrays indexed in it. */
  readonly arrays: number;
}

/** One array as the index knows it: what its header says (ArrayInfo, shape as a fresh array), and where it is. */
export interface IndexedArray extends Omit<ArrayInfo, 'shape'> {
  readonly shape: number[];
  /** `file` for a bare .npy, `file:name` inside a container: what `compare` and the formats module take. */
  readonly spec: string;
  /** Absolute path of the file. */
  readonly path: string;
  /** Name inside the container; null for a bare .npy. */
  readonly array: string | null;
  readonly format: FormatName;
  /** Size and mtime of the file when indexed. */
  readonly fileSize: number;
  readonly fileMtimeMs: number;
}

export interface FoundRun {
  readonly id: number;
  /** Folder relative to the workspace ('' for a run at the root). */
  readonly rel: string;
  readonly info: RunInfo;
}

interface RunRow {
  id: number;
  rel: string;
  name: string;
  run_json: string | null;
  grp: string | null;
  seed: number | null;
  lr: number | null;
  labels: string | null;
  layers: string;
  steps: string;
  metrics: string;
}

interface ArrayRow {
  name: string;
  rel: string;
  format: FormatName;
  shape: string;
  dtype: DType;
  byte_order: 'little' | 'big';
  storage_order: 'C' | 'F';
  data_offset: number | null;
  byte_length: number;
  compressed: number;
  size: number;
  mtime_ms: number;
  position: number;
}

export class IndexReader {
  private readonly s;

  constructor(
    db: Database.Database,
    private readonly root: string,
  ) {
    const runColumns = 'id, rel_path AS rel, name, run_json, grp, seed, lr, labels, layers, steps, metrics';
    const arrayColumns = `a.name, f.rel_path AS rel, f.format, a.shape, a.dtype, a.byte_order, a.storage_order, a.data_offset,
      a.byte_length, a.compressed, f.size, f.mtime_ms, a.position`;
    this.s = {
      runs: db.prepare<[], RunRow>(`SELECT ${runColumns} FROM runs WHERE name IS NOT NULL`),
      runByName: db.prepare<[string], RunRow>(`SELECT ${runColumns} FROM runs WHERE name = ?`),
      runByRel: db.prepare<[string], RunRow>(`SELECT ${runColumns} FROM runs WHERE rel_path = ? AND name IS NOT NULL`),
      checkpoints: db.prepare<[number], { id: number; dir: string; step: number | null; arrays: number }>(
        `SELECT c.id, c.dir, c.step,
           (SELECT count(*) FROM files f JOIN arrays a ON a.file_id = f.id WHERE f.checkpoint_id = c.id AND f.kind = 'activations') AS arrays
         FROM checkpoints c WHERE c.run_id = ?`,
      ),
      checkpointArrays: db.prepare<[number, FileKind], ArrayRow>(
        `SELECT ${arrayColumns} FROM files f JOIN arrays a ON a.file_id = f.id WHERE f.checkpoint_id = ? AND f.kind = ?`,
      ),
      checkpointFileErrors: db.prepare<[number], { rel: string; error: string }>(
        'SELECT rel_path AS rel, error FROM files WHERE checkpoint_id = ? AND error IS NOT NULL ORDER BY rel_path',
      ),
      workspaceFile: db.prepare<[string], { rel: string; error: string | null }>(
        'SELECT rel_path AS rel, error FROM files WHERE checkpoint_id IS NULL AND kind = ?',
      ),
      countRuns: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM runs'),
      countCheckpoints: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM checkpoints'),
      countArrays: db.prepare<[], { n: number }>('SELECT coalesce(sum(array_count), 0) AS n FROM runs'),
      errors: db.prepare<[], { rel: string; error: string }>(
        `SELECT rel_path AS rel, error FROM files WHERE error IS NOT NULL
         UNION ALL SELECT CASE rel_path WHEN '' THEN 'run.json' ELSE rel_path || '/run.json' END, run_json_error FROM runs
           WHERE run_json_error IS NOT NULL
         UNION ALL SELECT rel_path, error FROM scan_errors`,
      ),
      runProblems: db.prepare<[], { problems: string }>("SELECT problems FROM runs WHERE problems <> '[]'"),
      workspaceValue: db.prepare<[string], { value: string }>('SELECT value FROM workspace WHERE key = ?'),
    };
  }

  counts(): IndexCounts {
    return {
      runs: this.s.countRuns.get()!.n,
      checkpoints: this.s.countCheckpoints.get()!.n,
      arrays: this.s.countArrays.get()!.n,
    };
  }

  /** Every file, run.json or folder that could not be indexed, with the reason; sorted by path. */
  errors(): IndexError[] {
    const rows: Array<{ rel: string; error: string }> = this.s.errors.all();
    for (const { problems } of this.s.runProblems.all()) rows.push(...(JSON.parse(problems) as RunProblem[]));
    return rows.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0)).map((r) => ({ path: this.abs(r.rel), error: r.error }));
  }

  /** Every run, by name (natural order), with metadata and metrics. */
  listRuns(): RunInfo[] {
    return this.s.runs
      .all()
      .sort((a, b) => compareNatural(a.name, b.name))
      .map(toRunInfo);
  }

  /** A run by name (or, failing that, by its folder relative to the workspace). */
  findRun(nameOrPath: string): FoundRun | undefined {
    const row = this.s.runByName.get(nameOrPath) ?? this.s.runByRel.get(nameOrPath.replace(/\\/g, '/').replace(/\/+$/, ''));
    if (!row) return undefined;
    return { id: row.id, rel: row.rel, info: toRunInfo(row) };
  }

  /** A run's checkpoints in training order, with their database ids. */
  checkpoints(runId: number, runRel: string): Array<CheckpointInfo & { id: number }> {
    return this.s.checkpoints
      .all(runId)
      .sort(compareCheckpoints)
      .map((c) => ({ id: c.id, dir: c.dir, step: c.step ?? 'final', path: this.abs(runRel === '' ? c.dir : `${runRel}/${c.dir}`), arrays: c.arrays }));
  }

  /** Arrays of one kind in a checkpoint, in file order (files by natural name, arrays as stored). */
  checkpointArrays(checkpointId: number, kind: FileKind): IndexedArray[] {
    return this.s
      .checkpointArrays.all(checkpointId, kind)
      .sort((a, b) => compareNatural(a.rel, b.rel) || a.position - b.position)
      .map((row) => this.toArray(row));
  }

  checkpointFileErrors(checkpointId: number): IndexError[] {
    return this.s.checkpointFileErrors.all(checkpointId).map((r) => ({ path: this.abs(r.rel), error: r.error }));
  }

  /** Absolute path of a workspace file of this kind (probe labels) when indexed without error; else null. */
  workspaceFile(kind: FileKind): string | null {
    const row = this.s.workspaceFile.get(kind);
    return row && row.error === null ? this.abs(row.rel) : null;
  }

  workspaceValue(key: string): string | undefined {
    return this.s.workspaceValue.get(key)?.value;
  }

  abs(rel: string): string {
    return rel === '' ? this.root : join(this.root, ...rel.split('/'));
  }

  private toArray(row: ArrayRow): IndexedArray {
    const path = this.abs(row.rel);
    // A bare .npy holds one array, named by the file; every container names its arrays.
    const array = row.format === 'npy' ? null : row.name;
    return {
      name: row.name,
      spec: array === null ? path : `${path}:${array}`,
      path,
      array,
      format: row.format,
      shape: JSON.parse(row.shape) as number[],
      dtype: row.dtype,
      byteOrder: row.byte_order,
      order: row.storage_order,
      dataOffset: row.data_offset,
      byteLength: row.byte_length,
      compressed: row.compressed === 1,
      fileSize: row.size,
      fileMtimeMs: row.mtime_ms,
    };
  }
}

function toRunInfo(row: RunRow): RunInfo {
  return {
    name: row.name,
    path: row.rel === '' ? '.' : row.rel,
    ...(row.grp !== null && { group: row.grp }),
    ...(row.seed !== null && { seed: row.seed }),
    ...(row.lr !== null && { lr: row.lr }),
    ...(row.labels !== null && { labels: row.labels }),
    layers: JSON.parse(row.layers) as string[],
    steps: JSON.parse(row.steps) as Array<number | 'final'>,
    metrics: JSON.parse(row.metrics) as MetricPoint[],
    meta: row.run_json === null ? {} : (JSON.parse(row.run_json) as Record<string, unknown>),
  };
}
