/**
 * Main's remote workspace without Electron: the token store on a fake safeStorage (there is no Electron binary
 * under Node), and the page → preload bridge → main handler path for `remote:*` and for API calls routed to an
 * attached remote (an in-process serve with the recording API).
 */
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRemoteAddress, reviveBridgedError, type ConnectionState } from '../../../native/api/client.js';
import { WorkspaceScope as ApiScope } from '../../../native/api/scope.js';
import { startServer, type RunningServer } from '../../../native/serve/server.js';
import { buildRemoteBridge, buildStudioBridge } from '../../../main/bridge.js';
import { REMOTE_OPERATIONS, remoteChannel, remoteOperationOf } from '../../../main/channels.js';
import { createIpcHandler } from '../../../main/ipc.js';
import { createRemoteIpcHandler, RemoteSession } from '../../../main/remote.js';
import { WorkspaceScope } from '../../../main/scope.js';
import { APP_ENTRY } from '../../../main/security.js';
import { TokenStore, type SafeStorageLike } from '../../../main/token-store.js';
import { recordingApi } from '../serve/fakeApi.js';

const scratch = mkdtempSync(join(tmpdir(), 'svcca-remote-main-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A keychain stand-in: reversible, but visibly not the plain text, and it can be switched off or to 'basic_text'. */
function fakeSafeStorage(options: { available?: boolean; backend?: string } = {}): SafeStorageLike & { calls: string[] } {
  const calls: string[] = [];
  const key = 0x5a;
  return {
    calls,
    isEncryptionAvailable: () => options.available ?? true,
    encryptString(plain) {
      calls.push('encrypt');
      return Buffer.concat([Buffer.from('SEALED:'), Buffer.from(plain).map((b) => b ^ key)]);
    },
    decryptString(blob) {
      calls.push('decrypt');
      if (!blob.subarray(0, 7).equals(Buffer.from('SEALED:'))) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(blob.subarray(7).map((b) => b ^ key)).toString();
    },
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
  };
}

const TOKEN = 'tok_abcdefghijklmnopqrstuvwxyz012345';

describe('TokenStore on safeStorage', () => {
  it('remembers a token only as the keychain-encrypted blob, and reads it back in a new session', () => {
    const file = join(scratch, 'a', 'remote-tokens.json');
    const safe = fakeSafeStorage();
    const store = new TokenStore(file, safe);
    expect(store.canRemember()).toBe(true);
    expect(store.put('http://127.0.0.1:8765', TOKEN, true)).toBe('keychain');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(JSON.parse(text)).toEqual({ version: 1, remotes: [{ url: 'http://127.0.0.1:8765', token: expect.any(String) }] });
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o077).toBe(0);
    // A new app start: only the blob is there; the OS decrypts it.
    const again = new TokenStore(file, fakeSafeStorage());
    expect(again.list()).toEqual([{ url: 'http://127.0.0.1:8765', storage: 'keychain' }]);
    expect(again.get('http://127.0.0.1:8765')).toBe(TOKEN);
    again.forget('http://127.0.0.1:8765');
    expect(new TokenStore(file, fakeSafeStorage()).list()).toEqual([]);
  });

  it('writes nothing without a real keychain (unavailable, or Linux basic_text): the token lasts this session only', () => {
    for (const safe of [fakeSafeStorage({ available: false }), fakeSafeStorage({ backend: 'basic_text' })]) {
      const file = join(scratch, `none-${safe.isEncryptionAvailable()}`, 'remote-tokens.json');
      const store = new TokenStore(file, safe);
      expect(store.canRemember()).toBe(false);
      expect(store.put('http://127.0.0.1:1', TOKEN, true)).toBe('session');
      expect(store.get('http://127.0.0.1:1')).toBe(TOKEN);
      expect(store.list()).toEqual([{ url: 'http://127.0.0.1:1', storage: 'session' }]);
      expect(existsSync(file)).toBe(false);
      expect(safe.calls).toEqual([]);
    }
  });

  it('drops a blob the keychain can no longer decrypt (another user, a reset keyring)', () => {
    const file = join(scratch, 'c', 'remote-tokens.json');
    new TokenStore(file, fakeSafeStorage()).put('http://127.0.0.1:2', TOKEN, true);
    const broken: SafeStorageLike = { ...fakeSafeStorage(), decryptString: () => { throw new Error('bad key'); } };
    const store = new TokenStore(file, broken);
    expect(store.get('http://127.0.0.1:2')).toBeNull();
    expect(store.list()).toEqual([]);
    expect(JSON.parse(readFileSync(file, 'utf8')).remotes).toEqual([]);
  });
});

describe('parseRemoteAddress', () => {
  it("takes serve's printed URL or host:port, and refuses plain text to another machine", () => {
    expect(parseRemoteAddress('http://127.0.0.1:8765/?token=abc')).toEqual({ url: 'http://127.0.0.1:8765', socketUrl: 'ws://127.0.0.1:8765/api', token: 'abc' });
    expect(parseRemoteAddress('localhost:9000')).toMatchObject({ url: 'http://localhost:9000', token: null });
    expect(parseRemoteAddress('https://lab.example.org/')).toMatchObject({ socketUrl: 'wss://lab.example.org/api' });
    expect(() => parseRemoteAddress('http://lab.example.org:8765')).toThrow(/SSH tunnel.*ssh -L 8765:127\.0\.0\.1:8765 lab/);
    expect(() => parseRemoteAddress('file:///etc/passwd')).toThrow(/not supported/);
    expect(() => parseRemoteAddress('  ')).toThrow(/address/);
  });
});

describe('remote:* through the bridge to main, and API calls routed to the attached remote', () => {
  const api = recordingApi();
  const labFolder = mkdtempSync(join(scratch, 'lab-'));
  let server: RunningServer;
  const frame = { url: APP_ENTRY, isMainFrame: true };
  const pageStates: ConnectionState[] = [];
  let session: RemoteSession;
  let remote: ReturnType<typeof buildRemoteBridge>;
  let studio: ReturnType<typeof buildStudioBridge>;
  let localCalls = 0;

  beforeAll(async () => {
    const staticDir = mkdtempSync(join(scratch, 'static-'));
    // The server's own scope grants a folder that main's (empty) scope does not.
    const serverScope = new ApiScope();
    serverScope.grantWorkspace(labFolder);
    server = await startServer({ api, scope: serverScope, staticDir, port: 0, token: TOKEN });
    const stateListeners = new Set<(payload: unknown) => void>();
    session = new RemoteSession({
      store: new TokenStore(join(scratch, 'ipc', 'remote-tokens.json'), fakeSafeStorage()),
      onState: (state) => stateListeners.forEach((l) => l(structuredClone(state))),
      onEvent: () => undefined,
      backoff: { initialMs: 50, factor: 2, maxMs: 200, maxAttempts: 3 },
    });
    const handleRemote = createRemoteIpcHandler(session, { devOrigin: null });
    remote = buildRemoteBridge(
      (channel, args) => handleRemote(channel, frame, structuredClone(args)),
      (_channel, listener) => (stateListeners.add(listener), () => stateListeners.delete(listener)),
    );
    remote.onState((s) => pageStates.push(s));
    const handle = createIpcHandler({
      scope: new WorkspaceScope(),
      source: { devOrigin: null },
      callHost: async () => {
        localCalls += 1;
        return { root: '/local' };
      },
      remote: () => session.call(),
    });
    studio = buildStudioBridge((channel, args) => handle(channel, frame, structuredClone(args)), () => () => undefined);
  });
  afterAll(async () => {
    session.dispose();
    await server.close();
  });

  it('names one channel per operation and refuses other senders', async () => {
    expect(REMOTE_OPERATIONS.map(remoteChannel).map(remoteOperationOf)).toEqual([...REMOTE_OPERATIONS]);
    expect(remoteOperationOf('remote:eval')).toBeNull();
    const handleRemote = createRemoteIpcHandler(session, { devOrigin: null });
    expect(await handleRemote('remote:state', { url: 'https://evil.example/', isMainFrame: true }, [])).toMatchObject({ ok: false, error: { name: 'IpcError' } });
    expect(await handleRemote('remote:connect', frame, [42])).toMatchObject({ ok: false, error: { message: expect.stringContaining('url must be a string') } });
  });

  it('connects with the keychain, routes API calls there (not to the local process), and goes back to local', async () => {
    expect(await remote.state()).toMatchObject({ phase: 'local' });
    expect(await studio.workspace()).toEqual({ root: '/local' });
    const url = `http://127.0.0.1:${server.port}`;
    expect(await remote.connect(url, TOKEN, true)).toMatchObject({ phase: 'connected', url, root: '/ws' });
    expect(await remote.saved()).toEqual([{ url, storage: 'keychain' }]);
    const before = localCalls;
    expect(await studio.workspace()).toMatchObject({ root: '/ws', runs: 2 });
    // Paths name the server's disk: main's local scope does not judge them (the server's does).
    await expect(studio.openWorkspace(labFolder)).rejects.toThrow(/no such folder/);
    expect(localCalls).toBe(before);
    expect(api.calls.some((c) => c.method === 'openWorkspace' && c.args[0] === realpathSync(labFolder))).toBe(true);
    // …and the server's scope refuses what it did not grant.
    await expect(studio.openWorkspace('/srv/elsewhere')).rejects.toThrow(/ScopeError/);
    expect(pageStates.map((s) => s.phase)).toContain('connected');
    expect(await remote.disconnect()).toMatchObject({ phase: 'local' });
    expect(await studio.workspace()).toEqual({ root: '/local' });
  });

  it('a wrong token is a refusal the page sees, and is never remembered; no token at all is a clear error', async () => {
    const url = `http://127.0.0.1:${server.port}`;
    await remote.forget(url);
    expect(await remote.connect(url, 'wrong-token-wrong-token', true)).toMatchObject({ phase: 'refused', detail: expect.stringContaining('wrong or missing token') });
    await expect(studio.runs()).rejects.toThrow(/ConnectionError/);
    expect((await remote.saved()).filter((s) => s.storage === 'keychain')).toEqual([]);
    await remote.forget(url);
    const err = await remote.connect(url).catch((e: unknown) => reviveBridgedError(e));
    expect(err).toMatchObject({ message: expect.stringContaining(`no token saved for ${url}`) });
    await remote.disconnect();
  });
});
