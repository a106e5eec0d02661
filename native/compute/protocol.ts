/**
 * The compute host's message protocol: what a caller (the pool) and a host process (worker.ts) say to each other.
 * Messages travel by structured clone (child_process `serialization: 'advanced'`, Electron's parentPort), so typed
 * arrays cross as they are, without JSON. No Node imports here: both ends share this file.
 *
 *   caller → host   submit {jobId, kind, params, priority}   cancel {jobId}
 *   host → caller   ready {pid}   started {jobId}   progress {jobId, done, total, label}
 *                   result {jobId, value}   error {jobId, error}
 *
 * Every submit is answered by exactly one `result` or `error`, unless the host dies first — and then the pool
 * answers for it (see pool.ts): a caller never waits on a job that nobody runs.
 */
import { CancelledError, InputError, StudioError, UsageError, type ErrorKind } from '../errors.js';

export interface SubmitMessage {
  readonly type: 'submit';
  readonly jobId: string;
  readonly kind: string;
  readonly params: unknown;
  /** Higher runs first; FIFO among equal priorities. Only the pool's queue reads it; the host runs what it gets. */
  readonly priority: number;
}

export interface CancelMessage {
  readonly type: 'cancel';
  readonly jobId: string;
}

export type HostInbound = SubmitMessage | CancelMessage;

export interface ReadyMessage {
  readonly type: 'ready';
  readonly pid: number;
}

export interface StartedMessage {
  readonly type: 'started';
  readonly jobId: string;
}

export interface ProgressMessage {
  readonly type: 'progress';
  readonly jobId: string;
  readonly done: number;
  readonly total: number;
  readonly label: string;
}

export interface ResultMessage {
  readonly type: 'result';
  readonly jobId: string;
  readonly value: unknown;
}

export interface ErrorMessage {
  readonly type: 'error';
  readonly jobId: string;
  readonly error: WireError;
}

export type HostOutbound = ReadyMessage | StartedMessage | ProgressMessage | ResultMessage | ErrorMessage;

/** An error as it crosses a process boundary: enough to rebuild the user-facing error class on the other side. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  /** Set for StudioErrors (user input, usage, cancel); absent means a bug. */
  readonly kind?: ErrorKind;
  readonly stack?: string;
}

/** Job priorities, named for the three callers that exist: a view waiting, a command, a cache warm-up. */
export const PRIORITY = { interactive: 2, normal: 1, background: 0 } as const;

export function toWireError(err: unknown): WireError {
  if (err instanceof StudioError) return { name: err.name, message: err.message, kind: err.kind };
  if (err instanceof Error) return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  return { name: 'Error', message: String(err) };
}

/**
 * Rebuild an error on the caller's side. StudioError messages already name their file (the constructor prefixed
 * it), so they are re-created with the message as is; other errors keep name and stack.
 */
export function fromWireError(wire: WireError): Error {
  switch (wire.kind) {
    case 'input':
      return new InputError(undefined, wire.message);
    case 'usage':
      return new UsageError(wire.message);
    case 'cancelled': {
      const err = new CancelledError();
      err.message = wire.message;
      return err;
    }
    default: {
      const err = new Error(wire.message);
      err.name = wire.name;
      if (wire.stack) err.stack = wire.stack;
      return err;
    }
  }
}

export function isHostInbound(value: unknown): value is HostInbound {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { type?: unknown; jobId?: unknown; kind?: unknown };
  if (typeof m.jobId !== 'string') return false;
  return m.type === 'cancel' || (m.type === 'submit' && typeof m.kind === 'string');
}

export function isHostOutbound(value: unknown): value is HostOutbound {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'ready' || type === 'started' || type === 'progress' || type === 'result' || type === 'error';
}
