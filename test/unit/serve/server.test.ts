import { request } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WorkspaceScope } from '../../../native/api/scope.js';
import { startServer } from '../../../native/serve/server.js';
import type { RunningServer } from '../../../native/serve/server.js';
import { recordingApi } from './fakeApi.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An accepted socket, a refused handshake's status, or (for a refusal after the handshake) the close code and reason. */
function openSocket(url: string, origin?: string): Promise<{ ws: WebSocket } | { status: number } | { code: number; reason: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    let closed = false;
    ws.on('close', (code, reason) => {
      closed = true;
      resolve({ code, reason: reason.toString() });
    });
    // A refused socket closes at once; an accepted one stays open.
    ws.on('open', () => setTimeout(() => !closed && resolve({ ws }), 100));
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.on('error', () => resolve({ status: -1 }));
  });
}

let server: RunningServer;
let staticDir: string;
const api = recordingApi();

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'serve-static-'));
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(staticDir, 'secret.db'), 'not served: unknown type');
  server = await startServer({ api, scope: new WorkspaceScope(), staticDir, port: 0 });
});
afterAll(async () => {
  await server.close();
});

describe('serve over HTTP', () => {
  it('listens on 127.0.0.1 with a random token in the printed URL', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{32}$`));
    expect(server.port).toBeGreaterThan(0);
  });

  it('refuses requests without the token', async () => {
    const reply = await get(server.port, '/', { host: `127.0.0.1:${server.port}` });
    expect(reply.status).toBe(401);
    expect((await get(server.port, '/?token=wrong', { host: `127.0.0.1:${server.port}` })).status).toBe(401);
  });

  it('serves index.html for the token, sets a strict HttpOnly cookie and the CSP, then accepts the cookie', async () => {
    const reply = await get(server.port, `/?token=${server.token}`, { host: `127.0.0.1:${server.port}` });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(reply.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    // A remote serve is reached through a tunnel ending on this machine's loopback: any port there, nothing else.
    expect(csp).toMatch(/connect-src [^;]*ws:\/\/127\.0\.0\.1:\*/);
    expect(csp).not.toMatch(/connect-src [^;]*(ws:|wss:)( |;|$)/);
    expect(csp).toContain("img-src 'self' data: blob:");
    expect(reply.headers['referrer-policy']).toBe('no-referrer');
    const cookie = String(reply.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const asset = await get(server.port, '/assets/app.js', { host: `localhost:${server.port}`, cookie: cookie.split(';')[0]! });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.body).toBe('console.log(1)');
  });

  it('never leaves the static folder and serves only known file types', async () => {
    const auth = { host: `127.0.0.1:${server.port}`, authorization: `Bearer ${server.token}` };
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/assets/%2e%2e%2f%2e%2e%2fetc/passwd', '/assets/..%5c..%5cx.js', '/secret.db', '/assets']) {
      expect((await get(server.port, path, auth)).status, path).toBe(404);
    }
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin', async () => {
    const token = `/?token=${server.token}`;
    expect((await get(server.port, token, { host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get(server.port, token, { host: `127.0.0.1:${server.port}`, origin: 'http://evil.example' })).status).toBe(403);
  });
});

describe('serve over WebSocket', () => {
  const wsUrl = (token: string): string => `ws://127.0.0.1:${server.port}/api?token=${token}`;

  it('refuses a socket without the token or from another origin, with a close code and a reason the page can show', async () => {
    expect(await openSocket(wsUrl('nope'), `http://127.0.0.1:${server.port}`)).toEqual({ code: 4401, reason: expect.stringContaining('wrong or missing token') });
    expect(await openSocket(wsUrl(server.token), 'http://evil.example')).toEqual({
      code: 4403,
      reason: 'origin http://evil.example is not allowed: start serve with --allow-origin http://evil.example',
    });
    expect(await openSocket(wsUrl(server.token), `http://127.0.0.1:${server.port + 1}`)).toMatchObject({ code: 4403 });
  });

  it('accepts a non-browser client (no Origin) with the token, whatever loopback port its tunnel uses, but no foreign Host', async () => {
    const opened = await openSocket(wsUrl(server.token));
    expect('ws' in opened).toBe(true);
    if ('ws' in opened) opened.ws.close();
    const tunnelled = new WebSocket(wsUrl(server.token), { headers: { host: 'localhost:9000' } });
    await new Promise<void>((ok, fail) => (tunnelled.once('open', () => ok()), tunnelled.once('error', fail)));
    tunnelled.close();
    const rebound = new WebSocket(wsUrl(server.token), { headers: { host: 'evil.example:9000' } });
    const status = await new Promise((ok) => rebound.on('unexpected-response', (_q, res) => ok(res.statusCode)));
    expect(status).toBe(403);
  });

  it('accepts the origins given with allowOrigins (a page served elsewhere attaching as a remote)', async () => {
    const other = await startServer({ api, scope: new WorkspaceScope(), staticDir, port: 0, allowOrigins: ['http://127.0.0.1:5000'] });
    try {
      const url = `ws://127.0.0.1:${other.port}/api?token=${other.token}`;
      const opened = await openSocket(url, 'http://127.0.0.1:5000');
      expect('ws' in opened).toBe(true);
      if ('ws' in opened) opened.ws.close();
      expect(await openSocket(url, 'http://127.0.0.1:5001')).toMatchObject({ code: 4403 });
    } finally {
      await other.close();
    }
  });

  it('speaks the wire protocol: calls, one-line errors for bad messages, events', async () => {
    const opened = await openSocket(wsUrl(server.token), `http://localhost:${server.port}`);
    if (!('ws' in opened)) throw new Error(`upgrade refused: ${JSON.stringify(opened)}`);
    const ws = opened.ws;
    const messages: unknown[] = [];
    const next = (): Promise<Record<string, unknown>> =>
      new Promise((resolve) => {
        const check = (): void => (messages.length ? resolve(messages.shift() as Record<string, unknown>) : void setTimeout(check, 2));
        check();
      });
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    ws.send(JSON.stringify({ type: 'call', id: 1, method: 'workspace', args: [] }));
    expect(await next()).toMatchObject({ type: 'result', id: 1, value: { root: '/ws', runs: 2 } });
    ws.send('{not json');
    expect(await next()).toEqual({ type: 'error', id: -1, error: { name: 'RequestError', message: 'message is not valid JSON' } });
    ws.send(JSON.stringify({ type: 'call', id: 2, method: 'eval', args: [] }));
    expect(await next()).toEqual({ type: 'error', id: 2, error: { name: 'RequestError', message: "unknown method 'eval'" } });
    api.emitProgress({ jobId: 'x', label: 'matrix', done: 1, total: 2, rate: 3 });
    expect(await next()).toEqual({ type: 'event', event: 'progress', payload: { jobId: 'x', label: 'matrix', done: 1, total: 2, rate: 3 } });
    ws.close();
  });
});
