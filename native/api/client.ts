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
  WorkspaceInfo,
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

/*
 * A remote workspace: the app attached to a `svcca-studio serve` on another machine (usually through an SSH
 * tunnel, so its URL is a loopback one here). The link can drop at any time; the client below redials with
 * backoff, fails what was in flight with a ConnectionError, and tells the page when it is back so the views reload.
 * Transport-free: the page dials with the browser's WebSocket, Electron's main with the `ws` package.
 */

/** local: no remote attached. refused: the server answered but said no (token, origin): retrying cannot help. */
export type ConnectionPhase = 'local' | 'connecting' | 'connected' | 'reconnecting' | 'lost' | 'refused';

export interface ConnectionState {
  phase: ConnectionPhase;
  /** The remote server's address without its token; null when local. */
  url: string | null;
  /** One line for the user: what happened and what to do. */
  detail: string;
  /** The remote workspace's folder (on the server), once connected. */
  root?: string;
  /** Redial attempts so far in this outage, and when the next one starts. */
  attempt?: number;
  retryInMs?: number;
}

/** A remote this app may reconnect to without retyping the token; the token itself never comes back to the page. */
export interface SavedRemote {
  url: string;
  /** keychain: encrypted by the OS (Electron safeStorage); browser: this browser profile (opted in); session: this tab only. */
  storage: 'keychain' | 'browser' | 'session';
}

/** What the page uses to attach to, watch and leave a remote server. Electron's preload exposes it as `window.studioRemote`. */
export interface RemoteControl {
  state(): Promise<ConnectionState>;
  /** `token` omitted: the one saved for `url`. `remember`: keep it past this session (keychain where there is one). */
  connect(url: string, token?: string, remember?: boolean): Promise<ConnectionState>;
  /** Redials now (after 'lost', or to skip the wait). */
  reconnect(): Promise<ConnectionState>;
  /** Back to this machine's own workspace. */
  disconnect(): Promise<ConnectionState>;
  saved(): Promise<SavedRemote[]>;
  forget(url: string): Promise<SavedRemote[]>;
  onState(listener: (state: ConnectionState) => void): Unsubscribe;
}

/** How a link ended: `refused` when the server turned the caller away (wrong token, origin not allowed). */
export interface LinkClosed {
  reason: string;
  refused: boolean;
}

/** One open connection to a remote server, as a dialer hands it over. */
export interface Link {
  send(message: WireRequest): void;
  onMessage(listener: (message: unknown) => void): Unsubscribe;
  /** On a link that has already closed, the listener is called at once: a close may beat the first listener. */
  onClose(listener: (closed: LinkClosed) => void): Unsubscribe;
  close(): void;
}

/**
 * The bookkeeping every dialer's Link shares (main's over the ws package, the page's over the browser's WebSocket):
 * the dialer feeds it the server's text frames and the close, and wraps its socket's send and close.
 */
export class LinkChannel {
  private readonly messageListeners = new Set<(message: unknown) => void>();
  private readonly closeListeners = new Set<(closed: LinkClosed) => void>();
  private closedWith: LinkClosed | null = null;

  /** A text frame from the server, delivered parsed; a frame that is not JSON is dropped. */
  deliver(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    for (const listener of this.messageListeners) listener(message);
  }

  /** The link has closed (only the first close counts). */
  closed(closed: LinkClosed): void {
    if (this.closedWith) return;
    this.closedWith = closed;
    for (const listener of this.closeListeners) listener(closed);
  }

  link(send: (text: string) => void, close: () => void): Link {
    return {
      send: (message) => send(JSON.stringify(message)),
      onMessage: (listener) => {
        this.messageListeners.add(listener);
        return () => this.messageListeners.delete(listener);
      },
      onClose: (listener) => {
        if (this.closedWith) listener(this.closedWith);
        else this.closeListeners.add(listener);
        return () => this.closeListeners.delete(listener);
      },
      close,
    };
  }
}

/** Opens one link; rejects with a LinkError when it cannot. */
export type Dial = () => Promise<Link>;

export class LinkError extends Error {
  override name = 'LinkError';
  constructor(
    message: string,
    readonly refused: boolean,
  ) {
    super(message);
  }
}

/**
 * The close codes `serve` uses when it refuses a WebSocket after the handshake: a browser hides the HTTP status of
 * a refused handshake, so only a close code can tell the page "wrong token" apart from "nobody there".
 */
export const CLOSE_WRONG_TOKEN = 4401;
export const CLOSE_FOREIGN_ORIGIN = 4403;

export function isRefusalCode(code: number): boolean {
  return code === CLOSE_WRONG_TOKEN || code === CLOSE_FOREIGN_ORIGIN;
}

export interface Backoff {
  /** First redial delay. */
  initialMs: number;
  /** Each further delay is this many times the last… */
  factor: number;
  /** …up to this. */
  maxMs: number;
  /** After this many failed redials in a row the state is 'lost' and redialing stops until the user asks. */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, factor: 2, maxMs: 10_000, maxAttempts: 30 };

/** The wait before redial `attempt` (1-based): exponential, capped. */
export function backoffDelay(attempt: number, backoff: Backoff): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  return Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** (attempt - 1));
}

/** The timer functions the client uses (tests pass fake ones). */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type RemoteClient = ApiClient & {
  state(): ConnectionState;
  onState(listener: (state: ConnectionState) => void): Unsubscribe;
  /** Redials now, from any phase but connected. */
  reconnect(): void;
};

export interface RemoteClientOptions {
  /** The address shown to the user (no token). */
  url: string;
  dial: Dial;
  backoff?: Backoff;
  timers?: Timers;
}

const defaultTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * An ApiClient on a remote server that survives dropped links. A link counts as connected only once the server
 * answered `workspace()` (so a refusal that arrives just after the handshake never shows as connected). On a drop:
 * pending calls reject with ConnectionError, new calls reject at once until the link is back, and after every
 * reconnect an indexChanged event makes the views reload their lists.
 */
export function createRemoteClient(options: RemoteClientOptions): RemoteClient {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const timers = options.timers ?? defaultTimers;
  const url = options.url;
  let state: ConnectionState = { phase: 'connecting', url, detail: `connecting to ${url}…` };
  let client: ApiClient | null = null;
  let link: Link | null = null;
  let timer: unknown = null;
  let attempt = 0;
  let everConnected = false;
  let disposed = false;
  let generation = 0;
  const stateListeners = new Set<(state: ConnectionState) => void>();
  const progressListeners = new Set<(event: ProgressEvent) => void>();
  const indexListeners = new Set<(event: IndexChangedEvent) => void>();

  const emit = <T>(listeners: Set<(payload: T) => void>, payload: T): void => {
    for (const listener of listeners) {
      try {
        listener(payload);
      } catch (err) {
        console.error(err);
      }
    }
  };
  const setState = (next: ConnectionState): void => {
    state = next;
    emit(stateListeners, next);
  };

  const dropLink = (): void => {
    const old = client;
    client = null;
    link?.close();
    link = null;
    old?.dispose();
  };

  const scheduleRedial = (why: string): void => {
    attempt += 1;
    if (attempt > backoff.maxAttempts) {
      setState({
        phase: 'lost',
        url,
        detail: `lost ${url} (${why}); check the SSH tunnel and that svcca-studio serve still runs on the server, then press Reconnect`,
        attempt: attempt - 1,
      });
      return;
    }
    const wait = backoffDelay(attempt, backoff);
    setState({ phase: everConnected ? 'reconnecting' : 'connecting', url, detail: `${why}; retrying in ${(wait / 1000).toFixed(1)} s`, attempt, retryInMs: wait });
    timer = timers.setTimeout(() => {
      timer = null;
      void open();
    }, wait);
  };

  const refused = (why: string): void => {
    dropLink();
    setState({ phase: 'refused', url, detail: `${url} refused the connection: ${why}` });
  };

  const open = async (): Promise<void> => {
    const mine = ++generation;
    let opened: Link;
    try {
      opened = await options.dial();
    } catch (err) {
      if (disposed || mine !== generation) return;
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof LinkError && err.refused) return refused(message);
      return scheduleRedial(message);
    }
    if (disposed || mine !== generation) return void opened.close();
    link = opened;
    let closedEarly: LinkClosed | null = null;
    let onClosed: (closed: LinkClosed) => void = (closed) => {
      closedEarly = closed;
    };
    const transport: MessageTransport = {
      send: (message) => opened.send(message),
      onMessage: (listener) => opened.onMessage(listener),
      onClose: (listener) =>
        opened.onClose((closed) =>
          listener(`${closed.refused ? 'refused' : 'connection lost'}: ${closed.reason}${closed.refused ? '' : '; reconnecting'}`),
        ),
    };
    const inner = createApiClient(transport);
    opened.onClose((closed) => onClosed(closed));
    inner.onProgress((event) => emit(progressListeners, event));
    inner.onIndexChanged((event) => emit(indexListeners, event));
    let info: WorkspaceInfo;
    try {
      info = (await inner.workspace()) as WorkspaceInfo;
    } catch (err) {
      if (disposed || mine !== generation) return;
      // A refusal closes the link right after the handshake; the failed call may notice first: wait for the why.
      const closed: LinkClosed | null =
        closedEarly ??
        (await new Promise<LinkClosed | null>((resolve) => {
          const wait = timers.setTimeout(() => resolve(null), 2000);
          onClosed = (c) => {
            timers.clearTimeout(wait);
            resolve(c);
          };
        }));
      if (disposed || mine !== generation) return;
      inner.dispose();
      opened.close();
      link = null;
      if (closed !== null && (closed as LinkClosed).refused) return refused((closed as LinkClosed).reason);
      return scheduleRedial(err instanceof Error ? err.message : String(err));
    }
    if (disposed || mine !== generation) return void inner.dispose();
    client = inner;
    onClosed = (closed) => {
      if (disposed || mine !== generation) return;
      dropLink();
      if (closed.refused) return refused(closed.reason);
      attempt = 0;
      scheduleRedial(`connection lost (${closed.reason})`);
    };
    const again = everConnected;
    everConnected = true;
    attempt = 0;
    setState({ phase: 'connected', url, detail: `connected to ${url} (${info.root}, ${info.runs} runs)`, root: info.root });
    // The lists the page shows may be stale after an outage: tell it the way the index does.
    if (again) {
      emit(indexListeners, { root: info.root, report: { runs: info.runs, checkpoints: info.checkpoints, arrays: info.arrays, errors: info.errors } });
    }
  };

  const notConnected = (): ApiError =>
    new ApiError('ConnectionError', `not connected to ${url} (${state.phase}): ${state.detail}`);

  const api = {} as Record<string, unknown>;
  for (const method of API_METHODS) {
    api[method] = (...args: unknown[]): Promise<unknown> => {
      const current = client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>> | null;
      if (disposed) return Promise.reject(new ApiError('ConnectionError', `the connection to ${url} was closed`));
      if (!current || state.phase !== 'connected') return Promise.reject(notConnected());
      return current[method]!(...args);
    };
  }
  api['onProgress'] = (listener: (event: ProgressEvent) => void): Unsubscribe => {
    progressListeners.add(listener);
    return () => progressListeners.delete(listener);
  };
  api['onIndexChanged'] = (listener: (event: IndexChangedEvent) => void): Unsubscribe => {
    indexListeners.add(listener);
    return () => indexListeners.delete(listener);
  };
  api['state'] = (): ConnectionState => state;
  api['onState'] = (listener: (state: ConnectionState) => void): Unsubscribe => {
    stateListeners.add(listener);
    return () => stateListeners.delete(listener);
  };
  api['reconnect'] = (): void => {
    if (disposed || state.phase === 'connected') return;
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    attempt = 0;
    dropLink();
    setState({ phase: everConnected ? 'reconnecting' : 'connecting', url, detail: `connecting to ${url}…` });
    void open();
  };
  api['dispose'] = (): void => {
    if (disposed) return;
    disposed = true;
    generation += 1;
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    dropLink();
    stateListeners.clear();
    progressListeners.clear();
    indexListeners.clear();
  };
  void open();
  return api as unknown as RemoteClient;
}

/** Where a remote server is and the token it wants, from what the user typed. */
export interface RemoteAddress {
  /** http(s)://host:port, what the user sees. */
  url: string;
  /** ws(s)://host:port/api: where the API listens. */
  socketUrl: string;
  /** The token the URL carried (`?token=`), if any. */
  token: string | null;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Reads a remote server's address: the URL `serve` printed (`http://127.0.0.1:8765/?token=…`), or host:port.
 * Plain http/ws only to a loopback address (an SSH tunnel's end, which encrypts): the token must never cross a
 * network in clear text. https/wss go anywhere (a server behind a TLS proxy). Throws a one-line Error otherwise.
 */
export function parseRemoteAddress(input: string): RemoteAddress {
  const text = input.trim();
  if (text === '') throw new Error('give the address of the remote svcca-studio serve, e.g. http://127.0.0.1:8765');
  let parsed: URL;
  try {
    parsed = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    throw new Error(`'${text.slice(0, 80)}' is not an address like http://127.0.0.1:8765`);
  }
  const secure = parsed.protocol === 'https:' || parsed.protocol === 'wss:';
  if (!secure && parsed.protocol !== 'http:' && parsed.protocol !== 'ws:') {
    throw new Error(`'${parsed.protocol}' addresses are not supported: use http://127.0.0.1:PORT (an SSH tunnel) or https://`);
  }
  if (!secure && !LOOPBACK_NAMES.has(parsed.hostname)) {
    throw new Error(
      `${parsed.host} is not this machine: reach the lab server through an SSH tunnel (ssh -L 8765:127.0.0.1:8765 lab) and use http://127.0.0.1:8765, or use https://`,
    );
  }
  const host = parsed.host;
  return {
    url: `${secure ? 'https' : 'http'}://${host}`,
    socketUrl: `${secure ? 'wss' : 'ws'}://${host}/api`,
    token: parsed.searchParams.get('token'),
  };
}
