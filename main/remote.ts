/**
 * Main's remote workspace: at most one attached `svcca-studio serve`, its reconnecting client, and the tokens
 * (token-store.ts). While a remote is attached (in any phase) every API call goes to it — never silently to the
 * local compute process — and its events reach the page as the local ones do. Without Electron: tested under Node.
 */
import {
  createRemoteClient,
  parseRemoteAddress,
  type Backoff,
  type ConnectionState,
  type Dial,
  type RemoteClient,
  type SavedRemote,
} from '../native/api/client.js';
import type { ApiMethod, WireEvent } from '../native/api/contract.js';
import { serializeError } from '../native/api/dispatch.js';
import { remoteOperationOf, type IpcReply } from './channels.js';
import { checkSender, IpcError, type SenderFrame } from './ipc.js';
import { wsDial } from './remote-dial.js';
import type { RendererSource } from './security.js';
import type { TokenStore } from './token-store.js';

export const LOCAL_STATE: ConnectionState = { phase: 'local', url: null, detail: "this machine's workspace" };

export interface RemoteSessionOptions {
  store: TokenStore;
  onState(state: ConnectionState): void;
  onEvent(event: WireEvent): void;
  dial?: (socketUrl: string, token: string) => Dial;
  backoff?: Backoff;
  /** connect() answers once the first attempt settled, or after this long. */
  settleMs?: number;
}

const MAX_TOKEN_CHARS = 512;

export class RemoteSession {
  private client: RemoteClient | null = null;

  constructor(private readonly options: RemoteSessionOptions) {}

  state(): ConnectionState {
    return this.client?.state() ?? LOCAL_STATE;
  }

  /** Where calls go while a remote is attached; null: to the local compute process. */
  call(): ((method: ApiMethod, args: unknown[]) => Promise<unknown>) | null {
    const client = this.client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>> | null;
    return client ? (method, args) => client[method]!(...args) : null;
  }

  async connect(input: string, token?: string, remember = false): Promise<ConnectionState> {
    const address = parseRemoteAddress(input);
    const chosen = token || address.token || this.options.store.get(address.url);
    if (!chosen) throw new Error(`no token saved for ${address.url}: give the token that svcca-studio serve printed there`);
    if (chosen.length > MAX_TOKEN_CHARS || /\s/.test(chosen)) throw new Error('that is not a serve token (no spaces, at most 512 characters)');
    this.options.store.put(address.url, chosen, false);
    this.drop();
    const client = createRemoteClient({
      url: address.url,
      dial: (this.options.dial ?? wsDial)(address.socketUrl, chosen),
      ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
    });
    this.client = client;
    let saved = false;
    client.onState((state) => {
      if (this.client !== client) return;
      // Kept past this session only once the server took it: a mistyped token is never remembered.
      if (state.phase === 'connected' && remember && !saved) {
        saved = true;
        this.options.store.put(address.url, chosen, true);
      }
      this.options.onState(state);
    });
    client.onProgress((payload) => this.options.onEvent({ type: 'event', event: 'progress', payload }));
    client.onIndexChanged((payload) => this.options.onEvent({ type: 'event', event: 'indexChanged', payload }));
    return this.settled(client);
  }

  async reconnect(): Promise<ConnectionState> {
    if (!this.client) return LOCAL_STATE;
    this.client.reconnect();
    return this.settled(this.client);
  }

  disconnect(): ConnectionState {
    this.drop();
    this.options.onState(LOCAL_STATE);
    return LOCAL_STATE;
  }

  saved(): SavedRemote[] {
    return this.options.store.list();
  }

  forget(url: string): SavedRemote[] {
    this.options.store.forget(parseRemoteAddress(url).url);
    return this.saved();
  }

  dispose(): void {
    this.drop();
  }

  private drop(): void {
    const old = this.client;
    this.client = null;
    old?.dispose();
  }

  /** The first answer worth showing: connected, refused, lost, or the first failed attempt. */
  private settled(client: RemoteClient): Promise<ConnectionState> {
    const done = (s: ConnectionState): boolean => s.phase !== 'connecting' && s.phase !== 'reconnecting' || (s.attempt ?? 0) >= 1;
    if (done(client.state())) return Promise.resolve(client.state());
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(client.state()), this.options.settleMs ?? 15_000);
      const off = client.onState((s) => done(s) && finish(s));
      const finish = (s: ConnectionState): void => {
        clearTimeout(timer);
        off();
        resolve(s);
      };
    });
  }
}

function stringArg(value: unknown, name: string, max = 2048): string {
  if (typeof value !== 'string' || value.length > max) throw new IpcError(`${name} must be a string of at most ${max} characters`);
  return value;
}

export type RemoteIpcHandler = (channel: string, frame: SenderFrame | null, args: unknown[]) => Promise<IpcReply>;

/** Main's answer to the preload's `remote:*` invokes: the same sender check as the API channels, then plain arguments. */
export function createRemoteIpcHandler(session: RemoteSession, source: RendererSource): RemoteIpcHandler {
  return async (channel, frame, args) => {
    try {
      checkSender(frame, source);
      const operation = remoteOperationOf(channel);
      if (!operation) throw new IpcError(`unknown channel '${channel.slice(0, 60)}'`);
      switch (operation) {
        case 'state':
          return { ok: true, value: session.state() };
        case 'connect': {
          const url = stringArg(args[0], 'url');
          const token = args[1] === undefined || args[1] === null || args[1] === '' ? undefined : stringArg(args[1], 'token', MAX_TOKEN_CHARS);
          if (args[2] !== undefined && typeof args[2] !== 'boolean') throw new IpcError('remember must be true or false');
          return { ok: true, value: await session.connect(url, token, args[2] === true) };
        }
        case 'reconnect':
          return { ok: true, value: await session.reconnect() };
        case 'disconnect':
          return { ok: true, value: session.disconnect() };
        case 'saved':
          return { ok: true, value: session.saved() };
        case 'forget':
          return { ok: true, value: session.forget(stringArg(args[0], 'url')) };
      }
    } catch (err) {
      return { ok: false, error: serializeError(err) };
    }
  };
}
