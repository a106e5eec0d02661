/**
 * One index pass: walk the workspace (or some of its folders), compare with what the index holds, read the headers
 * of new and changed files only, and write each run in one transaction.
 *
 * Change test per file: same size and mtime → untouched. Same size, new mtime, and a content hash on record →
 * hash again; same bytes → only the mtime is updated (headers and caches stay). Anything else → headers read again.
 * Runs and files that vanished from disk are deleted. A pass killed at any moment leaves every run either as it was
 * or as it is on disk; the next pass finishes the rest.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type Database from 'better-sqlite3';
import { CancelledError } from '../errors.js';
import { hashFile } from './hash.js';
import { problemOf, readHeaders } from './headers.js';
import { baseRel, isCheckpointDir, isHidden, isWithin, parentRel } from './layout.js';
import { ProgressMeter, type ProgressListener } from './progress.js';
import { parseRunJson } from './runjson.js';
import { walkWorkspace, type DiskFile, type DiskRun, type DiskSnapshot, type FileStamp, type ScanProblem } from './walk.js';
import type { FileUpdate, IndexWriter, RunJsonUpdate, RunUpdate } from './writer.js';

export interface IndexPassOptions {
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
  /**
   * Folders (workspace-relative, '/'-separated) to look at again instead of the whole workspace; what lies outside
   * them is left as indexed. Watch mode passes the folders that changed.
   */
  readonly scopes?: readonly string[];
  /** Files whose headers are read at the same time. */
  readonly concurrency?: number;
}

export interface PassSummary {
  /** Folders looked at ('' = the whole workspace). */
  readonly scopes: string[];
  /** Runs (workspace-relative folders) written because something in them changed. */
  readonly runsWritten: string[];
  readonly runsRemoved: string[];
  readonly filesRead: number;
  readonly filesTouched: number;
  readonly filesRemoved: number;
  readonly workspaceFilesChanged: boolean;
  readonly elapsedMs: number;
}

/** Whether a pass changed anything in the index (what `onChange` listeners and watch mode's output hear about). */
export function hasChanges(summary: PassSummary): boolean {
  return summary.runsWritten.length > 0 || summary.runsRemoved.length > 0 || summary.workspaceFilesChanged;
}

/** Enough reads in flight to keep the file system busy (libuv runs 4 at once by default) without a long queue. */
const DEFAULT_CONCURRENCY = 16;

interface StoredRun {
  id: number;
  rel: string;
  preferred: string;
  size: number | null;
  mtime: number | null;
  digest: string | null;
}
interface StoredFile {
  rel: string;
  size: number;
  mtime: number;
  hash: string | null;
}

type Task = { plan: RunPlan | null; file: DiskFile; checkpointDir: string | null; storedHash: string | null };

interface RunPlan {
  readonly update: Omit<RunUpdate, 'files'>;
  readonly files: FileUpdate[];
  pending: number;
}

export async function indexPass(
  db: Database.Database,
  writer: IndexWriter,
  root: string,
  options: IndexPassOptions = {},
): Promise<PassSummary> {
  const started = performance.now();
  const scopes = normalizeScopes(options.scopes ?? ['']);
  const signal = options.signal;
  const scanMeter = new ProgressMeter('scan', options.onProgress);

  const snapshots: DiskSnapshot[] = [];
  let listedBefore = 0;
  for (const scope of scopes) {
    const snapshot = await walkWorkspace(root, scope, {
      signal,
      onFolders: (listed, known) => scanMeter.update(listedBefore + listed, listedBefore + known),
    });
    listedBefore += snapshot.folders;
    snapshots.push(snapshot);
  }

  const stored = new StoredState(db, scopes);
  const plans: RunPlan[] = [];
  const tasks: Task[] = [];
  const runsRemoved: string[] = [];
  let filesRemoved = 0;
  const onDisk = new Set<string>();
  for (const snapshot of snapshots) {
    for (const run of snapshot.runs) {
      onDisk.add(run.rel);
      const prior = stored.runs.get(run.rel);
      const digest = runDigest(run);
      // The run's files are exactly as when it was last written: nothing to compare file by file.
      if (prior?.digest === digest) continue;
      const plan = planRun(root, run, prior, stored, digest, tasks);
      if (plan) {
        plans.push(plan);
        filesRemoved += plan.update.removedFiles.length;
      } else writer.setDigest(run.rel, digest);
    }
  }
  for (const run of stored.runs.values()) if (!onDisk.has(run.rel)) runsRemoved.push(run.rel);

  // Workspace files (probe labels) are looked at only when the whole workspace is.
  const workspaceUpdates: Array<Extract<FileUpdate, { type: 'read' }>> = [];
  const removedWorkspaceFiles: string[] = [];
  const workspaceTasks: Task[] = [];
  if (scopes.includes('')) {
    const probe = snapshots[0]!.probeLabels;
    for (const file of stored.workspaceFiles.values()) if (file.rel !== probe?.rel) removedWorkspaceFiles.push(file.rel);
    if (probe && isChanged(stored.workspaceFiles.get(probe.rel), probe)) workspaceTasks.push({ plan: null, file: probe, checkpointDir: null, storedHash: null });
  }

  writer.deleteRuns(runsRemoved);
  // Runs with nothing to read (new metadata, removed checkpoints) are written at once.
  for (const plan of plans) if (plan.pending === 0) writer.writeRun({ ...plan.update, files: plan.files });

  const allTasks = [...tasks, ...workspaceTasks];
  const readMeter = new ProgressMeter('read', options.onProgress);
  let done = 0;
  let filesTouched = 0;
  let next = 0;
  let failure: unknown = null;
  readMeter.update(0, allTasks.length);
  // Workers never throw: the first failure (or a cancel) stops them all, and the pass ends only when every one has
  // stopped, so no write can happen after the caller has seen the pass end.
  const worker = async (): Promise<void> => {
    while (next < allTasks.length && failure === null && !signal?.aborted) {
      const task = allTasks[next++]!;
      try {
        const update = await performTask(root, task);
        if (update.type === 'touched') filesTouched++;
        done++;
        readMeter.update(done, allTasks.length);
        if (task.plan === null) {
          if (update.type === 'read') workspaceUpdates.push(update);
        } else {
          task.plan.files.push(update);
          if (--task.plan.pending === 0 && !signal?.aborted) writer.writeRun({ ...task.plan.update, files: task.plan.files });
        }
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY) }, worker));
  if (failure !== null) throw failure;
  if (signal?.aborted) throw new CancelledError('indexing');

  const problems: ScanProblem[] = snapshots.flatMap((s) => s.problems);
  writer.finishPass({ root, scopes, problems, workspaceFiles: workspaceUpdates, removedWorkspaceFiles });

  return {
    scopes,
    runsWritten: plans.map((p) => p.update.rel),
    runsRemoved,
    filesRead: allTasks.length - filesTouched,
    filesTouched,
    filesRemoved,
    workspaceFilesChanged: workspaceUpdates.length > 0 || removedWorkspaceFiles.length > 0,
    elapsedMs: performance.now() - started,
  };
}

/**
 * The folders a pass looks at: a path inside a checkpoint folder (or a hidden one) widens to the folder holding
 * it, because only from there can the walk tell what is a run; folders inside another listed folder are dropped.
 */
export function normalizeScopes(scopes: readonly string[]): string[] {
  const cut = scopes.map((scope) => {
    const kept: string[] = [];
    for (const segment of scope.split(/[\\/]+/)) {
      if (segment === '' || segment === '.') continue;
      if (segment === '..' || isCheckpointDir(segment) || isHidden(segment)) break;
      kept.push(segment);
    }
    return kept.join('/');
  });
  const unique = [...new Set(cut)].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const scope of unique) if (!kept.some((outer) => isWithin(scope, outer))) kept.push(scope);
  return kept.sort();
}

/**
 * What the index holds under the scopes: the runs, read once at the start of a pass, and a run's checkpoints and
 * files, read only for runs whose digest says something changed (an unchanged pass over 100,000 files then reads
 * 200 run rows, not 100,000 file rows).
 */
class StoredState {
  readonly runs = new Map<string, StoredRun>();
  readonly workspaceFiles = new Map<string, StoredFile>();
  private readonly checkpointsStmt;
  private readonly filesStmt;

  constructor(db: Database.Database, scopes: readonly string[]) {
    const runsStmt = db.prepare<{ scope: string; lo: string; hi: string }, StoredRun>(
      `SELECT id, rel_path AS rel, preferred_name AS preferred, run_json_size AS size, run_json_mtime AS mtime, digest
       FROM runs WHERE @scope = '' OR rel_path = @scope OR (rel_path >= @lo AND rel_path < @hi)`,
    );
    const workspaceFilesStmt = db.prepare<[], StoredFile>(
      'SELECT rel_path AS rel, size, mtime_ms AS mtime, content_hash AS hash FROM files WHERE checkpoint_id IS NULL',
    );
    this.checkpointsStmt = db.prepare<[number], { id: number; dir: string }>('SELECT id, dir FROM checkpoints WHERE run_id = ?');
    this.filesStmt = db.prepare<[number], StoredFile>(
      `SELECT f.rel_path AS rel, f.size, f.mtime_ms AS mtime, f.content_hash AS hash
       FROM checkpoints c JOIN files f ON f.checkpoint_id = c.id WHERE c.run_id = ?`,
    );
    // One consistent view even while another process writes.
    db.transaction(() => {
      for (const scope of scopes) {
        for (const run of runsStmt.all({ scope, lo: `${scope}/`, hi: `${scope}0` })) this.runs.set(run.rel, run);
      }
      if (scopes.includes('')) for (const f of workspaceFilesStmt.all()) this.workspaceFiles.set(f.rel, f);
    })();
  }

  /** A stored run's checkpoints (folder → id) and files (path → row). */
  contents(runId: number): { checkpoints: Map<string, number>; files: Map<string, StoredFile> } {
    const checkpoints = new Map(this.checkpointsStmt.all(runId).map((c) => [c.dir, c.id] as const));
    const files = new Map(this.filesStmt.all(runId).map((f) => [f.rel, f] as const));
    return { checkpoints, files };
  }
}

/**
 * A fingerprint of what the walk saw of a run: run.json's stamp, the checkpoint folders, and every array file's
 * path, size and mtime. Equal to the stored one → the run is exactly as indexed.
 */
export function runDigest(run: DiskRun): string {
  const parts: string[] = [run.runJson ? `${run.runJson.size}:${run.runJson.mtimeMs}` : '-'];
  for (const checkpoint of run.checkpoints) {
    parts.push(checkpoint.dir);
    for (const f of checkpoint.files) parts.push(`${f.rel}\t${f.size}\t${f.mtimeMs}`);
  }
  return createHash('sha1').update(parts.join('\n')).digest('hex');
}

/** What to do for one run on disk; null when nothing in it changed. New tasks are appended to `tasks`. */
function planRun(root: string, run: DiskRun, prior: StoredRun | undefined, stored: StoredState, digest: string, tasks: Task[]): RunPlan | null {
  const runJsonChanged = !prior || !sameStamp(run.runJson, prior.size === null ? null : { size: prior.size, mtimeMs: prior.mtime! });
  const runJson = runJsonChanged ? readRunJson(root, run) : null;
  const folderName = run.rel === '' ? basename(root) : baseRel(run.rel);
  const preferredName = runJson ? (runJson.meta?.name ?? folderName) : prior!.preferred;

  const { checkpoints: priorCheckpoints, files: priorFiles } = prior
    ? stored.contents(prior.id)
    : { checkpoints: new Map<string, number>(), files: new Map<string, StoredFile>() };
  const diskDirs = new Set(run.checkpoints.map((c) => c.dir));
  const removedCheckpoints = [...priorCheckpoints.keys()].filter((dir) => !diskDirs.has(dir));
  const newCheckpoints = run.checkpoints.some((c) => !priorCheckpoints.has(c.dir));

  const runTasks: Task[] = [];
  const seen = new Set<string>();
  for (const checkpoint of run.checkpoints) {
    for (const file of checkpoint.files) {
      seen.add(file.rel);
      const before = priorFiles.get(file.rel);
      if (!isChanged(before, file)) continue;
      const storedHash = before && before.size === file.size ? before.hash : null;
      runTasks.push({ plan: null, file, checkpointDir: checkpoint.dir, storedHash });
    }
  }
  // Files of removed checkpoints go with them (cascade); files gone from a checkpoint still there are removed.
  const removedFiles = [...priorFiles.values()]
    .filter((f) => !seen.has(f.rel) && diskDirs.has(checkpointDirOf(f.rel)))
    .map((f) => f.rel);

  // A run stored without a digest (an unsettled file, an index from before digests) is written again whole, so its
  // derived columns are recomputed.
  const settled = prior !== undefined && prior.digest !== null;
  const changed = runJsonChanged || removedCheckpoints.length > 0 || newCheckpoints || runTasks.length > 0 || removedFiles.length > 0;
  if (settled && !changed) return null;
  const plan: RunPlan = {
    update: {
      rel: run.rel,
      preferredName,
      runJson,
      checkpoints: run.checkpoints.map(({ dir, step }) => ({ dir, step })),
      removedCheckpoints,
      removedFiles,
      digest,
    },
    files: [],
    pending: runTasks.length,
  };
  for (const task of runTasks) tasks.push({ ...task, plan });
  return plan;
}

function readRunJson(root: string, run: DiskRun): RunJsonUpdate {
  if (!run.runJson) return { stamp: null, meta: null, error: null };
  const path = join(root, run.rel, 'run.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { stamp: run.runJson, meta: null, error: problemOf(err, path) };
  }
  const meta = parseRunJson(text);
  return { stamp: run.runJson, meta, error: meta.problems.length > 0 ? meta.problems.join('; ') : null };
}

async function performTask(root: string, task: Task): Promise<FileUpdate> {
  const { file } = task;
  const path = join(root, file.rel);
  let contentHash: string | null = null;
  if (task.storedHash !== null) {
    contentHash = await hashFile(path).catch(() => null);
    if (contentHash === task.storedHash) return { type: 'touched', rel: file.rel, stamp: file, contentHash };
  }
  const headers = await readHeaders(path, file);
  return {
    type: 'read',
    rel: file.rel,
    checkpointDir: task.checkpointDir,
    kind: file.kind,
    stamp: { size: file.size, mtimeMs: file.mtimeMs },
    format: headers.ok ? headers.format : null,
    arrays: headers.ok ? headers.arrays : [],
    error: headers.ok ? null : headers.error,
    contentHash: headers.ok ? contentHash : null,
  };
}

/** `run/step-000100/fc.npy` → `step-000100`. */
function checkpointDirOf(rel: string): string {
  return baseRel(parentRel(rel));
}

function isChanged(before: StoredFile | undefined, now: FileStamp): boolean {
  return !before || before.size !== now.size || before.mtime !== now.mtimeMs;
}

function sameStamp(a: FileStamp | null, b: FileStamp | null): boolean {
  if (a === null || b === null) return a === b;
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}
