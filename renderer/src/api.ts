/**
 * The ONE place that finds the services. Inside Electron the preload exposes the typed API as `window.studio` and
 * the remote-workspace control as `window.studioRemote` (main holds a remote link itself, so the page's CSP stays
 * closed). In a browser (under `svcca-studio serve`) the API is a WebSocket to the serving host, authenticated by
 * the token from the page URL, and the page attaches to a remote serve itself, through its tunnel's loopback port.
 * Views import `api` and `remote` from here and nothing else.
 */
import {
  createApiClient,
  createRemoteClient,
  isRefusalCode,
  LinkChannel,
  LinkError,
  parseRemoteAddress,
  reviveBridgedError,
  reviveBridgedErrors,
} from '../../native/api/client.js';
import type { ApiClient, ConnectionState, Dial, Link, MessageTransport, RemoteClient, RemoteControl, SavedRemote } from '../../native/api/client.js';
import type { IndexChangedEvent, ProgressEvent, StudioApi, Unsubscribe } from '../../native/api/contract.js';
import { API_METHODS } from '../../native/api/contract.js';

declare global {
  interface Window {
    studio?: StudioApi;
    studioRemote?: RemoteControl;
  }
}

function webSocketTransport(url: string): MessageTransport {
  const socket = new WebSocket(url);
  const queue: string[] = [];
  const messageListeners = new Set<(message: unknown) => void>();
  const closeListeners = new Set<(reason: string) => void>();
  socket.addEventListener('open', () => {
    for (const text of queue.splice(0)) socket.send(text);
  });
  socket.addEventListener('message', (event) => {
    let message: unknown;
    try {
      message = JSON.parse(String(event.data));
    } catch {
      return;
    }
    for (const listener of messageListeners) listener(message);
  });
  socket.addEventListener('close', (event) => {
    const reason = `connection to the studio server closed (${event.code}${event.reason ? `: ${event.reason}` : ''}); reload the page`;
    for (const listener of closeListeners) listener(reason);
  });
  return {
    send(message) {
      const text = JSON.stringify(message);
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
      else if (socket.readyState === WebSocket.CONNECTING) queue.push(text);
      else throw new Error('connection to the studio server is closed; reload the page');
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    onClose(listener) {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
  };
}

/** One link to a remote serve with the browser's WebSocket (the page's CSP allows loopback ws: ports only). */
function browserDial(socketUrl: string, url: string, token: string): Dial {
  return () =>
    new Promise<Link>((resolve, reject) => {
      const socket = new WebSocket(`${socketUrl}?token=${encodeURIComponent(token)}`);
      let opened = false;
      const channel = new LinkChannel();
      socket.addEventListener('message', (event) => channel.deliver(String(event.data)));
      socket.addEventListener('close', (event) => {
        const refused = isRefusalCode(event.code);
        const reason = event.reason || (opened ? 'the connection dropped' : `cannot reach ${url}: is the SSH tunnel up and serve running there?`);
        if (!opened) return reject(new LinkError(reason, refused));
        channel.closed({ reason, refused });
      });
      socket.addEventListener('open', () => {
        opened = true;
        resolve(
          channel.link(
            (text) => {
              if (socket.readyState !== WebSocket.OPEN) throw new Error(`the connection to ${url} is closed`);
              socket.send(text);
            },
            () => {
              if (socket.readyState <= WebSocket.OPEN) socket.close(1000, 'client closed');
            },
          ),
        );
      });
    });
}

/*
 * Browser-mode tokens: this tab's sessionStorage by default; with "remember" (opt-in) in this browser profile, but
 * encrypted with a non-extractable AES-GCM key kept in IndexedDB, never as plain text in localStorage. (Only a page
 * of the same origin — the same local serve port — can use that key; the OS keychain exists only in Electron.)
 */
const SESSION_KEY = 'svcca-remote-session';
const SAVED_KEY = 'svcca-remote-saved';

function readJson<T>(storage: Storage, key: string, fallback: T): T {
  try {
    return (JSON.parse(storage.getItem(key) ?? 'null') as T | null) ?? fallback;
  } catch {
    return fallback;
  }
}

async function profileKey(): Promise<CryptoKey> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open('svcca-studio', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('keys');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB unavailable'));
  });
  const stored = await new Promise<CryptoKey | undefined>((resolve, reject) => {
    const get = db.transaction('keys').objectStore('keys').get('remote-tokens');
    get.onsuccess = () => resolve(get.result as CryptoKey | undefined);
    get.onerror = () => reject(get.error ?? new Error('IndexedDB read failed'));
  });
  if (stored) return stored;
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  await new Promise<void>((resolve, reject) => {
    const put = db.transaction('keys', 'readwrite').objectStore('keys').put(key, 'remote-tokens');
    put.onsuccess = () => resolve();
    put.onerror = () => reject(put.error ?? new Error('IndexedDB write failed'));
  });
  return key;
}

const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const chars = atob(text);
  const out = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) out[i] = chars.charCodeAt(i);
  return out;
}

async function rememberToken(url: string, token: string): Promise<void> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await profileKey(), new TextEncoder().encode(token)));
  const saved = readJson<Record<string, string>>(localStorage, SAVED_KEY, {});
  saved[url] = `${toBase64(iv)}.${toBase64(sealed)}`;
  localStorage.setItem(SAVED_KEY, JSON.stringify(saved));
}

async function recallToken(url: string): Promise<string | null> {
  const session = readJson<Record<string, string>>(sessionStorage, SESSION_KEY, {});
  if (session[url]) return session[url]!;
  const blob = readJson<Record<string, string>>(localStorage, SAVED_KEY, {})[url];
  if (!blob) return null;
  try {
    const [iv, sealed] = blob.split('.') as [string, string];
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(iv) }, await profileKey(), fromBase64(sealed));
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}

function savedRemotes(): SavedRemote[] {
  const out: SavedRemote[] = Object.keys(readJson<Record<string, string>>(localStorage, SAVED_KEY, {})).map((url) => ({ url, storage: 'browser' }));
  for (const url of Object.keys(readJson<Record<string, string>>(sessionStorage, SESSION_KEY, {}))) {
    if (!out.some((s) => s.url === url)) out.push({ url, storage: 'session' });
  }
  return out;
}

function forgetToken(url: string): void {
  for (const [storage, key] of [[sessionStorage, SESSION_KEY], [localStorage, SAVED_KEY]] as const) {
    const entries = readJson<Record<string, string>>(storage, key, {});
    delete entries[url];
    storage.setItem(key, JSON.stringify(entries));
  }
}

const LOCAL: ConnectionState = { phase: 'local', url: null, detail: "this server's workspace" };

/**
 * Browser mode: the local serve's client and, while attached, a remote one; `api` follows whichever is current,
 * and events reach the page only from it.
 */
function browserServices(): { api: StudioApi; remote: RemoteControl } {
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const local: ApiClient = createApiClient(webSocketTransport(`${scheme}//${window.location.host}/api?token=${encodeURIComponent(token)}`));
  let attached: RemoteClient | null = null;
  const progress = new Set<(event: ProgressEvent) => void>();
  const changed = new Set<(event: IndexChangedEvent) => void>();
  const states = new Set<(state: ConnectionState) => void>();
  const current = (): StudioApi => attached ?? local;
  local.onProgress((event) => !attached && progress.forEach((l) => l(event)));
  local.onIndexChanged((event) => !attached && changed.forEach((l) => l(event)));
  const tell = (state: ConnectionState): void => states.forEach((l) => l(state));

  const api: Record<string, unknown> = {};
  for (const method of API_METHODS) {
    api[method] = (...args: unknown[]): Promise<unknown> => (current() as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args);
  }
  api['onProgress'] = (listener: (event: ProgressEvent) => void): Unsubscribe => (progress.add(listener), () => progress.delete(listener));
  api['onIndexChanged'] = (listener: (event: IndexChangedEvent) => void): Unsubscribe => (changed.add(listener), () => changed.delete(listener));

  const settled = (client: RemoteClient): Promise<ConnectionState> =>
    new Promise((resolve) => {
      const done = (s: ConnectionState): boolean => (s.phase !== 'connecting' && s.phase !== 'reconnecting') || (s.attempt ?? 0) >= 1;
      if (done(client.state())) return resolve(client.state());
      const off = client.onState((s) => {
        if (done(s)) {
          off();
          resolve(s);
        }
      });
    });

  const remote: RemoteControl = {
    state: async () => attached?.state() ?? LOCAL,
    async connect(input, given, remember = false) {
      const address = parseRemoteAddress(input);
      const chosen = given || address.token || (await recallToken(address.url));
      if (!chosen) throw new Error(`no token saved for ${address.url}: give the token that svcca-studio serve printed there`);
      const session = readJson<Record<string, string>>(sessionStorage, SESSION_KEY, {});
      session[address.url] = chosen;
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
      attached?.dispose();
      const client = createRemoteClient({ url: address.url, dial: browserDial(address.socketUrl, address.url, chosen) });
      attached = client;
      let saved = false;
      client.onState((state) => {
        if (attached !== client) return;
        if (state.phase === 'connected' && remember && !saved) {
          saved = true;
          void rememberToken(address.url, chosen).catch(() => undefined);
        }
        tell(state);
      });
      client.onProgress((event) => attached === client && progress.forEach((l) => l(event)));
      client.onIndexChanged((event) => attached === client && changed.forEach((l) => l(event)));
      return settled(client);
    },
    async reconnect() {
      if (!attached) return LOCAL;
      attached.reconnect();
      return settled(attached);
    },
    async disconnect() {
      attached?.dispose();
      attached = null;
      tell(LOCAL);
      return LOCAL;
    },
    saved: async () => savedRemotes(),
    async forget(url) {
      forgetToken(parseRemoteAddress(url).url);
      return savedRemotes();
    },
    onState: (listener) => (states.add(listener), () => states.delete(listener)),
  };
  return { api: Object.freeze(api) as unknown as StudioApi, remote };
}

/** The preload's control, with its errors' kinds revived as for the API. */
function electronRemote(bridged: RemoteControl): RemoteControl {
  const wrap =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      call(...args).catch((err: unknown) => {
        throw reviveBridgedError(err);
      });
  return {
    state: wrap(bridged.state),
    connect: wrap(bridged.connect),
    reconnect: wrap(bridged.reconnect),
    disconnect: wrap(bridged.disconnect),
    saved: wrap(bridged.saved),
    forget: wrap(bridged.forget),
    onState: (listener) => bridged.onState(listener),
  };
}

function findServices(): { api: StudioApi; remote: RemoteControl } {
  // Through Electron's contextBridge an error keeps only its message; revive its kind (CancelledError, …).
  if (window.studio && window.studioRemote) return { api: reviveBridgedErrors(window.studio), remote: electronRemote(window.studioRemote) };
  return browserServices();
}

const services = findServices();
export const api: StudioApi = services.api;
export const remote: RemoteControl = services.remote;

/** Caller-chosen job ids let a view show progress for, and cancel, exactly its own call. */
let jobCounter = 0;
export function newJobId(prefix: string): string {
  jobCounter += 1;
  return `${prefix}-${Date.now().toString(36)}-${jobCounter}`;
}
