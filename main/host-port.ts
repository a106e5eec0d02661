/**
 * The compute host's link to whoever started it, reduced to `{postMessage, onMessage}` so that one host entry works
 * in both places it runs:
 *   - an Electron utility process: `process.parentPort` (a MessagePortMain; messages arrive as `{data}` events),
 *   - a Node child process started with `fork`: `process.send` / `process.on('message')`.
 * No Electron import: the utility process gets `parentPort` on `process` itself.
 */
import { createDispatcher, serializeError, type Dispatcher } from '../native/api/dispatch.js';
import type { StudioApi } from '../native/api/contract.js';
import { UsageError } from '../native/errors.js';

export interface HostPort {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called when the parent is gone (the host should then exit). */
  onDisconnect(listener: () => void): void;
}

/** Electron's ParentPort, as far as the host uses it. */
interface UtilityParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
}

/** What the host reads from `process` (typed structurally so tests can hand in a real child's process object). */
export interface HostProcess {
  parentPort?: UtilityParentPort;
  send?: (message: unknown) => boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
}

/** The port of this process, or null when it was started neither as a utility process nor with an IPC channel. */
export function parentPortOf(proc: HostProcess): HostPort | null {
  const utility = proc.parentPort;
  if (utility) {
    return {
      postMessage: (message) => utility.postMessage(message),
      onMessage: (listener) => void utility.on('message', (event) => listener(event.data)),
      // A utility process is ended by Electron together with its parent; nothing to watch.
      onDisconnect: () => undefined,
    };
  }
  const send = proc.send;
  if (typeof send === 'function') {
    return {
      postMessage: (message) => void send.call(proc, message),
      onMessage: (listener) => void proc.on('message', listener),
      onDisconnect: (listener) => void proc.on('disconnect', listener),
    };
  }
  return null;
}

export interface HostArgs {
  root: string;
  db?: string;
}

/**
 * `--root DIR [--db FILE]` found anywhere in the command line. Other tokens are skipped: a utility process's argv
 * also carries Chromium's own switches (`--type=utility`, …) and the entry path.
 */
export function parseHostArgs(argv: readonly string[]): HostArgs {
  let root: string | undefined;
  let db: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag !== '--root' && flag !== '--db') continue;
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`compute host: ${flag} needs a value`);
    if (flag === '--root') root = value;
    else db = value;
    i++;
  }
  if (root === undefined) throw new UsageError('compute host: --root is required');
  return db === undefined ? { root } : { root, db };
}

export function hostArgs(args: HostArgs): string[] {
  return args.db === undefined ? ['--root', args.root] : ['--root', args.root, '--db', args.db];
}

/**
 * Serves a StudioApi on the port with the shared dispatcher (argument validation included). Messages that arrive
 * while the studio is still opening wait for it; if it cannot open (the workspace is gone), every call is answered
 * with that error instead of the process exiting, which would only make the supervisor restart it in a loop.
 */
export function serveStudio(port: HostPort, open: () => Promise<StudioApi>): Promise<void> {
  const ready: Promise<{ dispatcher: Dispatcher } | { failure: unknown }> = open().then(
    (studio) => ({ dispatcher: createDispatcher(studio, (message) => port.postMessage(message)) }),
    (failure: unknown) => ({ failure }),
  );
  port.onMessage((raw) => {
    void ready.then(async (state) => {
      if ('dispatcher' in state) return state.dispatcher.handle(raw);
      const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
      port.postMessage({ type: 'error', id: typeof id === 'number' ? id : -1, error: serializeError(state.failure) });
    });
  });
  return ready.then(() => undefined);
}
