/**
 * What keeps `serve` private to the person who started it: a random token (in the printed URL, then a cookie),
 * loopback-only Host and Origin checks (against other sites and DNS rebinding), and a strict CSP.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The cookie is per port: cookies are not isolated by port, and two servers may run side by side. */
export function cookieName(port: number): string {
  return `svcca_studio_${port}`;
}

function sameToken(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

export type TokenSource = 'query' | 'cookie' | 'header' | null;

/** Where a valid token came from: the `?token=` query, the cookie, or an `Authorization: Bearer` / `X-Studio-Token` header. */
export function tokenSource(request: IncomingMessage, url: URL, token: string, port: number): TokenSource {
  if (sameToken(url.searchParams.get('token'), token)) return 'query';
  if (sameToken(cookies(request.headers.cookie).get(cookieName(port)), token)) return 'cookie';
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ') && sameToken(auth.slice(7), token)) return 'header';
  const header = request.headers['x-studio-token'];
  if (typeof header === 'string' && sameToken(header, token)) return 'header';
  return null;
}

export function allowedOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\]):(\d{1,5})$/;

/**
 * Host must name a loopback address (a DNS-rebinding page would send its own host name). Any port: an SSH tunnel
 * (`ssh -L 9000:127.0.0.1:8765 lab`) hands the request on with the client's Host, the tunnel's local port.
 */
export function hostAllowed(request: IncomingMessage): boolean {
  return LOOPBACK_HOST.test(request.headers.host ?? '');
}

/**
 * An origin as `--allow-origin` takes it: scheme, host and port only (`http://127.0.0.1:5000`), what a browser
 * sends. Throws on anything else, naming it.
 */
export function parseOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`'${text}' is not an origin (like http://127.0.0.1:5000)`);
  }
  if (url.origin === 'null' || url.origin !== text.replace(/\/$/, '')) {
    throw new Error(`'${text}' is not an origin: give scheme, host and port only (like http://127.0.0.1:5000)`);
  }
  return url.origin;
}

/**
 * A missing Origin is a same-origin navigation or a non-browser client (Electron's main, the CLI); a present one
 * must be ours or one the person running serve allowed (`--allow-origin`: a page served elsewhere that attaches
 * to this server as a remote workspace).
 */
export function originAllowed(request: IncomingMessage, port: number, required: boolean, extra: readonly string[] = []): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return !required;
  return allowedOrigins(port).includes(origin) || extra.includes(origin);
}

export function securityHeaders(port: number): Record<string, string> {
  const csp = [
    "default-src 'self'",
    // Any loopback port: the page may attach to a remote serve through an SSH tunnel, which ends on this machine's
    // loopback (serve listens on nothing else, so a remote one is only ever reached that way).
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port} ws://127.0.0.1:* ws://localhost:*`,
    "img-src 'self' data: blob:",
    // ECharts and Vue set inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self'",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    // The token is in the URL: never send it on to anyone.
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}
