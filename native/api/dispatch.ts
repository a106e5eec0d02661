/**
 * The server side of the typed API, independent of the transport (WebSocket under `serve`, IPC/MessagePort in
 * Electron): given a StudioApi and a sink for outgoing messages, it checks each incoming WireRequest (method in
 * API_METHODS, argument shapes per method), calls the API, and sends back a result or an error as {name, message}.
 * Events (progress, index changed) are forwarded to the sink until `dispose()`.
 * No Node imports: the same code may run in a utility process or a worker.
 */
import { API_METHODS, METHODS } from './contract.js';
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

type Shape = (value: unknown, where: string) => void;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(where: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw new RequestError(`${where} must be ${expected}, got ${got}`);
}

const str: Shape = (v, w) => {
  if (typeof v !== 'string') fail(w, 'a string', v);
};
const num: Shape = (v, w) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(w, 'a finite number', v);
};
const bool: Shape = (v, w) => {
  if (typeof v !== 'boolean') fail(w, 'a boolean', v);
};
const oneOf =
  (choices: readonly string[]): Shape =>
  (v, w) => {
    if (typeof v !== 'string' || !choices.includes(v)) throw new RequestError(`${w} must be one of ${choices.join('|')}`);
  };
const stepRef: Shape = (v, w) => {
  if (v === 'final' || v === 'last') return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new RequestError(`${w} must be a step number, 'final' or 'last'`);
};
const strings: Shape = (v, w) => {
  if (!Array.isArray(v)) fail(w, 'an array of strings', v);
  v.forEach((item, i) => str(item, `${w}[${i}]`));
};

/** An object with known fields: required ones must be present, unknown ones are refused (typos surface early). */
function object(required: Record<string, Shape>, optional: Record<string, Shape> = {}): Shape {
  return (v, w) => {
    if (!isObject(v)) fail(w, 'an object', v);
    for (const [key, shape] of Object.entries(required)) {
      if (!(key in v) || v[key] === undefined) throw new RequestError(`${w}.${key} is required`);
      shape(v[key], `${w}.${key}`);
    }
    for (const [key, value] of Object.entries(v)) {
      if (key in required) continue;
      const shape = optional[key];
      if (!shape) throw new RequestError(`${w} has an unknown field '${key}'`);
      if (value !== undefined) shape(value, `${w}.${key}`);
    }
  };
}

const measureOptions = {
  keep: num,
  dims: num,
  epsilon: num,
  pwccaCompat: oneOf(['reference']),
  conv: oneOf(['channels', 'flatten', 'dft']),
  layout: oneOf(['nhwc', 'nchw']),
  neuronsFirst: bool,
  backend: oneOf(['auto', 'cpu', 'gpu']),
};
const method = oneOf(METHODS);
const callOptions = object({}, { jobId: str });

/** Per method: the shapes of its positional arguments; trailing `optional` ones may be left out. */
const SIGNATURES: Record<ApiMethod, { args: Shape[]; required: number }> = {
  workspace: { args: [], required: 0 },
  openWorkspace: { args: [str], required: 1 },
  reindex: { args: [callOptions], required: 0 },
  runs: { args: [], required: 0 },
  resolveLayer: { args: [object({ run: str, layer: str }, { step: stepRef })], required: 1 },
  compare: { args: [object({ a: str, b: str, method }, { ...measureOptions, noiseFloor: num }), callOptions], required: 1 },
  matrix: {
    args: [object({ layer: str, method }, { ...measureOptions, step: stepRef, runs: strings, groupBy: str }), callOptions],
    required: 1,
  },
  dynamics: {
    args: [object({ run: str }, { method, reference: stepRef, threshold: num }), callOptions],
    required: 1,
  },
  compress: { args: [object({ run: str, layer: str }, { step: stepRef, nextWeights: str }), callOptions], required: 1 },
  cancel: { args: [str], required: 1 },
};

/** Checks a raw message and returns it typed, or throws a RequestError naming what is wrong (one line). */
export function validateRequest(raw: unknown): WireRequest {
  if (!isObject(raw)) fail('message', 'an object', raw);
  if (raw['type'] !== 'call') throw new RequestError(`message type must be 'call'`);
  const id = raw['id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new RequestError('message id must be an integer');
  const name = raw['method'];
  if (typeof name !== 'string' || !(API_METHODS as readonly string[]).includes(name)) {
    throw new RequestError(`unknown method '${String(name).slice(0, 60)}'`);
  }
  const args = raw['args'] ?? [];
  if (!Array.isArray(args)) fail(`${name} arguments`, 'an array', args);
  const signature = SIGNATURES[name as ApiMethod];
  if (args.length < signature.required) throw new RequestError(`${name} needs ${signature.required} argument(s), got ${args.length}`);
  if (args.length > signature.args.length) throw new RequestError(`${name} takes at most ${signature.args.length} argument(s), got ${args.length}`);
  args.forEach((arg, i) => {
    if (arg === undefined || (arg === null && i >= signature.required)) return;
    signature.args[i]!(arg, `${name} argument ${i + 1}`);
  });
  return { type: 'call', id, method: name as ApiMethod, args };
}

/** How an error crosses the wire: its class name and a one-line message. */
export function serializeError(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name || 'Error', message: err.message.replace(/\s*\n\s*/g, ' ').trim() };
  return { name: 'Error', message: String(err).replace(/\s*\n\s*/g, ' ').trim() };
}

export function createDispatcher(api: StudioApi, sink: MessageSink): Dispatcher {
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
        const value = await fn.apply(api, request.args.map((a) => (a === null ? undefined : a)));
        send({ type: 'result', id: request.id, value: value ?? null });
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
