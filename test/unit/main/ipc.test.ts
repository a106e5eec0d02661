import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_METHODS, type ApiMethod } from '../../../native/api/contract.js';
import { methodChannel } from '../../../main/channels.js';
import { MAX_ARGUMENT_BYTES, checkDrop, createIpcHandler, type SenderFrame } from '../../../main/ipc.js';
import { WorkspaceScope } from '../../../main/scope.js';
import { APP_ENTRY } from '../../../main/security.js';

let base: string;
let ws: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'svcca-ipc-'));
  ws = join(base, 'ws');
  mkdirSync(join(ws, 'run', 'step-1'), { recursive: true });
  mkdirSync(join(base, 'other'));
  writeFileSync(join(ws, 'run', 'step-1', 'fc.npy'), 'x');
  writeFileSync(join(base, 'other', 'fc.npy'), 'x');
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const APP_FRAME: SenderFrame = { url: APP_ENTRY, isMainFrame: true };
const source = { devOrigin: null };

/** What reached the compute process. */
function harness(confirm?: (root: string) => Promise<boolean>) {
  const scope = new WorkspaceScope();
  scope.grantWorkspace(ws);
  scope.setCurrent(ws);
  const forwarded: Array<[ApiMethod, unknown[]]> = [];
  const opened: string[] = [];
  const handle = createIpcHandler({
    scope,
    source,
    callHost: async (method, args) => {
      forwarded.push([method, args]);
      return { method };
    },
    onWorkspaceOpened: (root) => opened.push(root),
    ...(confirm ? { confirmWorkspace: confirm } : {}),
  });
  return { scope, forwarded, opened, handle };
}

/**
 * One well-formed call and several malformed ones for EVERY method of the contract (a method added to the contract
 * without a row here fails the first test).
 */
const CASES: Record<ApiMethod, { valid: unknown[]; invalid: unknown[][] }> = {
  workspace: { valid: [], invalid: [['extra']] },
  openWorkspace: { valid: ['<ws>'], invalid: [[], [42], [{ root: '<ws>' }], ['<ws>', 'extra']] },
  reindex: { valid: [{ jobId: 'j1' }], invalid: [[{ jobId: 7 }], [{ job: 'j1' }], ['j1']] },
  runs: { valid: [], invalid: [[1]] },
  resolveLayer: { valid: [{ run: 'run', layer: 'fc', step: 'final' }], invalid: [[], [{ run: 'run' }], [{ run: 'run', layer: 'fc', step: -1 }]] },
  compare: {
    valid: [{ a: 'run/step-1/fc.npy', b: 'run/step-1/fc.npy', method: 'pwcca', keep: 0.99 }, { jobId: 'c1' }],
    invalid: [[{ a: 'x', b: 'y' }], [{ a: 'x', b: 'y', method: 'euclid' }], [{ a: 'x', b: 'y', method: 'cca', keep: '0.99' }], [{ a: 'x', b: 'y', method: 'cca', shell: 'rm -rf' }]],
  },
  matrix: { valid: [{ layer: 'fc', method: 'svcca', runs: ['a', 'b'] }], invalid: [[{ layer: 'fc' }], [{ layer: 'fc', method: 'cca', runs: 'a' }]] },
  dynamics: { valid: [{ run: 'run', method: 'cka' }], invalid: [[{}], [{ run: 'run', threshold: 'high' }]] },
  compress: { valid: [{ run: 'run', layer: 'fc', nextWeights: 'logits' }], invalid: [[{ run: 'run' }], [{ run: 'run', layer: 'fc', step: 1.5 }]] },
  stability: { valid: [{ run: 'run', layer: 'fc', top: 4 }], invalid: [[{ run: 'run' }], [{ run: 'run', layer: 'fc', top: 0 }]] },
  correlate: { valid: [{ layer: 'fc', metric: 'probe_acc' }], invalid: [[{ layer: 'fc' }], [{ layer: 'fc', metric: 'probe_acc', method: 'euclid' }]] },
  groups: { valid: [{ by: 'labels', layers: ['fc'] }], invalid: [[{}], [{ by: 'labels', layers: 'fc' }]] },
  grid: { valid: [{ runs: ['a', 'b'], method: 'cka' }], invalid: [[{ runs: ['a'] }], [{ runs: ['a', 'b'], conv: 'pixels' }]] },
  timesteps: { valid: [{ run: 'run', layer: 'h', timesteps: [0, 3] }], invalid: [[{ run: 'run' }], [{ run: 'run', layer: 'h', timesteps: [-1] }]] },
  cancel: { valid: ['j1'], invalid: [[], [1], [null]] },
  spectrum: { valid: [{ run: 'run', fractions: [0.9], steps: [0, 'last'] }], invalid: [[{}], [{ run: 'run', conv: 'dft' }], [{ run: 'run', fractions: '0.9' }]] },
  classSensitivity: { valid: [{ run: 'run', target: 'labels' }], invalid: [[{}], [{ run: 'run', target: 'pixels' }], [{ run: 'run', method: 'dft-cca-x' }]] },
  significance: { valid: [{ layer: 'fc', runs: ['a', 'b'], method: 'cka-rbf' }], invalid: [[{}], [{ layer: 'fc', permutations: -1 }], [{ layer: 'fc', method: 'dft-cca' }]] },
  identify: { valid: [{ group: 'g', methods: ['cka', 'svcca'] }], invalid: [[{ methods: 'cka' }], [{ methods: ['euclid'] }], [{ runs: [1, 2] }]] },
  groupDynamics: { valid: [{ group: 'g', method: 'pwcca' }], invalid: [[{}], [{ group: 'g', run: 'r' }], [{ group: 'g', threshold: 'high' }]] },
};

const withWs = (args: unknown[]): unknown[] => args.map((a) => (a === '<ws>' ? ws : a));

describe('IPC validation of every message', () => {
  it('covers every API method', () => {
    expect(Object.keys(CASES).sort()).toEqual([...API_METHODS].sort());
  });

  for (const method of API_METHODS) {
    it(`${method}: forwards a well-formed call and refuses malformed ones without reaching the host`, async () => {
      const { handle, forwarded } = harness();
      const ok = await handle(methodChannel(method), APP_FRAME, withWs(CASES[method].valid));
      expect(ok, JSON.stringify(ok)).toMatchObject({ ok: true, value: { method } });
      expect(forwarded).toHaveLength(1);
      for (const bad of CASES[method].invalid) {
        const reply = await handle(methodChannel(method), APP_FRAME, withWs(bad));
        expect(reply.ok, `${method} ${JSON.stringify(bad)}`).toBe(false);
        if (!reply.ok) expect(reply.error.name).toBe('RequestError');
      }
      expect(forwarded).toHaveLength(1);
    });
  }

  it('refuses senders other than the app top frame, and unknown channels', async () => {
    const { handle, forwarded } = harness();
    const refusals: Array<[string, SenderFrame | null]> = [
      [methodChannel('runs'), null],
      [methodChannel('runs'), { url: APP_ENTRY, isMainFrame: false }],
      [methodChannel('runs'), { url: 'https://evil.example/', isMainFrame: true }],
      [methodChannel('runs'), { url: 'file:///tmp/page.html', isMainFrame: true }],
      ['studio:constructor', APP_FRAME],
      ['studio:onProgress', APP_FRAME],
      ['shell:drop', APP_FRAME],
    ];
    for (const [channel, frame] of refusals) {
      const reply = await handle(channel, frame, []);
      expect(reply, `${channel} ${JSON.stringify(frame)}`).toMatchObject({ ok: false, error: { name: 'IpcError' } });
    }
    expect(forwarded).toHaveLength(0);
  });

  it('refuses oversized and non-data arguments', async () => {
    const { handle, forwarded } = harness();
    const big = await handle(methodChannel('cancel'), APP_FRAME, ['x'.repeat(MAX_ARGUMENT_BYTES + 1)]);
    expect(big).toMatchObject({ ok: false, error: { name: 'IpcError', message: expect.stringContaining('exceed') } });
    const cyclic: Record<string, unknown> = { run: 'r', layer: 'fc' };
    cyclic['self'] = cyclic;
    expect(await handle(methodChannel('resolveLayer'), APP_FRAME, [cyclic])).toMatchObject({ ok: false, error: { name: 'IpcError' } });
    expect(forwarded).toHaveLength(0);
  });
});

describe('IPC path checks', () => {
  it('forwards compare with paths made absolute, and refuses paths outside the workspace', async () => {
    const { handle, forwarded } = harness();
    const inside = await handle(methodChannel('compare'), APP_FRAME, [{ a: 'run/step-1/fc.npy', b: join(ws, 'run/step-1/fc.npy'), method: 'cca' }]);
    expect(inside.ok).toBe(true);
    expect(forwarded[0]![1][0]).toMatchObject({ a: join(ws, 'run/step-1/fc.npy'), b: join(ws, 'run/step-1/fc.npy'), method: 'cca' });
    for (const b of [join(base, 'other', 'fc.npy'), '../other/fc.npy', '/etc/passwd']) {
      const reply = await handle(methodChannel('compare'), APP_FRAME, [{ a: 'run/step-1/fc.npy', b, method: 'cca' }]);
      expect(reply, b).toMatchObject({ ok: false, error: { name: 'ScopeError' } });
    }
    expect(forwarded).toHaveLength(1);
  });

  it('opens a folder the user did not choose only after main asks the user', async () => {
    const other = join(base, 'other');
    const refusing = harness(async () => false);
    expect(await refusing.handle(methodChannel('openWorkspace'), APP_FRAME, [other])).toMatchObject({ ok: false, error: { name: 'ScopeError' } });
    expect(refusing.forwarded).toHaveLength(0);
    expect(await harness().handle(methodChannel('openWorkspace'), APP_FRAME, [other])).toMatchObject({ ok: false, error: { name: 'ScopeError' } });

    const asked: string[] = [];
    const agreeing = harness(async (root) => (asked.push(root), true));
    expect(await agreeing.handle(methodChannel('openWorkspace'), APP_FRAME, [other])).toMatchObject({ ok: true });
    expect(asked).toEqual([other]);
    expect(agreeing.opened).toEqual([other]);
    expect(agreeing.scope.currentWorkspace).toBe(other);
    // Now relative references resolve in the new workspace and the old one stays granted.
    expect(await agreeing.handle(methodChannel('compare'), APP_FRAME, [{ a: 'fc.npy', b: join(ws, 'run/step-1/fc.npy'), method: 'cca' }])).toMatchObject({ ok: true });
    expect(agreeing.forwarded[1]![1][0]).toMatchObject({ a: join(other, 'fc.npy') });
  });

  it('checks dropped paths: the sender, and a bounded list of absolute paths', () => {
    expect(checkDrop(APP_FRAME, source, [ws])).toEqual([ws]);
    for (const payload of [[], ['relative/path'], [ws, 3], 'not a list', [`${ws}\0`], Array(300).fill(ws)]) {
      expect(() => checkDrop(APP_FRAME, source, payload), JSON.stringify(payload).slice(0, 40)).toThrow();
    }
    expect(() => checkDrop({ url: 'https://evil.example/', isMainFrame: true }, source, [ws])).toThrow(/foreign/);
  });
});
