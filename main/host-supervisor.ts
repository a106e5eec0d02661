/**
 * Keeps the compute process (main/host.ts: index + compute behind createStudio) alive and talks to it in Wire
 * messages. Electron-free: main hands it a `spawn` that makes a utility process; Node tests and tools hand it one
 * that forks a child process (main/host-fork.ts). Both give the same small HostChild interface.
 *
 * When the process dies unexpectedly: calls in flight reject with a HostExited error that says so, the crash is
 * reported (`onStatus`), and a new process starts on the last workspace that opened successfully after the delay
 * of the restart policy; calls made meanwhile wait for it. After too many crashes it stops and says why; opening a
 * workspace tries again from a clean slate.
 */
import type { ApiMethod, WireEvent, WireMessage, WireRequest } from '../native/api/contract.js';
import { DEFAULT_RESTART_POLICY, restartDelay, type RestartPolicy } from './restart-policy.js';

/** One running compute process, whatever kind (Electron utility process, Node child process). */
export interface HostChild {
  postMessage(message: WireRequest): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process has gone; `code` null when it was killed by a signal. */
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export type SpawnHost = (root: string) => HostChild;

export type HostStatus =
  | { state: 'running'; pid?: number; restarts: number }
  | { state: 'crashed'; code: number | null; restartInMs: number }
  | { state: 'stopped'; reason: string };

/** A call that could not complete because the compute process died under it. */
export class HostExitedError extends Error {
  override name = 'HostExited';
}

interface Pending {
  method: ApiMethod;
  resolve: (value: unknown) => void;
  reject: (reason: Error) => void;
}

export interface SupervisorOptions {
  root: string;
  policy?: RestartPolicy;
  /** Clock for the restart policy (tests may pass their own). */
  now?: () => number;
}

/** Messages come from our own host process; a shallow check of the discriminant is enough to route them. */
function isWireMessage(message: unknown): message is WireMessage {
  const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
  return type === 'result' || type === 'error' || type === 'event' || type === 'call';
}

export class HostSupervisor {
  private child: HostChild | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Calls made while no process runs (between a crash and the restart). */
  private queue: Array<{ id: number; request: WireRequest }> = [];
  private crashTimes: number[] = [];
  private restarts = 0;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private stoppedReason: string | null = null;
  private stopping = false;
  private currentRoot: string;
  private readonly policy: RestartPolicy;
  private readonly now: () => number;
  private readonly eventListeners = new Set<(event: WireEvent) => void>();
  private readonly statusListeners = new Set<(status: HostStatus) => void>();

  constructor(
    private readonly spawn: SpawnHost,
    options: SupervisorOptions,
  ) {
    this.currentRoot = options.root;
    this.policy = options.policy ?? DEFAULT_RESTART_POLICY;
    this.now = options.now ?? Date.now;
  }

  /** The workspace a (re)started process opens: the last one that opened successfully. */
  get root(): string {
    return this.currentRoot;
  }

  start(): void {
    if (this.child || this.stopping) return;
    this.stoppedReason = null;
    const child = this.spawn(this.currentRoot);
    this.child = child;
    child.onMessage((message) => this.receive(message));
    child.onExit((code) => this.exited(child, code));
    this.emitStatus({ state: 'running', restarts: this.restarts });
    const waiting = this.queue;
    this.queue = [];
    for (const { request } of waiting) child.postMessage(request);
  }

  /** Sends one API call; resolves with its value or rejects with the error the compute side sent. */
  call(method: ApiMethod, args: unknown[]): Promise<unknown> {
    if (this.stopping) return Promise.reject(new HostExitedError('the compute process is shutting down'));
    if (method === 'openWorkspace' && this.stoppedReason !== null && typeof args[0] === 'string') {
      // A crash loop is usually one workspace's fault: a new workspace gets a fresh process and a clean history.
      this.crashTimes = [];
      this.currentRoot = args[0];
      this.start();
    }
    if (this.stoppedReason !== null) return Promise.reject(new HostExitedError(this.stoppedReason));
    const id = this.nextId++;
    const request: WireRequest = { type: 'call', id, method, args };
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        method,
        resolve: (value) => {
          if (method === 'openWorkspace' && typeof args[0] === 'string') this.currentRoot = args[0];
          resolve(value);
        },
        reject,
      });
      if (this.child) this.child.postMessage(request);
      else this.queue.push({ id, request });
    });
  }

  /** Events (progress, index changed) from whichever process is current. */
  onEvent(listener: (event: WireEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Running / crashed (with the restart delay) / stopped (with the reason). */
  onStatus(listener: (status: HostStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Stops for good (app quit): no restart, pending calls reject. */
  stop(): void {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    this.child = null;
    this.failAll(new HostExitedError('the compute process was shut down'));
    child?.kill();
  }

  private receive(message: unknown): void {
    if (!isWireMessage(message)) return;
    if (message.type === 'event') {
      for (const listener of this.eventListeners) listener(message);
      return;
    }
    if (message.type === 'call') return;
    const call = this.pending.get(message.id);
    if (!call) return;
    this.pending.delete(message.id);
    if (message.type === 'result') call.resolve(message.value);
    else {
      const err = new Error(message.error.message);
      err.name = message.error.name;
      call.reject(err);
    }
  }

  private exited(child: HostChild, code: number | null): void {
    if (child !== this.child) return; // an old process, already replaced or deliberately stopped
    this.child = null;
    if (this.stopping) return;
    const now = this.now();
    this.crashTimes = [...this.crashTimes, now].filter((t) => now - t < this.policy.windowMs);
    const delay = restartDelay(this.crashTimes, now, this.policy);
    const how = code === null ? 'was killed' : `exited with code ${code}`;
    if (delay === null) {
      this.stoppedReason =
        `the compute process ${how} ${this.crashTimes.length} times within ${this.policy.windowMs / 1000} s ` +
        `and was not restarted; open a workspace to try again`;
      this.failAll(new HostExitedError(this.stoppedReason));
      this.emitStatus({ state: 'stopped', reason: this.stoppedReason });
      return;
    }
    for (const [id, call] of this.pending) {
      call.reject(new HostExitedError(`the compute process ${how} during ${call.method}; it restarts in ${delay} ms — run it again`));
      this.pending.delete(id);
    }
    this.emitStatus({ state: 'crashed', code, restartInMs: delay });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.restarts++;
      this.start();
    }, delay);
  }

  private failAll(error: Error): void {
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
    this.queue = [];
  }

  private emitStatus(status: HostStatus): void {
    for (const listener of this.statusListeners) listener(status);
  }
}
