/**
 * The workspace scope (native/api/scope.ts) on every API method that takes a path, through both transports that
 * reach it: the real `serve` WebSocket (startServer in front of a real studio on a real workspace) and Electron's IPC
 * validator (main/ipc.ts's handler, forwarding to the same kind of studio). Outside paths, `..` escapes and symlinks
 * out of the workspace are refused; no refusal echoes a file's contents; nothing is created outside the chosen folder.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ApiMethod } from '../../../native/api/contract.js';
import { PATH_METHODS, WorkspaceScope } from '../../../native/api/scope.js';
import { createStudio, type Studio } from '../../../native/api/studio.js';
import { startServer, type RunningServer } from '../../../native/serve/server.js';
import { createIpcHandler } from '../../../main/ipc.js';
import { methodChannel } from '../../../main/channels.js';
import { APP_ENTRY } from '../../../main/security.js';
import { writeNpy } from '../compute/npy.js';

const SECRET = 'TOP-SECRET-CONTENT-7f3a';

let base = '';
let ws = '';
let outside = '';
let staticDir = '';

interface Attack {
  readonly method: ApiMethod;
  readonly args: () => unknown[];
  readonly why: string;
}

/** Every call here names something outside the workspace, directly or through a link, and must be refused. */
const attacks: Attack[] = [
  { method: 'openWorkspace', args: () => [outside], why: 'a folder the user never opened' },
  // The issue's `openWorkspace("/etc")` made /etc/.svcca-studio; the parent folder stands in for it, so a broken
  // build that fails this test writes into the test's own temp folder, not into /etc.
  { method: 'openWorkspace', args: () => [base], why: "the workspace's parent (as /etc in the issue)" },
  { method: 'openWorkspace', args: () => [join(ws, '..', 'outside')], why: 'a `..` escape' },
  { method: 'openWorkspace', args: () => [join(ws, 'link-out')], why: 'a symlink inside the workspace to a folder outside it' },
  { method: 'openWorkspace', args: () => ['outside'], why: 'a relative folder' },
  { method: 'compare', args: () => [{ a: join(outside, 'secret.npy'), b: fc(), method: 'cca' }], why: 'A outside' },
  { method: 'compare', args: () => [{ a: fc(), b: join(outside, 'secret.npy'), method: 'cca' }], why: 'B outside' },
  { method: 'compare', args: () => [{ a: '/etc/passwd', b: fc(), method: 'cca' }], why: 'a system file (the issue: its first bytes were quoted)' },
  { method: 'compare', args: () => [{ a: '../outside/secret.npy', b: fc(), method: 'cca' }], why: 'a relative `..` escape' },
  { method: 'compare', args: () => [{ a: join(ws, 'link-out', 'secret.npy'), b: fc(), method: 'cca' }], why: 'through a linked folder' },
  { method: 'compare', args: () => [{ a: join(ws, 'run1', 'step-1', 'evil.npy'), b: fc(), method: 'cca' }], why: 'a file symlink to a file outside' },
  { method: 'compare', args: () => [{ a: fc(), b: join(ws, 'passwd.npy'), method: 'cca' }], why: 'a file symlink to /etc/passwd' },
  { method: 'compare', args: () => [{ a: `${join(outside, 'secret.npz')}:layer`, b: fc(), method: 'cca' }], why: 'an array inside a file outside' },
];

const fc = (): string => join(ws, 'run1', 'step-1', 'fc.npy');

function random(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s / 2147483648 - 0.5;
  }
  return out;
}

/** Every path below `dir` with its size and mtime: what "nothing was created or changed" compares. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const info = statSync(p);
      out.push(`${p} ${info.size} ${info.mtimeMs}`);
      if (info.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'svcca-scope-wire-'));
  ws = join(base, 'ws');
  outside = join(base, 'outside');
  staticDir = join(base, 'static');
  mkdirSync(join(ws, 'run1', 'step-1'), { recursive: true });
  mkdirSync(join(outside, 'runs'), { recursive: true });
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html>');
  writeNpy(fc(), [20, 3], random(60, 1));
  writeNpy(join(ws, 'run1', 'step-1', 'conv.npy'), [20, 4], random(80, 2));
  writeFileSync(join(outside, 'secret.npy'), `${SECRET}\n`);
  writeFileSync(join(outside, 'secret.npz'), `${SECRET}\n`);
  symlinkSync(outside, join(ws, 'link-out'));
  symlinkSync(join(outside, 'secret.npy'), join(ws, 'run1', 'step-1', 'evil.npy'));
  symlinkSync('/etc/passwd', join(ws, 'passwd.npy'));
  // A link that stays inside is fine: it resolves into the workspace.
  symlinkSync(fc(), join(ws, 'alias.npy'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

type Call = (method: ApiMethod, args: unknown[]) => Promise<{ value?: unknown; error?: { name: string; message: string } }>;

/** Runs the attack table and the allowed calls against one transport. */
function scopeSuite(name: string, setup: () => Promise<{ call: Call; close: () => Promise<void> }>): void {
  describe(name, () => {
    let call: Call;
    let close = async (): Promise<void> => {};
    let before: string[] = [];
    let etcIndexBefore = false;
    beforeAll(async () => {
      before = snapshot(outside);
      etcIndexBefore = existsSync('/etc/.svcca-studio');
      ({ call, close } = await setup());
    }, 60_000);
    afterAll(async () => close());

    it('covers every method that takes a path', () => {
      for (const method of PATH_METHODS) expect(attacks.some((a) => a.method === method), method).toBe(true);
    });

    for (const attack of attacks) {
      it(`refuses ${attack.method}: ${attack.why}`, async () => {
        const reply = await call(attack.method, attack.args());
        expect(reply.error, JSON.stringify(reply)).toBeDefined();
        expect(reply.error!.name).toBe('ScopeError');
        expect(reply.error!.message).not.toContain(SECRET);
        expect(reply.error!.message).not.toContain('root:');
      });
    }

    it('serves paths inside the workspace, a link that stays inside, and relative paths against it', async () => {
      const direct = await call('compare', [{ a: fc(), b: join(ws, 'run1', 'step-1', 'conv.npy'), method: 'cca' }]);
      expect(direct.error).toBeUndefined();
      const viaLink = await call('compare', [{ a: join(ws, 'alias.npy'), b: 'run1/step-1/conv.npy', method: 'cca' }]);
      expect(viaLink.error).toBeUndefined();
      expect((viaLink.value as { similarity: number }).similarity).toBe((direct.value as { similarity: number }).similarity);
    });

    it('created nothing outside the chosen folder', () => {
      expect(snapshot(outside)).toEqual(before);
      expect(existsSync(join(base, '.svcca-studio'))).toBe(false);
      expect(existsSync('/etc/.svcca-studio')).toBe(etcIndexBefore);
    });
  });
}

async function realStudio(): Promise<{ studio: Studio; scope: WorkspaceScope }> {
  const studio = await createStudio({ root: ws, db: join(base, `index-${Math.random().toString(36).slice(2)}.sqlite`), watch: false });
  const scope = new WorkspaceScope();
  scope.grantWorkspace(ws);
  scope.setCurrent(ws);
  return { studio, scope };
}

scopeSuite('over the real serve WebSocket', async () => {
  const { studio, scope } = await realStudio();
  const server: RunningServer = await startServer({ api: studio, scope, staticDir, port: 0 });
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
  await new Promise<void>((ok, fail) => {
    socket.once('open', () => ok());
    socket.once('error', fail);
  });
  const pending = new Map<number, (reply: { value?: unknown; error?: { name: string; message: string } }) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; id: number; value?: unknown; error?: { name: string; message: string } };
    if (message.type === 'event') return;
    pending.get(message.id)?.(message.type === 'result' ? { value: message.value } : { error: message.error! });
    pending.delete(message.id);
  });
  let id = 0;
  const call: Call = (method, args) =>
    new Promise((resolve) => {
      id += 1;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ type: 'call', id, method, args }));
    });
  return {
    call,
    close: async () => {
      socket.close();
      await server.close();
      await studio.close();
    },
  };
});

scopeSuite('through the Electron IPC validator (main/ipc.ts)', async () => {
  const { studio, scope } = await realStudio();
  const source = { devOrigin: null };
  const handle = createIpcHandler({
    scope,
    source,
    callHost: (method, args) => (studio[method] as (...a: unknown[]) => Promise<unknown>).apply(studio, args),
  });
  const frame = { url: APP_ENTRY, isMainFrame: true };
  const call: Call = async (method, args) => {
    const reply = await handle(methodChannel(method), frame, args);
    return reply.ok ? { value: reply.value } : { error: reply.error };
  };
  return { call, close: () => studio.close() };
});
