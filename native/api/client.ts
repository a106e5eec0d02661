/**
 * The client side of the typed API over any message transport: a WebSocket in the browser (`serve`), an IPC
 * channel or MessagePort in Electron. Returns a StudioApi whose calls become WireRequests and whose promises settle
 * on the matching WireResponse; events fan out to listeners.
 * No Node and no DOM imports: the renderer bundles this file and Electron's preload may too.
 */
import { API_METHODS } from './contract.js';
import type {
  ApiMethod,
  IndexChangedEvent,
  ProgressEvent,
  StudioApi,
  Unsubscribe,
  WireEvent,
  WireRequest,
  WireResponse,
} from './contract.js';

/** The minimum a transport offers: send a request, deliver incoming messages, and (optionally) say when it closed. */
export interface MessageTransport {
  send(message: WireRequest): void;
  onMessage(listener: (message: unknown) => void): Unsubscribe;
  /** Called when the connection is gone for good; pending calls then reject. */
  onClose?(listener: (reason: string) => void): Unsubscribe;
}

/** An error that came back from the services: keeps the server-side class name (InputError, CancelledError, …). */
export class ApiError extends Error {
  constructor(
    readonly remoteName: string,
    message: string,
  ) {
    super(message);
    this.name = remoteName;
  }
}

/** True for a call the user (or a superseding call) cancelled: the services' CancelledError, whatever transport. */
export function isCancelledError(err: unknown): boolean {
  return err instanceof Error && err.name === 'CancelledError';
}

/*
 * Electron's contextBridge rebuilds an Error thrown across it from its message alone, so the preload carries the
 * class name in the message (`CancelledError: compare cancelled`) and the page revives it here. The format lives in
 * this one file because both sides of the bridge (main/bridge.ts and the renderer) import it.
 */

/** The message the preload throws for a failed call: `<name>: <message>`. */
export function bridgedErrorMessage(error: { name: string; message: string }): string {
  return `${error.name || 'Error'}: ${error.message}`;
}

/** Reads the class name back out of a bridged message: ['CancelledError', 'compare cancelled']. */
export function splitBridgedMessage(message: string): [name: string, message: string] {
  const match = /^([A-Za-z_$][\w$]*): ([\s\S]*)$/.exec(message);
  return match ? [match[1]!, match[2]!] : ['Error', message];
}

/** An error as it arrives through the bridge, turned back into an ApiError that keeps its kind. */
export function reviveBridgedError(err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof ApiError) return err;
  const [name, message] = splitBridgedMessage(err.message);
  return name === 'Error' ? err : new ApiError(name, message);
}

/** Wraps the preload's `window.studio` so every rejected call carries its services-side kind again. */
export function reviveBridgedErrors(bridged: StudioApi): StudioApi {
  const api: Record<string, unknown> = { ...(bridged as unknown as Record<string, unknown>) };
  for (const method of API_METHODS) {
    const call = (bridged as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[method]!;
    api[method] = (...args: unknown[]): Promise<unknown> =>
      call(...args).catch((err: unknown) => {
        throw reviveBridgedError(err);
      });
  }
  return Object.freeze(api) as unknown as StudioApi;
}

export type ApiClient = StudioApi & {
  /** Rejects pending calls and stops listening to the transport. */
  dispose(): void;
};

type Pending = { resolve: (value: unknown) => void; reject: (reason: Error) => void };

function isResponse(message: unknown): message is WireResponse | WireEvent {
  if (typeof message !== 'object' || message === null) return false;
  const type = (message as { type?: unknown }).type;
  return type === 'result' || type === 'error' || type === 'event';
}

export function createApiClient(transport: MessageTransport): ApiClient {
  let nextId = 1;
  let closedReason: string | null = null;
  const pending = new Map<number, Pending>();
  const progressListeners = new Set<(event: ProgressEvent) => void>();
  const indexListeners = new Set<(event: IndexChangedEvent) => void>();

  const rejectAll = (reason: string): void => {
    closedReason = reason;
    for (const p of pending.values()) p.reject(new ApiError('ConnectionError', reason));
    pending.clear();
  };

  const offMessage = transport.onMessage((message) => {
    if (!isResponse(message)) return;
    if (message.type === 'event') {
      // A listener that throws must not stop the others nor the transport.
      const listeners: Set<(payload: never) => void> = message.event === 'progress' ? progressListeners : indexListeners;
      for (const listener of listeners) {
        try {
          listener(message.payload as never);
        } catch (err) {
          console.error(err);
        }
      }
      return;
    }
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    if (message.type === 'result') call.resolve(message.value);
    else call.reject(new ApiError(message.error.name, message.error.message));
  });
  const offClose = transport.onClose?.((reason) => rejectAll(reason || 'connection closed'));

  const call = (method: ApiMethod, args: unknown[]): Promise<unknown> => {
    if (closedReason !== null) return Promise.reject(new ApiError('ConnectionError', closedReason));
    const id = nextId++;
    // Trailing undefined arguments are dropped so that JSON transports do not turn them into nulls.
    while (args.length > 0 && args[args.length - 1] === undefined) args = args.slice(0, -1);
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      try {
        transport.send({ type: 'call', id, method, args });
      } catch (err) {
        pending.delete(id);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  };

  const api = {} as Record<string, unknown>;
  for (const method of API_METHODS) api[method] = (...args: unknown[]) => call(method, args);
  api['onProgress'] = (listener: (event: ProgressEvent) => void): Unsubscribe => {
    progressListeners.add(listener);
    return () => progressListeners.delete(listener);
  };
  api['onIndexChanged'] = (listener: (event: IndexChangedEvent) => void): Unsubscribe => {
    indexListeners.add(listener);
    return () => indexListeners.delete(listener);
  };
  api['dispose'] = () => {
    offMessage();
    offClose?.();
    rejectAll('client disposed');
    progressListeners.clear();
    indexListeners.clear();
  };
  return api as unknown as ApiClient;
}
