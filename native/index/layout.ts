/**
 * The naming rules of a workspace (docs/contract.md §2), in one place:
 * which folders are checkpoints, which files hold arrays, which are parameters, which are workspace metadata.
 */
import { extname } from 'node:path';

/** `step-<digits>` or `final`. */
const CHECKPOINT_DIR = /^step-(\d+)$/;

export const FINAL = 'final';
export const RUN_JSON = 'run.json';
/** Labels of the probe datapoints; workspace metadata when it sits at the workspace root. */
export const PROBE_LABELS = 'probe_labels.npy';
/** Where the index lives inside a writable workspace (dot-folders are never scanned). */
export const INDEX_DIR = '.svcca-studio';

/** The array formats of the contract. A file with one of these extensions is indexed (or recorded as an error). */
export const ARRAY_EXTENSIONS: readonly string[] = ['.npy', '.npz', '.safetensors', '.h5', '.hdf5'];

export type FileKind = 'activations' | 'weights' | 'probe_labels';

/** A checkpoint folder's step: a number, null for `final`, undefined when the name is not a checkpoint. */
export function checkpointStep(dirName: string): number | null | undefined {
  if (dirName === FINAL) return null;
  const m = CHECKPOINT_DIR.exec(dirName);
  if (!m) return undefined;
  const step = Number(m[1]);
  // A step beyond 2^53 cannot be told apart from its neighbours; treat the folder as an ordinary one.
  return Number.isSafeInteger(step) ? step : undefined;
}

export function isCheckpointDir(dirName: string): boolean {
  return checkpointStep(dirName) !== undefined;
}

/** Hidden entries (`.git`, `.svcca-studio`, editors' temp files, `.x.npy.tmp`) are never part of a workspace. */
export function isHidden(name: string): boolean {
  return name.startsWith('.');
}

export function isArrayFile(fileName: string): boolean {
  return ARRAY_EXTENSIONS.includes(extname(fileName).toLowerCase());
}

/** `weights.*` holds the net's parameters at a checkpoint; never read as activations. */
export function checkpointFileKind(fileName: string): FileKind {
  return fileName.slice(0, fileName.length - extname(fileName).length) === 'weights' ? 'weights' : 'activations';
}

/**
 * Order of checkpoints in training: by step, `final` after every step. Two folders for one step (`step-5`,
 * `step-005`) fall back to name order so the order stays total.
 */
export function compareCheckpoints(a: { step: number | null; dir: string }, b: { step: number | null; dir: string }): number {
  const sa = a.step ?? Number.POSITIVE_INFINITY;
  const sb = b.step ?? Number.POSITIVE_INFINITY;
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0;
}

/**
 * "Natural" name order, digits compared as numbers (`layer2` before `layer10`), else by UTF-16 code units; the same
 * on every machine (no locale). Digits right after a '.' are a decimal fraction and compare digit by digit
 * (`lr0.01` before `lr0.1`). Used for "file order" when run.json gives no `layers`, and to list runs.
 */
export function compareNatural(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const numeric = /^\d/.test(x) && /^\d/.test(y) && !(i > 0 && pa[i - 1]!.endsWith('.'));
    if (numeric) {
      const nx = x.replace(/^0+/, '');
      const ny = y.replace(/^0+/, '');
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Join workspace-relative path segments with '/', whatever the platform ('' is the workspace root). */
export function joinRel(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

/** Whether `rel` is `scope` itself or lies below it ('' contains everything). */
export function isWithin(rel: string, scope: string): boolean {
  return scope === '' || rel === scope || rel.startsWith(`${scope}/`);
}

export function parentRel(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

export function baseRel(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}
