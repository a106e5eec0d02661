/**
 * `serve`: the renderer build over HTTP and the typed API over a WebSocket, on 127.0.0.1 only.
 * Every request needs the token (see security.ts); the WebSocket speaks the same wire messages as Electron's IPC,
 * handled by the transport-agnostic dispatcher, and every path in them passes the workspace scope (api/scope.ts).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { StudioApi } from '../api/contract.js';
import { CLOSE_FOREIGN_ORIGIN, CLOSE_WRONG_TOKEN } from '../api/client.js';
import { createDispatcher } from '../api/dispatch.js';
import { checkPaths, type WorkspaceScope } from '../api/scope.js';
import { cookieName, hostAllowed, newToken, originAllowed, securityHeaders, tokenSource } from './security.js';
import { openStatic, resolveStatic } from './static.js';

export const API_PATH = '/api';
const HOST = '127.0.0.1';
/** Requests are small (paths and options); results go the other way. */
const MAX_MESSAGE_BYTES = 1 << 20;

export interface ServeOptions {
  api: StudioApi;
  /**
   * What WebSocket callers may name on disk: the workspace given on the command line (and folders inside it), the
   * same policy Electron's main applies to IPC. Required, so no server runs without one.
   */
  scope: WorkspaceScope;
  /** The renderer build folder (index.html and assets). */
  staticDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** A fixed token (tests, --token-file); random otherwise. */
  token?: string;
  /** More page origins that may use the WebSocket (`--allow-origin`): a page elsewhere attaching as a remote. */
  allowOrigins?: readonly string[];
}

export interface RunningServer {
  readonly port: number;
  readonly token: string;
  /** The address to open, token included. */
  readonly url: string;
  close(): Promise<void>;
}

function refuse(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(`${text}\n`);
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  let port = 0;
  const sockets = new Set<WebSocket>();

  const onRequest = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (!hostAllowed(request)) return refuse(response, 403, 'forbidden: wrong host');
    if (!originAllowed(request, port, false)) return refuse(response, 403, 'forbidden: foreign origin');
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(response, 405, 'method not allowed');
    const source = tokenSource(request, url, token, port);
    if (!source) return refuse(response, 401, 'missing or wrong token: open the URL that svcca-studio serve printed');
    const file = await resolveStatic(options.staticDir, url.pathname);
    if (!file) return refuse(response, 404, 'not found');
    const headers: Record<string, string | number> = {
      ...securityHeaders(port),
      'Content-Type': file.type,
      'Content-Length': file.size,
      'Cache-Control': file.type.startsWith('text/html') ? 'no-store' : 'private, max-age=3600',
    };
    // The page's own requests (scripts, fonts) then authenticate by cookie; Strict keeps other sites from using it.
    if (source === 'query') headers['Set-Cookie'] = `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    response.writeHead(200, headers);
    if (request.method === 'HEAD') return void response.end();
    const stream = openStatic(file);
    stream.on('error', () => response.destroy());
    stream.pipe(response);
  };

  const server = createServer((request, response) => {
    onRequest(request, response).catch(() => {
      if (!response.headersSent) refuse(response, 500, 'internal error');
      else response.destroy();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const allowOrigins = options.allowOrigins ?? [];
  // Refused sockets read nothing: a tiny payload limit, closed at once.
  const refusals = new WebSocketServer({ noServer: true, maxPayload: 1 });
  const refuseAfterUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer, code: number, reason: string): void => {
    // A close reason is at most 123 bytes.
    refusals.handleUpgrade(request, socket, head, (ws) => ws.close(code, Buffer.from(reason).subarray(0, 123).toString()));
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== API_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    if (!hostAllowed(request)) return refuseUpgrade(socket, 403, 'Forbidden');
    // Browsers always send Origin on a WebSocket handshake; a foreign page must not reach the API. A refused
    // caller still gets the handshake, then a close code and a reason and nothing else: a browser hides a refused
    // handshake's status, and the app must be able to say "wrong token" rather than "cannot connect".
    const origin = request.headers.origin;
    if (!originAllowed(request, port, false, allowOrigins)) {
      return refuseAfterUpgrade(request, socket, head, CLOSE_FOREIGN_ORIGIN, `origin ${String(origin).slice(0, 80)} is not allowed: start serve with --allow-origin ${String(origin).slice(0, 80)}`);
    }
    if (!tokenSource(request, url, token, port)) {
      return refuseAfterUpgrade(request, socket, head, CLOSE_WRONG_TOKEN, 'wrong or missing token: use the token that svcca-studio serve printed on the server');
    }
    wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws));
  });

  const onConnection = (ws: WebSocket): void => {
    sockets.add(ws);
    const dispatcher = createDispatcher(
      options.api,
      (message) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
      {
        guard: (method, args) => checkPaths(method, args, options.scope),
        onResult: (method, args) => {
          if (method === 'openWorkspace') options.scope.setCurrent(args[0] as string);
        },
      },
    );
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.send(JSON.stringify({ type: 'error', id: -1, error: { name: 'RequestError', message: 'messages must be JSON text' } }));
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        ws.send(JSON.stringify({ type: 'error', id: -1, error: { name: 'RequestError', message: 'message is not valid JSON' } }));
        return;
      }
      void dispatcher.handle(parsed);
    });
    ws.on('close', () => {
      sockets.delete(ws);
      dispatcher.dispose();
    });
    ws.on('error', () => ws.terminate());
  };

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://${HOST}:${port}/?token=${token}`,
    async close() {
      for (const ws of sockets) ws.close(1001, 'server shutting down');
      wss.close();
      refusals.close();
      await new Promise<void>((resolvePromise) => {
        server.close(() => resolvePromise());
        server.closeAllConnections();
      });
    },
  };
}
