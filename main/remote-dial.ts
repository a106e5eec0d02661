/**
 * Dials a remote `svcca-studio serve` from main with the `ws` package. Main, not the page, holds the connection:
 * the page's CSP and session guard stay as strict as for a local workspace (no ws: origins, no network), the token
 * never has to live in the renderer, and calls keep going through main's one IPC gate.
 */
import { WebSocket } from 'ws';
import { isRefusalCode, LinkChannel, LinkError, type Dial, type Link, type LinkClosed } from '../native/api/client.js';

export interface DialOptions {
  /** Connecting takes at most this long. */
  handshakeMs?: number;
  /** A ping this often; a link that answers none within one more period is dead (a tunnel that hangs, a laptop asleep). */
  heartbeatMs?: number;
}

export function wsDial(socketUrl: string, token: string, options: DialOptions = {}): Dial {
  const handshakeMs = options.handshakeMs ?? 10_000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const target = `${socketUrl}?token=${encodeURIComponent(token)}`;
  return () =>
    new Promise<Link>((resolve, reject) => {
      // No Origin header: serve accepts non-browser clients that bring the token.
      const ws = new WebSocket(target, { handshakeTimeout: handshakeMs, perMessageDeflate: false });
      let opened = false;
      const channel = new LinkChannel();
      const finish = (closed: LinkClosed): void => {
        clearInterval(heartbeat);
        channel.closed(closed);
      };
      let alive = true;
      const heartbeat = setInterval(() => {
        if (!opened) return;
        if (!alive) {
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      }, heartbeatMs);
      heartbeat.unref?.();
      ws.on('pong', () => (alive = true));
      ws.on('message', () => (alive = true));
      ws.on('unexpected-response', (_request, response) => {
        const status = response.statusCode ?? 0;
        const refused = status === 401 || status === 403;
        reject(new LinkError(refused ? `the server said ${status} (${response.statusMessage ?? ''}): check the token and the address` : `the server answered HTTP ${status}: is this a svcca-studio serve?`, refused));
        ws.terminate();
      });
      ws.on('error', (err) => {
        if (!opened) reject(new LinkError(`cannot reach ${socketUrl}: ${err.message}`, false));
      });
      ws.on('close', (code, reason) => {
        const text = reason.toString() || (code === 1006 ? 'the connection dropped' : `closed (${code})`);
        if (!opened) reject(new LinkError(text, isRefusalCode(code)));
        finish({ reason: text, refused: isRefusalCode(code) });
      });
      ws.on('open', () => {
        opened = true;
        ws.on('message', (data) => channel.deliver(data.toString()));
        resolve(
          channel.link(
            (text) => {
              if (ws.readyState !== WebSocket.OPEN) throw new Error(`the connection to ${socketUrl} is closed`);
              ws.send(text);
            },
            () => {
              if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000, 'client closed');
              finish({ reason: 'closed by the app', refused: false });
            },
          ),
        );
      });
    });
}
