/**
 * The compute host in a real child process (main/host.ts under tsx, createStudio on a real workspace) behind the
 * supervisor: calls, validation on the host side, restart after a crash with the in-flight call told why, and the
 * stop after a crash loop.
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RunInfo, WorkspaceInfo } from '../../../native/api/contract.js';
import { forkHost } from '../../../main/host-fork.js';
import { HostSupervisor, type HostChild, type HostStatus } from '../../../main/host-supervisor.js';
import { DEFAULT_RESTART_POLICY } from '../../../main/restart-policy.js';
import { HOST_ENTRY, HOST_EXEC_ARGV, WORKSPACE } from './workspace.js';

const scratch = mkdtempSync(join(tmpdir(), 'svcca-host-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let running: HostSupervisor[] = [];
afterEach(() => {
  for (const s of running) s.stop();
  running = [];
});

function supervised(policy = DEFAULT_RESTART_POLICY): { host: HostSupervisor; children: Array<HostChild & { pid?: number }>; statuses: HostStatus[] } {
  const spawn = forkHost({ entry: HOST_ENTRY, execArgv: HOST_EXEC_ARGV, db: join(scratch, `index-${running.length}.sqlite`) });
  const children: Array<HostChild & { pid?: number }> = [];
  const host = new HostSupervisor((root) => {
    const child = spawn(root);
    children.push(child);
    return child;
  }, { root: WORKSPACE, policy });
  const statuses: HostStatus[] = [];
  host.onStatus((s) => statuses.push(s));
  running.push(host);
  host.start();
  return { host, children, statuses };
}

const waitFor = async (test: () => boolean): Promise<void> => {
  while (!test()) await new Promise((r) => setTimeout(r, 20));
};

describe('compute host under the supervisor', () => {
  it('serves the API of the open workspace and validates requests on its side too', async () => {
    const { host } = supervised();
    const info = (await host.call('workspace', [])) as WorkspaceInfo;
    expect(info.root).toBe(realpathSync(WORKSPACE));
    await host.call('reindex', []);
    const runs = (await host.call('runs', [])) as RunInfo[];
    expect(runs.length).toBe(10);
    await expect(host.call('compare', [{ a: 1, b: 'x', method: 'cca' }])).rejects.toMatchObject({ name: 'RequestError', message: expect.stringContaining('must be a string') });
    await expect(host.call('openWorkspace', [join(scratch, 'no-such-folder')])).rejects.toMatchObject({ name: 'InputError' });
    // A failed open keeps the workspace that was open.
    expect(host.root).toBe(WORKSPACE);
  });

  it('restarts a crashed process, rejects the call it was running with the reason, and serves the next call', async () => {
    const { host, children, statuses } = supervised();
    await host.call('workspace', []);
    const first = children[0]!;
    // Freeze the process so that the call cannot be answered before the crash: no race.
    process.kill(first.pid!, 'SIGSTOP');
    const inFlight = host.call('runs', []);
    process.kill(first.pid!, 'SIGKILL');
    await expect(inFlight).rejects.toMatchObject({ name: 'HostExited', message: expect.stringMatching(/was killed during runs; it restarts in 250 ms/) });
    const info = (await host.call('workspace', [])) as WorkspaceInfo;
    expect(info.root).toBe(realpathSync(WORKSPACE));
    expect(children).toHaveLength(2);
    expect(statuses.map((s) => s.state)).toEqual(['running', 'crashed', 'running']);
    expect(statuses[1]).toEqual({ state: 'crashed', code: null, restartInMs: 250 });
    expect(statuses[2]).toEqual({ state: 'running', restarts: 1 });
  });

  it('stops after a crash loop, says why, and starts afresh when a workspace is opened', async () => {
    const { host, children, statuses } = supervised({ ...DEFAULT_RESTART_POLICY, initialDelayMs: 20, maxCrashesInWindow: 1 });
    await host.call('workspace', []);
    children[0]!.kill();
    await waitFor(() => children.length === 2);
    await host.call('workspace', []);
    children[1]!.kill();
    await waitFor(() => statuses.some((s) => s.state === 'stopped'));
    await expect(host.call('runs', [])).rejects.toMatchObject({ name: 'HostExited', message: expect.stringMatching(/2 times within 60 s and was not restarted/) });
    const info = (await host.call('openWorkspace', [WORKSPACE])) as WorkspaceInfo;
    expect(info.root).toBe(realpathSync(WORKSPACE));
    expect(children).toHaveLength(3);
  });
});
