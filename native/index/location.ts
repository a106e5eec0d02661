/**
 * Where a workspace's index lives: `<workspace>/.svcca-studio/index.sqlite` by default (it travels with the
 * workspace), `--db FILE` when given, and a per-user cache file when writing into the workspace would touch a folder
 * that is not the user's to change: a read-only folder, a folder another user owns, or the app's own bundled example
 * (which the user never chose, and which may sit inside an installed package).
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { exampleWorkspace } from './example.js';
import { INDEX_DIR } from './layout.js';

export interface IndexLocation {
  /** Absolute, real path of the workspace folder. */
  readonly workspace: string;
  readonly dbPath: string;
  /** Set when the default place could not be used, saying why and where the index went instead. */
  readonly note?: string;
}

export function resolveWorkspace(workspace: string): string {
  const abs = resolve(workspace);
  let info;
  try {
    info = statSync(abs);
  } catch {
    throw new InputError(workspace, 'no such folder');
  }
  if (!info.isDirectory()) throw new InputError(workspace, 'is not a folder (a workspace is a folder of training runs)');
  return realpathSync(abs);
}

export function locateIndex(workspace: string, db?: string): IndexLocation {
  const root = resolveWorkspace(workspace);
  if (db !== undefined) {
    const dbPath = resolve(db);
    ensureDir(dirname(dbPath), db);
    return { workspace: root, dbPath };
  }
  const inside = join(root, INDEX_DIR);
  const why = notOurs(root) ?? (canWriteInto(root, inside) ? null : 'workspace is read-only');
  if (why === null) return { workspace: root, dbPath: join(inside, 'index.sqlite') };
  const cache = join(userCacheDir(), 'svcca-studio');
  ensureDir(cache, cache);
  const dbPath = join(cache, `${createHash('sha256').update(root).digest('hex').slice(0, 16)}.sqlite`);
  return { workspace: root, dbPath, note: `${why}; index kept in ${dbPath}` };
}

/** Why a writable folder is still not one to write into, or null when it is the user's own. */
function notOurs(root: string): string | null {
  if (root === bundledExample()) return 'the bundled example workspace is left untouched';
  // POSIX only: Windows reports uid 0 for every file.
  const uid = process.getuid?.();
  if (uid !== undefined && process.platform !== 'win32') {
    try {
      if (statSync(root).uid !== uid) return 'workspace belongs to another user';
    } catch {
      // resolveWorkspace already stat'ed it; a race here changes nothing
    }
  }
  return null;
}

function bundledExample(): string | null {
  try {
    return realpathSync(exampleWorkspace());
  } catch {
    return null;
  }
}

/** The per-user cache folder of the platform ($XDG_CACHE_HOME first, as on Linux desktops). */
export function userCacheDir(): string {
  const xdg = process.env['XDG_CACHE_HOME'];
  if (xdg) return xdg;
  if (process.platform === 'win32') return process.env['LOCALAPPDATA'] ?? join(homedir(), 'AppData', 'Local');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches');
  return join(homedir(), '.cache');
}

/**
 * Whether the index folder can be made (or used) inside the workspace. A folder whose permission bits forbid
 * writing counts as read-only even for root, who could write anyway: a folder marked read-only (a shared data set)
 * is meant to stay untouched.
 */
function canWriteInto(root: string, indexDir: string): boolean {
  // Inside a packaged app's archive (the bundled example workspace): readable through Electron, never writable.
  if (/\.asar([\\/]|$)/.test(root)) return false;
  const indexFile = join(indexDir, 'index.sqlite');
  try {
    if ((statSync(indexFile).mode & 0o222) === 0) return false;
    accessSync(indexFile, constants.W_OK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return false;
  }
  for (const dir of [indexDir, root]) {
    let mode: number;
    try {
      mode = statSync(dir).mode;
    } catch {
      continue; // the index folder does not exist yet: decide by the workspace
    }
    if ((mode & 0o222) === 0) return false;
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      return false;
    }
    if (dir === root) {
      try {
        mkdirSync(indexDir, { recursive: true });
      } catch {
        return false;
      }
    }
    return true;
  }
  return false;
}

function ensureDir(dir: string, shown: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new InputError(shown, `cannot create the index folder ${dir} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
