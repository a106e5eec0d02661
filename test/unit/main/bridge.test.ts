/**
 * The whole path of a call from the page to the compute process, minus Electron's own IPC: the preload's
 * `window.studio` object (buildStudioBridge) → main's IPC handler (sender, shapes, paths) → the supervisor → the
 * host in a child process → createStudio on a real workspace. Electron's ipcRenderer.invoke/ipcMain.handle and
 * webContents.send are replaced by direct calls carrying the same values.
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_EVENTS, API_METHODS, type IndexChangedEvent, type StudioApi } from '../../../native/api/contract.js';
import { buildStudioBridge } from '../../../main/bridge.js';
import { isCancelledError, reviveBridgedErrors, splitBridgedMessage as splitBridgeError } from '../../../native/api/client.js';
import { eventChannel, subscriberOf } from '../../../main/channels.js';
import { forkHost } from '../../../main/host-fork.js';
import { HostSupervisor } from '../../../main/host-supervisor.js';
import { createIpcHandler } from '../../../main/ipc.js';
import { WorkspaceScope } from '../../../main/scope.js';
import { APP_ENTRY } from '../../../main/security.js';
import { HOST_ENTRY, HOST_EXEC_ARGV, WORKSPACE } from './workspace.js';

const scratch = mkdtempSync(join(tmpdir(), 'svcca-bridge-'));
let host: HostSupervisor;
let studio: StudioApi;

beforeAll(() => {
  host = new HostSupervisor(forkHost({ entry: HOST_ENTRY, execArgv: HOST_EXEC_ARGV, db: join(scratch, 'index.sqlite') }), { root: WORKSPACE });
  host.start();
  const scope = new WorkspaceScope();
  scope.grantWorkspace(WORKSPACE);
  scope.setCurrent(WORKSPACE);
  const handle = createIpcHandler({ scope, source: { devOrigin: null }, callHost: (method, args) => host.call(method, args) });
  // main: supervisor events → webContents.send(eventChannel, payload); preload: ipcRenderer.on(channel).
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  host.onEvent((event) => listeners.get(eventChannel(event.event))?.forEach((l) => l(structuredClone(event.payload))));
  studio = buildStudioBridge(
    (channel, args) => handle(channel, { url: APP_ENTRY, isMainFrame: true }, structuredClone(args)),
    (channel, listener) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
      return () => listeners.get(channel)!.delete(listener);
    },
  );
});
afterAll(() => {
  host.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('window.studio', () => {
  it('is exactly the typed API: one function per method and per event, frozen, nothing else', () => {
    const expected = [...API_METHODS, ...API_EVENTS.map(subscriberOf)].sort();
    expect(Object.keys(studio).sort()).toEqual(expected);
    for (const key of expected) expect(typeof (studio as unknown as Record<string, unknown>)[key]).toBe('function');
    expect(Object.isFrozen(studio)).toBe(true);
  });

  it('answers calls from the compute process and delivers its events until unsubscribed', async () => {
    const changes: IndexChangedEvent[] = [];
    const off = studio.onIndexChanged((e) => changes.push(e));
    const report = await studio.reindex({ jobId: 'bridge-reindex' });
    expect(report.runs).toBe(10);
    const runs = await studio.runs();
    expect(runs.map((r) => r.name)).toContain('true_lr0.01_seed2000');
    expect((await studio.workspace()).root).toBe(realpathSync(WORKSPACE));
    const ref = await studio.resolveLayer({ run: 'true_lr0.01_seed2000', layer: 'fc', step: 'final' });
    expect(ref).toMatch(/true_lr0\.01_seed2000[\\/]step-001260[\\/](fc\.npy|[^\\/]+:fc)$/);
    // The page's usual path: a ref from resolveLayer passes main's path check and reaches the compute side.
    const compared = await studio.compare({ a: ref, b: ref, method: 'cka' }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    if (compared instanceof Error) expect(splitBridgeError(compared.message)[0]).not.toMatch(/^(ScopeError|RequestError|IpcError)$/);
    else expect(compared.similarity).toBeCloseTo(1, 10);
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.at(-1)!.report.runs).toBe(10);
    off();
  });

  it('rejects with an Error that carries the class name in its message (contextBridge keeps only messages)', async () => {
    const outside = await studio.compare({ a: 'true_lr0.01_seed2000/step-001260/fc.npy', b: '/etc/hostname', method: 'cca' }).catch((e: unknown) => e);
    expect(outside).toBeInstanceOf(Error);
    const [name, message] = splitBridgeError((outside as Error).message);
    expect(name).toBe('ScopeError');
    expect(message).toMatch(/^\/etc\/hostname: outside the workspaces/);
    const bad = await studio.cancel(42 as unknown as string).catch((e: unknown) => e);
    expect(splitBridgeError((bad as Error).message)[0]).toBe('RequestError');
  });

  it('keeps a cancel a cancel on the page: the kind survives a contextBridge that keeps only messages', async () => {
    // What contextBridge does to a rejection: a new Error from the message alone (name and class lost).
    const throughContextBridge = Object.fromEntries(
      Object.entries(studio as unknown as Record<string, (...a: unknown[]) => unknown>).map(([key, fn]) => [
        key,
        (...args: unknown[]) => {
          const result = fn(...args);
          return result instanceof Promise ? result.catch((e: unknown) => Promise.reject(new Error((e as Error).message))) : result;
        },
      ]),
    ) as unknown as StudioApi;
    const page = reviveBridgedErrors(throughContextBridge);
    const jobId = 'bridge-cancel-matrix';
    // A slow question (weighted SVCCA over 8 000 conv rows per run), cancelled at its first progress event, so the
    // cancel lands while it computes however loaded the machine is.
    let cancelling: Promise<void> | undefined;
    const off = page.onProgress((event) => {
      if (event.jobId === jobId && !cancelling) cancelling = page.cancel(jobId);
    });
    const cancelled = await page.matrix({ layer: 'conv2', method: 'svcca-weighted' }, { jobId }).catch((e: unknown) => e);
    off();
    await cancelling;
    expect(cancelled, String(cancelled)).toBeInstanceOf(Error);
    expect(isCancelledError(cancelled)).toBe(true);
    expect((cancelled as Error).message).not.toMatch(/^CancelledError:/);
    // Without the revival the page would have seen a plain Error and shown the cancel as a failure.
    const raw = await throughContextBridge.cancel(42 as unknown as string).catch((e: unknown) => e);
    expect(isCancelledError(raw)).toBe(false);
    const revived = await page.cancel(42 as unknown as string).catch((e: unknown) => e);
    expect((revived as Error).name).toBe('RequestError');
  });
});
