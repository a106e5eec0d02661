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

/** Host must name this loopback server (a DNS-rebinding page would send its own host name). */
export function hostAllowed(request: IncomingMessage, port: number): boolean {
  const host = request.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** A missing Origin is a same-origin navigation or a non-browser client; a present one must be ours. */
export function originAllowed(request: IncomingMessage, port: number, required: boolean): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return !required;
  return allowedOrigins(port).includes(origin);
}

export function securityHeaders(port: number): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
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
