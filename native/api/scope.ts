/**
 * The one path policy for everything that crosses a wire — Electron's IPC (main/ipc.ts) and `serve`'s WebSocket
 * (native/serve/server.ts): a caller may name only the workspaces and single files the user chose outside the page
 * (a dialog, a drop, a command-line argument, the recent list), and what lies below those workspaces.
 *
 * Paths are compared after `realpath`: a symlink, wherever it sits, counts as where it points, so a link inside a
 * workspace to /etc (or to runs on another disk) is outside until the user opens that place too. A path that does not
 * exist yet resolves through its deepest existing ancestor. The checked real path is what gets forwarded, so the
 * compute side opens exactly the file that was checked, whatever its working directory.
 */
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseArraySpec } from '../formats/index.js';
import type { ApiMethod, CompareRequest } from './contract.js';

/** A refused path; crosses the wire as {name: 'ScopeError', message}. */
export class ScopeError extends Error {
  override name = 'ScopeError';
}

/** True when `child` is `parent` or lies below it (both absolute and normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The real path of `path` (absolute): symlinks resolved; a missing tail is kept as written below its real parent. */
export function realPath(path: string): string {
  const absolute = resolve(path);
  try {
    // The JS realpath, not .native: Electron teaches it (and statSync) the app's asar archive, where the example lives.
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    return join(realPath(parent), basename(absolute));
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function checkText(path: unknown, what: string): asserts path is string {
  if (typeof path !== 'string' || path === '') throw new ScopeError(`${what} is empty`);
  if (path.includes('\0')) throw new ScopeError(`${what} contains a NUL character`);
}

export class WorkspaceScope {
  /** Real paths of granted folders. */
  private readonly roots = new Set<string>();
  /** Real paths of granted single files. */
  private readonly files = new Set<string>();
  private current: string | null = null;

  /** Grants a folder (and everything really below it). Returns its real path. */
  grantWorkspace(root: string): string {
    checkText(root, 'workspace path');
    const real = realPath(root);
    this.roots.add(real);
    return real;
  }

  /** Grants one file (an .npy or .safetensors opened by file association, a drop or the command line). */
  grantFile(file: string): string {
    checkText(file, 'file path');
    const real = realPath(file);
    this.files.add(real);
    return real;
  }

  /** The workspace the compute side has open; relative array paths resolve against it. */
  setCurrent(root: string | null): void {
    this.current = root === null ? null : realPath(root);
  }

  get currentWorkspace(): string | null {
    return this.current;
  }

  get grantedWorkspaces(): string[] {
    return [...this.roots];
  }

  private granted(real: string): boolean {
    for (const root of this.roots) if (isInside(root, real)) return true;
    return false;
  }

  /** The real path of a workspace to open, if it is a granted folder or lies inside one. */
  checkWorkspace(root: unknown): string {
    checkText(root, 'workspace path');
    if (!isAbsolute(root)) throw new ScopeError(`workspace path must be absolute: ${root}`);
    const real = realPath(root);
    if (this.granted(real)) return real;
    const via = real !== resolve(root) ? ` (it resolves to ${real})` : '';
    throw new ScopeError(`${resolve(root)}: not a workspace opened in this session${via}; open it with File › Open Workspace…, or start svcca-studio serve on it`);
  }

  /**
   * An array reference (`file` or `file:array`) with its file made real and absolute, if that file lies in a
   * granted workspace or is a granted file.
   */
  checkArrayRef(ref: unknown): string {
    checkText(ref, 'array reference');
    const base = this.current ?? process.cwd();
    const spec = parseArraySpec(ref, (path) => exists(resolve(base, path)));
    if (!isAbsolute(spec.path) && this.current === null) {
      throw new ScopeError(`${ref}: a relative path needs an open workspace`);
    }
    const absolute = resolve(base, spec.path);
    const real = realPath(absolute);
    if (!this.files.has(real) && !this.granted(real)) {
      const via = real !== absolute ? ` (it resolves to ${real})` : '';
      throw new ScopeError(`${absolute}: outside the workspaces and files opened in this session${via}`);
    }
    return spec.name === undefined ? real : `${real}:${spec.name}`;
  }
}

/** How a method's arguments are checked against the scope, returning the arguments to forward. */
type PathPolicy = (args: unknown[], scope: WorkspaceScope) => unknown[];

const namesOnly: PathPolicy = (args) => args;

/**
 * Every API method's path policy. A Record over ApiMethod, so a method added to the contract does not compile here
 * until someone decides whether it carries paths; at run time a method without a policy is refused (fail closed).
 */
const PATH_POLICIES: Record<ApiMethod, PathPolicy> = {
  openWorkspace: ([root, ...rest], scope) => [scope.checkWorkspace(root), ...rest],
  compare: ([request, ...rest], scope) => {
    const compare = request as CompareRequest;
    return [{ ...compare, a: scope.checkArrayRef(compare.a), b: scope.checkArrayRef(compare.b) }, ...rest];
  },
  // These name runs, layers, steps and jobs of the open workspace, never files.
  workspace: namesOnly,
  reindex: namesOnly,
  runs: namesOnly,
  resolveLayer: namesOnly,
  matrix: namesOnly,
  dynamics: namesOnly,
  compress: namesOnly,
  stability: namesOnly,
  correlate: namesOnly,
  groups: namesOnly,
  grid: namesOnly,
  timesteps: namesOnly,
  cancel: namesOnly,
  spectrum: namesOnly,
  classSensitivity: namesOnly,
  significance: namesOnly,
  identify: namesOnly,
  groupDynamics: namesOnly,
};

/** The methods whose arguments carry paths (what the scope tests must cover). */
export const PATH_METHODS: readonly ApiMethod[] = ['openWorkspace', 'compare'];

/**
 * The arguments of an already shape-checked call with every path checked against the scope and made real. Throws
 * ScopeError for a refused path, and for a method with no policy.
 */
export function checkPaths(method: ApiMethod, args: readonly unknown[], scope: WorkspaceScope): unknown[] {
  const policy = Object.hasOwn(PATH_POLICIES, method) ? PATH_POLICIES[method] : undefined;
  if (!policy) throw new ScopeError(`${String(method).slice(0, 60)}: no path policy for this method`);
  return policy([...args], scope);
}
