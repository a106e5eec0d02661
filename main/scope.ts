/**
 * What the renderer may touch on disk: the workspaces and single files the user chose in main (open dialog, drag
 * and drop, command line, file association, recent list), and nothing else. A compromised or buggy page can ask
 * for any path over IPC; this is where such a path is refused before it reaches the compute process.
 *
 * Containment is lexical, after resolving `.`/`..` and relative paths against the open workspace: a symlink the user
 * put inside a workspace (runs on another disk) is followed, because the user placed it; the page cannot create one.
 * Relative paths are rewritten to absolute ones before forwarding, so the compute process (whose working directory
 * is not the workspace) reads exactly the file that was checked.
 */
import { statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { parseArraySpec } from '../native/formats/index.js';

/** A refused path; crosses to the renderer as {name: 'ScopeError', message}. */
export class ScopeError extends Error {
  override name = 'ScopeError';
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** True when `child` is `parent` or lies below it (both absolute and normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function checkText(path: string, what: string): void {
  if (typeof path !== 'string' || path === '') throw new ScopeError(`${what} is empty`);
  if (path.includes('\0')) throw new ScopeError(`${what} contains a NUL character`);
}

export class WorkspaceScope {
  private readonly roots = new Set<string>();
  private readonly files = new Set<string>();
  private current: string | null = null;

  /** Grants a folder (and everything below it). Returns the absolute path. */
  grantWorkspace(root: string): string {
    checkText(root, 'workspace path');
    const absolute = resolve(root);
    this.roots.add(absolute);
    return absolute;
  }

  /** Grants one file (an .npy or .safetensors opened by file association or dropped on the window). */
  grantFile(file: string): string {
    checkText(file, 'file path');
    const absolute = resolve(file);
    this.files.add(absolute);
    return absolute;
  }

  /** The workspace the compute process has open; relative array paths resolve against it. */
  setCurrent(root: string | null): void {
    this.current = root === null ? null : resolve(root);
  }

  get currentWorkspace(): string | null {
    return this.current;
  }

  get grantedWorkspaces(): string[] {
    return [...this.roots];
  }

  /** The absolute workspace path to open, if the user granted it (or a folder inside a granted one). */
  checkWorkspace(root: string): string {
    checkText(root, 'workspace path');
    if (!isAbsolute(root)) throw new ScopeError(`workspace path must be absolute: ${root}`);
    const absolute = resolve(root);
    for (const granted of this.roots) if (isInside(granted, absolute)) return absolute;
    throw new ScopeError(`${absolute}: not a workspace opened in this window (use File › Open Workspace…)`);
  }

  /**
   * An array reference (`file` or `file:array`) with its file made absolute, if that file lies in a granted
   * workspace or is a granted file.
   */
  checkArrayRef(ref: string): string {
    checkText(ref, 'array reference');
    const base = this.current ?? process.cwd();
    const spec = parseArraySpec(ref, (path) => exists(resolve(base, path)));
    if (!isAbsolute(spec.path) && this.current === null) {
      throw new ScopeError(`${ref}: a relative path needs an open workspace`);
    }
    const absolute = resolve(base, spec.path);
    const allowed = this.files.has(absolute) || [...this.roots].some((root) => isInside(root, absolute));
    if (!allowed) throw new ScopeError(`${absolute}: outside the workspaces and files opened in this window`);
    return spec.name === undefined ? absolute : `${absolute}:${spec.name}`;
  }
}
