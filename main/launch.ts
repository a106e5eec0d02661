/**
 * What the user asked the app to open, from a command line (first start, or a second instance's argv handed over
 * by the single-instance lock), a file association, or paths dropped on the window: folders are workspaces,
 * `.npy` / `.safetensors` files are arrays to look at and compare, anything else is ignored and named.
 */
import { statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Extensions the app registers for (electron-builder.yml `fileAssociations` lists the same). */
export const ASSOCIATED_EXTENSIONS: readonly string[] = ['.npy', '.safetensors'];

export interface OpenRequest {
  /** The folder to open as the workspace: the last folder named, or null. */
  workspace: string | null;
  /** Array files to show, in the order given. */
  files: string[];
  /** Arguments that were neither (missing paths, other file types), for one line of feedback. */
  ignored: string[];
}

export type PathKind = 'directory' | 'file' | 'missing';

export function pathKind(path: string): PathKind {
  try {
    const info = statSync(path);
    return info.isDirectory() ? 'directory' : info.isFile() ? 'file' : 'missing';
  } catch {
    return 'missing';
  }
}

export interface ArgvContext {
  /** Directory relative paths are resolved against (a second instance reports its own). */
  cwd: string;
  /**
   * True when Electron runs an app folder given on its command line (`electron .`, `process.defaultApp`): then the
   * first non-switch argument is that folder, not a user argument.
   */
  defaultApp: boolean;
}

/**
 * The user's arguments in an Electron argv: without the executable (and app folder in development), without
 * switches (Chromium's and Electron's own, like `--allow-file-access-from-files` that Electron appends to a second
 * instance's argv). `file://` URLs (Linux desktop files pass %U) become paths.
 */
export function userArguments(argv: readonly string[], context: ArgvContext): string[] {
  const out: string[] = [];
  // In development the app folder is the first non-switch argument; switches may come before it.
  let appFolderSkipped = !context.defaultApp;
  for (const arg of argv.slice(1)) {
    if (arg === '' || arg.startsWith('-')) continue;
    if (!appFolderSkipped) {
      appFolderSkipped = true;
      continue;
    }
    if (arg.startsWith('file://')) {
      try {
        out.push(fileURLToPath(arg));
      } catch {
        // A malformed URL is not a path; ignore it like any switch.
      }
      continue;
    }
    out.push(resolve(context.cwd, arg));
  }
  return out;
}

/** Sorts absolute paths into a workspace, array files and the rest. */
export function classifyPaths(paths: readonly string[], kind: (path: string) => PathKind = pathKind): OpenRequest {
  const request: OpenRequest = { workspace: null, files: [], ignored: [] };
  for (const path of paths) {
    const what = kind(path);
    if (what === 'directory') request.workspace = path;
    else if (what === 'file' && ASSOCIATED_EXTENSIONS.includes(extname(path).toLowerCase())) request.files.push(path);
    else request.ignored.push(path);
  }
  return request;
}

export function parseLaunchArgs(argv: readonly string[], context: ArgvContext, kind?: (path: string) => PathKind): OpenRequest {
  return classifyPaths(userArguments(argv, context), kind);
}

/**
 * The renderer route that shows one array file (its arrays, and a comparison of one with any other array):
 * `#/file?path=<absolute path>`. Hash routing keeps it an in-page change, never a navigation.
 */
export function fileRoute(path: string): string {
  return `#/file?path=${encodeURIComponent(path)}`;
}
