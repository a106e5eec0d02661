/**
 * Discovery: walk a workspace (or one folder of it) and say what is on disk — runs, their checkpoint folders,
 * the array files in those, their size and mtime. Reads folder listings and stats only, never file contents.
 *
 * A run is a folder that holds run.json or checkpoint folders (step-<digits>, final) directly. Runs may sit at any
 * depth and inside other runs; the walk does not descend into checkpoint folders (their files are the checkpoint's)
 * nor into hidden folders. Synchronous fs calls are the fastest on a cold cache of many small folders; the walk
 * yields to the event loop every few folders so progress, cancellation and other work keep going.
 */
import { readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { CancelledError } from '../errors.js';
import {
  checkpointFileKind,
  checkpointStep,
  compareCheckpoints,
  isArrayFile,
  isHidden,
  joinRel,
  PROBE_LABELS,
  RUN_JSON,
  type FileKind,
} from './layout.js';

export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

export interface DiskFile extends FileStamp {
  /** Workspace-relative, '/'-separated. */
  readonly rel: string;
  readonly kind: FileKind;
}

export interface DiskCheckpoint {
  readonly dir: string;
  readonly step: number | null;
  /** Array files, in name order (code units). */
  readonly files: DiskFile[];
}

export interface DiskRun {
  readonly rel: string;
  readonly runJson: FileStamp | null;
  /** In training order. */
  readonly checkpoints: DiskCheckpoint[];
}

export interface ScanProblem {
  readonly rel: string;
  readonly error: string;
}

export interface DiskSnapshot {
  /** The folder walked ('' = the whole workspace). */
  readonly scope: string;
  /** Sorted by path. */
  readonly runs: DiskRun[];
  /** The workspace's probe_labels.npy; only looked for when the whole workspace is walked. */
  readonly probeLabels: DiskFile | null;
  readonly problems: ScanProblem[];
  readonly folders: number;
}

export interface WalkOptions {
  readonly signal?: AbortSignal;
  /** Folders listed so far, and folders known (listed + waiting). */
  readonly onFolders?: (listed: number, known: number) => void;
}

/** Folders listed between two yields to the event loop. */
const FOLDERS_PER_SLICE = 64;

export async function walkWorkspace(root: string, scope: string, options: WalkOptions = {}): Promise<DiskSnapshot> {
  const runs: DiskRun[] = [];
  const problems: ScanProblem[] = [];
  let probeLabels: DiskFile | null = null;
  const pending: string[] = [scope];
  let listed = 0;

  while (pending.length > 0) {
    if (listed % FOLDERS_PER_SLICE === 0 && listed > 0) {
      options.onFolders?.(listed, listed + pending.length);
      await new Promise<void>((resolveSlice) => setImmediate(resolveSlice));
    }
    if (options.signal?.aborted) throw new CancelledError('indexing');
    const rel = pending.pop()!;
    const abs = join(root, rel);
    listed++;
    const entries = list(abs, rel, problems, rel === scope);
    if (!entries) continue;

    let runJson: FileStamp | null = null;
    const checkpointDirs: Array<{ dir: string; step: number | null }> = [];
    for (const entry of entries) {
      if (isHidden(entry.name)) continue;
      const childRel = joinRel(rel, entry.name);
      const type = entryType(entry, join(abs, entry.name));
      if (type === 'dir') {
        const step = checkpointStep(entry.name);
        if (step !== undefined) checkpointDirs.push({ dir: entry.name, step });
        else if (!entry.isSymbolicLink() || !isLoop(abs, join(abs, entry.name), childRel, problems)) pending.push(childRel);
      } else if (type === 'file') {
        if (entry.name === RUN_JSON) runJson = stamp(join(abs, entry.name));
        else if (rel === '' && entry.name === PROBE_LABELS) {
          const s = stamp(join(abs, entry.name));
          if (s) probeLabels = { rel: childRel, kind: 'probe_labels', ...s };
        }
      }
    }
    if (runJson === null && checkpointDirs.length === 0) continue;

    const checkpoints: DiskCheckpoint[] = [];
    for (const { dir, step } of checkpointDirs.sort(compareCheckpoints)) {
      const ckptRel = joinRel(rel, dir);
      const files = listCheckpointFiles(join(abs, dir), ckptRel, problems);
      if (files) checkpoints.push({ dir, step, files });
    }
    runs.push({ rel, runJson, checkpoints });
  }
  options.onFolders?.(listed, listed);
  runs.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { scope, runs, probeLabels: scope === '' ? probeLabels : null, problems, folders: listed };
}

/**
 * The array files of a checkpoint folder. Names only, then one stat per array file (which both follows links and
 * says whether it is a regular file): the hot loop of a pass over 100,000 files.
 */
function listCheckpointFiles(abs: string, rel: string, problems: ScanProblem[]): DiskFile[] | null {
  let names: string[];
  try {
    names = readdirSync(abs);
  } catch (err) {
    noteListError(err, rel, problems, false);
    return null;
  }
  const files: DiskFile[] = [];
  const prefix = abs + sep;
  for (const name of names) {
    if (isHidden(name) || !isArrayFile(name)) continue;
    const s = stamp(prefix + name);
    if (s) files.push({ rel: `${rel}/${name}`, kind: checkpointFileKind(name), ...s });
  }
  // A fixed order (readdir's is the file system's) so that a run's digest only changes when the run does.
  return files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** A folder's entries; null when it vanished (silently: it was deleted mid-walk) or cannot be read (a problem). */
function list(abs: string, rel: string, problems: ScanProblem[], isScopeRoot: boolean): Dirent[] | null {
  try {
    return readdirSync(abs, { withFileTypes: true });
  } catch (err) {
    noteListError(err, rel, problems, isScopeRoot);
    return null;
  }
}

/**
 * A folder that could not be listed is a problem to report, unless it just vanished (deleted during the walk) or
 * is a scope that is no folder any more (watch mode names what changed, folder or not).
 */
function noteListError(err: unknown, rel: string, problems: ScanProblem[], isScopeRoot: boolean): void {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || (code === 'ENOTDIR' && isScopeRoot)) return;
  problems.push({ rel, error: `cannot list folder (${code ?? String(err)})` });
}

function entryType(entry: Dirent, path: string): 'dir' | 'file' | 'other' {
  if (entry.isDirectory()) return 'dir';
  if (entry.isFile()) return 'file';
  if (!entry.isSymbolicLink()) return 'other';
  let target: Stats | undefined;
  try {
    target = statSync(path, { throwIfNoEntry: false });
  } catch {
    return 'other';
  }
  if (!target) return 'other'; // dangling link
  return target.isDirectory() ? 'dir' : target.isFile() ? 'file' : 'other';
}

/** A linked folder that leads back to one of its own ancestors would be walked forever. */
function isLoop(parentAbs: string, linkAbs: string, linkRel: string, problems: ScanProblem[]): boolean {
  try {
    const target = realpathSync(linkAbs);
    const here = realpathSync(parentAbs);
    const fromTarget = relative(target, here);
    if (fromTarget === '' || (!fromTarget.startsWith('..') && !isAbsolute(fromTarget))) {
      problems.push({ rel: linkRel, error: `symbolic link back to its own ancestor ${target}; not followed` });
      return true;
    }
    return false;
  } catch {
    return true;
  }
}

function stamp(path: string): FileStamp | null {
  try {
    const s = statSync(path, { throwIfNoEntry: false });
    return s && s.isFile() ? { size: s.size, mtimeMs: s.mtimeMs } : null;
  } catch {
    return null;
  }
}
