/**
 * Main's side of the renderer bridge, without Electron: every invoke on a `studio:<method>` channel passes four
 * checks before it reaches the compute process —
 *   1. the sender is the app's own top-level frame (not a sub-frame, not another origin),
 *   2. the channel names an API method (anything else is refused),
 *   3. the arguments have the method's shapes (the same validator the compute side uses) and a bounded size,
 *   4. every path in them lies, after realpath, in what the user opened (native/api/scope.ts, the policy `serve`
 *      uses too); relative paths become absolute real paths.
 * The reply is an IpcReply: errors travel as {name, message} data because Electron keeps only an Error's message.
 */
import { isAbsolute } from 'node:path';
import { validateRequest, serializeError } from '../native/api/dispatch.js';
import type { ApiMethod } from '../native/api/contract.js';
import { checkPaths, realPath } from '../native/api/scope.js';
import { methodOfChannel, type IpcReply } from './channels.js';
import { isAppUrl, type RendererSource } from './security.js';
import type { WorkspaceScope } from './scope.js';

/** The parts of Electron's `event.senderFrame` the guard reads (null when the frame is already gone). */
export interface SenderFrame {
  url: string;
  /** True for the window's top-level frame. */
  isMainFrame: boolean;
}

/** A refused message; crosses to the renderer as {name: 'IpcError', message}. */
export class IpcError extends Error {
  override name = 'IpcError';
}

/** Arguments larger than this are refused before parsing: no API call needs more than a few kilobytes. */
export const MAX_ARGUMENT_BYTES = 256 * 1024;

export function checkSender(frame: SenderFrame | null, source: RendererSource): void {
  if (!frame) throw new IpcError('message from a frame that no longer exists');
  if (!frame.isMainFrame) throw new IpcError('message from a sub-frame');
  if (!isAppUrl(frame.url, source)) throw new IpcError(`message from a foreign page (${frame.url.slice(0, 80)})`);
}

function argumentBytes(args: unknown[]): number {
  try {
    return JSON.stringify(args)?.length ?? 0;
  } catch {
    throw new IpcError('arguments are not plain data');
  }
}

/**
 * Checks one call and returns the arguments to forward (paths made absolute). Throws IpcError, RequestError
 * (shapes, from native/api/dispatch.ts) or ScopeError.
 */
export function checkCall(method: ApiMethod, args: unknown[], scope: WorkspaceScope): unknown[] {
  if (argumentBytes(args) > MAX_ARGUMENT_BYTES) throw new IpcError(`${method} arguments exceed ${MAX_ARGUMENT_BYTES} bytes`);
  const request = validateRequest({ type: 'call', id: 0, method, args });
  return checkPaths(request.method, request.args, scope);
}

/** Forwards a checked call to the compute process. */
export type CallHost = (method: ApiMethod, args: unknown[]) => Promise<unknown>;

export interface IpcHandlerOptions {
  scope: WorkspaceScope;
  source: RendererSource;
  callHost: CallHost;
  /** Told after a workspace was opened successfully (recent list, window title). */
  onWorkspaceOpened?: (root: string) => void;
  /**
   * Asked when the page wants to open a folder the user has not opened through main (typed into the page's own
   * field): main shows a native dialog, which the page cannot answer for the user. Absent: such requests fail.
   */
  confirmWorkspace?: (root: string) => Promise<boolean>;
  /**
   * Where calls go while a remote workspace is attached (main/remote.ts), else null. Remote calls are checked for
   * shape and size here; their paths name the server's disk, so the server's own scope judges them, not this one.
   */
  remote?: () => CallHost | null;
}

/** Grants a folder the page asked for when the user agrees in main's own dialog; otherwise leaves the scope as is. */
async function consentToWorkspace(root: unknown, options: IpcHandlerOptions): Promise<void> {
  if (typeof root !== 'string' || !isAbsolute(root) || root.includes('\0') || !options.confirmWorkspace) return;
  try {
    options.scope.checkWorkspace(root);
    return; // already granted
  } catch {
    // not granted yet: ask
  }
  // The dialog names the real folder: a link's name must not stand in for where it leads.
  const real = realPath(root);
  if (await options.confirmWorkspace(real)) options.scope.grantWorkspace(real);
}

export type IpcHandler = (channel: string, frame: SenderFrame | null, args: unknown[]) => Promise<IpcReply>;

export function createIpcHandler(options: IpcHandlerOptions): IpcHandler {
  return async (channel, frame, args) => {
    try {
      checkSender(frame, options.source);
      const method = methodOfChannel(channel);
      if (!method) throw new IpcError(`unknown channel '${channel.slice(0, 60)}'`);
      const remote = options.remote?.() ?? null;
      if (remote) {
        if (argumentBytes(args) > MAX_ARGUMENT_BYTES) throw new IpcError(`${method} arguments exceed ${MAX_ARGUMENT_BYTES} bytes`);
        const request = validateRequest({ type: 'call', id: 0, method, args });
        return { ok: true, value: await remote(request.method, request.args) };
      }
      if (method === 'openWorkspace') await consentToWorkspace(args[0], options);
      const checked = checkCall(method, args, options.scope);
      const value = await options.callHost(method, checked);
      if (method === 'openWorkspace') {
        options.scope.setCurrent(checked[0] as string);
        options.onWorkspaceOpened?.(checked[0] as string);
      }
      return { ok: true, value };
    } catch (err) {
      return { ok: false, error: serializeError(err) };
    }
  };
}

/** Dropped paths are at most this many per drop (a whole selection of run folders is fine; a flood is not). */
export const MAX_DROPPED_PATHS = 256;

/** Checks the payload of a DROP_CHANNEL message: the sender as for API calls, then a short list of absolute paths. */
export function checkDrop(frame: SenderFrame | null, source: RendererSource, payload: unknown): string[] {
  checkSender(frame, source);
  if (!Array.isArray(payload) || payload.length === 0 || payload.length > MAX_DROPPED_PATHS) {
    throw new IpcError(`a drop must carry 1 to ${MAX_DROPPED_PATHS} paths`);
  }
  for (const path of payload) {
    if (typeof path !== 'string' || path === '' || path.includes('\0') || !isAbsolute(path)) {
      throw new IpcError('a dropped path must be an absolute path');
    }
  }
  return payload as string[];
}
