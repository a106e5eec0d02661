import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  createRemoteClient,
  DEFAULT_BACKOFF,
  LinkError,
  type ConnectionState,
  type Link,
  type LinkClosed,
  type Timers,
} from '../../../native/api/client.js';
import { createDispatcher } from '../../../native/api/dispatch.js';
import { recordingApi } from '../serve/fakeApi.js';

/** Timers that run only when the test says so. */
function manualTimers(): Timers & { pending(): number[]; fire(): void } {
  const queue: Array<{ id: number; ms: number; run: () => void }> = [];
  let next = 1;
  return {
    setTimeout(run, ms) {
      const id = next++;
      queue.push({ id, ms, run });
      return id;
    },
    clearTimeout(handle) {
      const i = queue.findIndex((t) => t.id === handle);
      if (i >= 0) queue.splice(i, 1);
    },
    pending: () => queue.map((t) => t.ms),
    fire() {
      const t = queue.shift();
      if (!t) throw new Error('no timer pending');
      t.run();
    },
  };
}

/** A fake server: links to the recording API through the real dispatcher; `up` decides whether a dial succeeds. */
function fakeServer() {
  const api = recordingApi();
  const server = { up: true, refuse: false, dials: 0, links: new Set<{ drop(reason: string, refused?: boolean): void }>() };
  const dial = async (): Promise<Link> => {
    server.dials += 1;
    if (!server.up) throw new LinkError('connect ECONNREFUSED 127.0.0.1:8765', false);
    const messageListeners = new Set<(m: unknown) => void>();
    const closeListeners = new Set<(c: LinkClosed) => void>();
    let open = true;
    let closedWith: LinkClosed | null = null;
    const dispatcher = createDispatcher(api, (message) => {
      if (open) queueMicrotask(() => messageListeners.forEach((l) => l(JSON.parse(JSON.stringify(message)))));
    });
    const drop = (reason: string, refused = false): void => {
      if (!open) return;
      open = false;
      closedWith = { reason, refused };
      dispatcher.dispose();
      server.links.delete(handle);
      closeListeners.forEach((l) => l({ reason, refused }));
    };
    const handle = { drop };
    server.links.add(handle);
    if (server.refuse) queueMicrotask(() => drop('wrong token', true));
    return {
      send: (message) => {
        if (open) void dispatcher.handle(JSON.parse(JSON.stringify(message)));
      },
      onMessage: (l) => (messageListeners.add(l), () => messageListeners.delete(l)),
      onClose: (l) => {
        if (closedWith) l(closedWith);
        else closeListeners.add(l);
        return () => closeListeners.delete(l);
      },
      close: () => drop('closed by the client'),
    };
  };
  const dropAll = (reason: string): void => [...server.links].forEach((l) => l.drop(reason));
  return { api, server, dial, dropAll };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe('backoffDelay', () => {
  it('doubles from the first delay and stops at the cap', () => {
    const b = { initialMs: 500, factor: 2, maxMs: 10_000, maxAttempts: 30 };
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelay(a, b))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(() => backoffDelay(0, b)).toThrow(RangeError);
    expect(backoffDelay(1, DEFAULT_BACKOFF)).toBeGreaterThan(0);
  });
});

describe('createRemoteClient', () => {
  it('connects, fails pending calls with ConnectionError on a drop, redials with backoff and reloads the views when back', async () => {
    const { api, server, dial, dropAll } = fakeServer();
    const timers = manualTimers();
    const client = createRemoteClient({ url: 'http://127.0.0.1:8765', dial, timers, backoff: { initialMs: 100, factor: 2, maxMs: 400, maxAttempts: 5 } });
    const states: ConnectionState[] = [];
    client.onState((s) => states.push(s));
    const reloads: string[] = [];
    client.onIndexChanged((e) => reloads.push(e.root));
    await settle();
    expect(client.state()).toMatchObject({ phase: 'connected', root: '/ws' });
    expect(await client.runs()).toEqual(expect.any(Array));

    // A long job is in flight when the tunnel drops.
    const job = client.reindex({ jobId: 'j1' });
    await settle();
    server.up = false;
    dropAll('socket hang up');
    await expect(job).rejects.toMatchObject({ name: 'ConnectionError', message: expect.stringContaining('connection lost') });
    expect(client.state()).toMatchObject({ phase: 'reconnecting', attempt: 1, retryInMs: 100 });
    // While down, calls fail at once and say why.
    await expect(client.runs()).rejects.toMatchObject({ name: 'ConnectionError', message: expect.stringContaining('reconnecting') });

    timers.fire(); // attempt 1 fails
    await settle();
    expect(client.state()).toMatchObject({ phase: 'reconnecting', attempt: 2, retryInMs: 200 });
    timers.fire();
    await settle();
    expect(timers.pending()).toEqual([400]);
    server.up = true;
    timers.fire();
    await settle();
    expect(client.state().phase).toBe('connected');
    expect(reloads).toEqual(['/ws']);
    expect(await client.workspace()).toMatchObject({ runs: 2 });
    expect(states.map((s) => s.phase)).toEqual(['connected', 'reconnecting', 'reconnecting', 'reconnecting', 'connected']);
    expect(api.calls.filter((c) => c.method === 'workspace').length).toBeGreaterThanOrEqual(2);
    client.dispose();
  });

  it('gives up after maxAttempts as lost, with what to do, and redials on reconnect()', async () => {
    const { server, dial } = fakeServer();
    server.up = false;
    const timers = manualTimers();
    const client = createRemoteClient({ url: 'http://127.0.0.1:8765', dial, timers, backoff: { initialMs: 10, factor: 2, maxMs: 40, maxAttempts: 3 } });
    await settle();
    for (let i = 0; i < 3; i++) {
      expect(client.state().phase).toBe('connecting');
      timers.fire();
      await settle();
    }
    expect(client.state()).toMatchObject({ phase: 'lost', detail: expect.stringMatching(/SSH tunnel.*Reconnect/) });
    expect(timers.pending()).toEqual([]);
    expect(server.dials).toBe(4);
    server.up = true;
    client.reconnect();
    await settle();
    expect(client.state().phase).toBe('connected');
    client.dispose();
  });

  it('stops at a refusal (wrong token) instead of retrying, and never shows it as connected', async () => {
    const { server, dial } = fakeServer();
    server.refuse = true;
    const timers = manualTimers();
    const client = createRemoteClient({ url: 'http://127.0.0.1:8765', dial, timers });
    const phases: string[] = [];
    client.onState((s) => phases.push(s.phase));
    await settle();
    expect(client.state()).toMatchObject({ phase: 'refused', detail: expect.stringContaining('wrong token') });
    expect(phases).toEqual(['refused']);
    expect(timers.pending()).toEqual([]);
    await expect(client.workspace()).rejects.toMatchObject({ name: 'ConnectionError' });
    client.dispose();
  });

  it('a dial refused outright (HTTP 401) is a refusal too; dispose stops everything', async () => {
    const timers = manualTimers();
    let dials = 0;
    const client = createRemoteClient({
      url: 'http://127.0.0.1:1',
      dial: async () => {
        dials += 1;
        throw new LinkError('wrong token', true);
      },
      timers,
    });
    await settle();
    expect(client.state().phase).toBe('refused');
    client.reconnect();
    await settle();
    expect(dials).toBe(2);
    client.dispose();
    await expect(client.runs()).rejects.toMatchObject({ name: 'ConnectionError', message: expect.stringContaining('closed') });
  });
});
