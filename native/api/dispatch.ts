/**
 * The server side of the typed API, independent of the transport (WebSocket under `serve`, IPC/MessagePort in
 * Electron): given a StudioApi and a sink for outgoing messages, it checks each incoming WireRequest (method in
 * API_METHODS, argument shapes per method), calls the API, and sends back a result or an error as {name, message}.
 * Events (progress, index changed) are forwarded to the sink until `dispose()`.
 * No Node imports: the same code may run in a utility process or a worker.
 */
import * as v from 'valibot';
import { API, API_METHODS } from './contract.js';
import type { ApiMethod, StudioApi, WireEvent, WireRequest, WireResponse } from './contract.js';

export type OutgoingMessage = WireResponse | WireEvent;
export type MessageSink = (message: OutgoingMessage) => void;

export interface Dispatcher {
  /** Handles one raw incoming message (already JSON-decoded). Never throws; bad input is answered with an error. */
  handle(raw: unknown): Promise<void>;
  /** Stops forwarding events. */
  dispose(): void;
}

/** An incoming message that cannot be served; crosses the wire as {name: 'RequestError', message}. */
export class RequestError extends Error {
  override name = 'RequestError';
}

/** A result that does not match its method's schema: a bug on our side, never the caller's. */
export class ResultSchemaError extends Error {
  override name = 'ResultSchemaError';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}

/** What a schema accepts, in words, from valibot's `expected` (e.g. `"a" | "b"`, `string`, `!finite`). */
function expectation(issue: v.BaseIssue<unknown>): string {
  switch (issue.type) {
    case 'string':
      return 'a string';
    case 'number':
    case 'finite':
      return 'a finite number';
    case 'integer':
      return 'a whole number';
    case 'min_value':
      return `at least ${String(issue.requirement)}`;
    case 'boolean':
      return 'a boolean';
    case 'array':
      return 'an array';
    case 'tuple':
    case 'strict_tuple':
      return 'an array of fixed length';
    case 'object':
    case 'strict_object':
    case 'object_with_rest':
    case 'record':
      return 'an object';
    case 'null':
      return 'null';
    default:
      return `one of ${(issue.expected ?? '').replace(/["()]/g, '').replace(/ \| /g, '|')}`;
  }
}

/** One line naming where a value breaks its schema: `compare argument 1.keep must be a finite number, got string`. */
export function describeIssue(issue: v.BaseIssue<unknown>, where: string): string {
  const path = (issue.path ?? []).map((item) => (typeof item.key === 'number' ? `[${item.key}]` : `.${String(item.key)}`)).join('');
  const at = `${where}${path}`;
  if (issue.received === 'undefined' && issue.expected !== 'never' && issue.path?.length) return `${at} is required`;
  // Schemas whose own words are clearer than the generic ones (step refs) carry a message starting with "must".
  if (issue.message.startsWith('must ')) return `${at} ${issue.message}`;
  if (issue.type === 'strict_object' && issue.path?.length) {
    const key = String(issue.path[issue.path.length - 1]!.key).slice(0, 60);
    return `${where}${path.slice(0, path.lastIndexOf('.'))} has an unknown field '${key}'`;
  }
  return `${at} must be ${expectation(issue)}, got ${kindOf(issue.input)}`;
}

/** Checks a raw message and returns it typed, or throws a RequestError naming what is wrong (one line). */
export function validateRequest(raw: unknown): WireRequest {
  if (!isObject(raw)) throw new RequestError(`message must be an object, got ${kindOf(raw)}`);
  if (raw['type'] !== 'call') throw new RequestError(`message type must be 'call'`);
  const id = raw['id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new RequestError('message id must be an integer');
  const name = raw['method'];
  if (typeof name !== 'string' || !(API_METHODS as readonly string[]).includes(name)) {
    throw new RequestError(`unknown method '${String(name).slice(0, 60)}'`);
  }
  const method = name as ApiMethod;
  const args = raw['args'] ?? [];
  if (!Array.isArray(args)) throw new RequestError(`${name} arguments must be an array, got ${kindOf(args)}`);
  const { args: schemas, required } = API[method];
  if (args.length < required) throw new RequestError(`${name} needs ${required} argument(s), got ${args.length}`);
  if (args.length > schemas.length) throw new RequestError(`${name} takes at most ${schemas.length} argument(s), got ${args.length}`);
  args.forEach((arg: unknown, i) => {
    // JSON has no undefined: a left-out optional argument arrives as null.
    if (arg === undefined || (arg === null && i >= required)) return;
    const checked = v.safeParse(schemas[i]!, arg, { abortEarly: true });
    if (!checked.success) throw new RequestError(describeIssue(checked.issues[0], `${name} argument ${i + 1}`));
  });
  return { type: 'call', id, method, args };
}

/** Checks a method's result against its schema before it leaves: closed result types hold at run time too. */
export function checkResult(method: ApiMethod, value: unknown): void {
  const checked = v.safeParse(API[method].result, value, { abortEarly: true });
  if (!checked.success) throw new ResultSchemaError(describeIssue(checked.issues[0], `${method} result`));
}

/** How an error crosses the wire: its class name and a one-line message. */
export function serializeError(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name || 'Error', message: err.message.replace(/\s*\n\s*/g, ' ').trim() };
  return { name: 'Error', message: String(err).replace(/\s*\n\s*/g, ' ').trim() };
}

/**
 * Checks (and may rewrite) a shape-checked call's arguments before the API sees them; throwing refuses the call.
 * `serve` passes the workspace scope's path policy here (native/api/scope.ts), as Electron's main does over IPC.
 */
export type ArgumentGuard = (method: ApiMethod, args: readonly unknown[]) => unknown[];

export interface DispatcherOptions {
  readonly guard?: ArgumentGuard;
  /** Told after each call that succeeded (the scope follows the open workspace). */
  readonly onResult?: (method: ApiMethod, args: readonly unknown[], value: unknown) => void;
}

export function createDispatcher(api: StudioApi, sink: MessageSink, options: DispatcherOptions = {}): Dispatcher {
  let disposed = false;
  const send = (message: OutgoingMessage): void => {
    if (!disposed) sink(message);
  };
  const unsubscribers = [
    api.onProgress((payload) => send({ type: 'event', event: 'progress', payload })),
    api.onIndexChanged((payload) => send({ type: 'event', event: 'indexChanged', payload })),
  ];

  return {
    async handle(raw) {
      const id = isObject(raw) && typeof raw['id'] === 'number' && Number.isSafeInteger(raw['id']) ? raw['id'] : -1;
      let request: WireRequest;
      try {
        request = validateRequest(raw);
      } catch (err) {
        send({ type: 'error', id, error: serializeError(err) });
        return;
      }
      try {
        const fn = api[request.method] as (...args: unknown[]) => Promise<unknown>;
        const args = request.args.map((a) => (a === null ? undefined : a));
        const guarded = options.guard ? options.guard(request.method, args) : args;
        const value = (await fn.apply(api, guarded)) ?? null;
        checkResult(request.method, value);
        options.onResult?.(request.method, guarded, value);
        send({ type: 'result', id: request.id, value });
      } catch (err) {
        send({ type: 'error', id: request.id, error: serializeError(err) });
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const off of unsubscribers) off();
    },
  };
}
