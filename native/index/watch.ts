/**
 * Watch mode: follow a live training job. File-system events mark the folders that changed; after a quiet spell
 * (the debounce) one index pass looks at just those folders. A job that writes continuously is still indexed at
 * least every `maxWaitMs`. Where the platform cannot watch a folder tree (no recursive watch, too many folders for
 * the watch limit), the watcher falls back to a full incremental pass every `pollMs`.
 */
import { statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { isHidden, parentRel } from './layout.js';
import type { ProgressListener } from './progress.js';
import type { IndexResult, WorkspaceIndex } from './store.js';

export interface WatchOptions {
  /** Quiet time after the last event before a pass starts. */
  readonly debounceMs?: number;
  /** Longest wait between the first event and its pass, however busy the folder. */
  readonly maxWaitMs?: number;
  /** Interval of full passes when events are unavailable. */
  readonly pollMs?: number;
  readonly onProgress?: ProgressListener;
  /** After every pass. */
  readonly onResult?: (result: IndexResult) => void;
  /** A pass that failed; watching goes on. */
  readonly onError?: (error: unknown) => void;
  readonly signal?: AbortSignal;
  /**
   * Start with a pass over the whole workspace, once watching has begun: nothing written between an earlier pass
   * and the start of watching can be missed.
   */
  readonly initialPass?: boolean;
  /**
   * Poll instead of listening for events: for file systems whose changes raise no local events (NFS and other
   * network mounts written from another machine).
   */
  readonly polling?: boolean;
}

export interface Watcher {
  /** 'events' while file-system events drive it, 'polling' after falling back. */
  readonly mode: 'events' | 'polling';
  /** Stops watching and waits for a pass in progress to end. */
  close(): Promise<void>;
}

export const DEFAULT_DEBOUNCE_MS = 300;
export const DEFAULT_MAX_WAIT_MS = 3000;
export const DEFAULT_POLL_MS = 2000;
/** More changed folders than this in one batch: one pass over the whole workspace is simpler and no slower. */
const MAX_SCOPES = 64;

export function watchWorkspace(index: WorkspaceIndex, options: WatchOptions = {}): Watcher {
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const stop = new AbortController();
  const onOuterAbort = (): void => void watcher.close();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });

  let mode: 'events' | 'polling' = 'events';
  let fsWatcher: FSWatcher | null = null;
  let poller: NodeJS.Timeout | null = null;
  let timer: NodeJS.Timeout | null = null;
  let firstEventAt = 0;
  const pendingScopes = new Set<string>();
  let running: Promise<void> | null = null;
  let closed = false;

  const runPass = (): void => {
    timer = null;
    if (closed || running) return;
    const scopes = pendingScopes.size > MAX_SCOPES || pendingScopes.has('') ? [''] : [...pendingScopes];
    pendingScopes.clear();
    running = index
      .index({ scopes, signal: stop.signal, ...(options.onProgress && { onProgress: options.onProgress }) })
      .then(
        (result) => options.onResult?.(result),
        (err: unknown) => {
          if (!stop.signal.aborted) options.onError?.(err);
        },
      )
      .finally(() => {
        running = null;
        // Events that arrived during the pass get their own pass.
        if (pendingScopes.size > 0 && !closed) schedule();
      });
  };

  const schedule = (): void => {
    const now = Date.now();
    if (timer === null) firstEventAt = now;
    else clearTimeout(timer);
    timer = setTimeout(runPass, Math.max(0, Math.min(debounceMs, firstEventAt + maxWaitMs - now)));
  };

  const onEvent = (filename: string | null): void => {
    if (closed) return;
    if (filename === null) pendingScopes.add(''); // the platform did not say what changed
    else {
      const scope = scopeOfChange(index.root, filename);
      if (scope === null) return;
      pendingScopes.add(scope);
    }
    schedule();
  };

  const startPolling = (): void => {
    mode = 'polling';
    fsWatcher?.close();
    fsWatcher = null;
    if (poller === null && !closed) {
      poller = setInterval(() => {
        if (running || closed) return;
        pendingScopes.add('');
        runPass();
      }, pollMs);
    }
  };

  if (options.polling) startPolling();
  else {
    try {
      fsWatcher = watch(index.root, { recursive: true }, (_event, filename) => onEvent(filename === null ? null : String(filename)));
      fsWatcher.on('error', (err) => {
        options.onError?.(err);
        startPolling();
      });
    } catch {
      startPolling();
    }
  }
  if (options.initialPass) {
    pendingScopes.add('');
    runPass();
  }

  const watcher: Watcher = {
    get mode() {
      return mode;
    },
    async close() {
      if (closed) return;
      closed = true;
      options.signal?.removeEventListener('abort', onOuterAbort);
      fsWatcher?.close();
      if (timer) clearTimeout(timer);
      if (poller) clearInterval(poller);
      stop.abort();
      await running;
    },
  };
  return watcher;
}

/**
 * The folder to look at again after a change to `filename` (relative to the root): a folder that exists is looked
 * at itself (a new run, a new checkpoint); a file or a vanished entry, through its parent. Changes to hidden entries
 * (the index's own folder, editors' temp files, atomic-write temporaries) are not the workspace's: null.
 */
export function scopeOfChange(root: string, filename: string): string | null {
  const segments = filename.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (segments.some(isHidden)) return null;
  const rel = segments.join('/');
  try {
    if (statSync(join(root, ...segments)).isDirectory()) return rel;
  } catch {
    // gone: look at where it was
  }
  return parentRel(rel);
}
