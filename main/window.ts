/**
 * Electron wiring of the settings in main/security.ts: the app scheme that serves the renderer build, the session's
 * guards (no remote requests, no permissions, no webviews), and the window itself with its navigation and
 * new-window guards.
 */
import { readFile } from 'node:fs/promises';
import { BrowserWindow, protocol, session, shell, type WebContents } from 'electron';
import { resolveStatic } from '../native/serve/static.js';
import {
  APP_ENTRY,
  APP_HOST,
  APP_SCHEME,
  contentSecurityPolicy,
  externalLinkTarget,
  mayRequest,
  windowOptions,
  type RendererSource,
} from './security.js';

/** Must run before the app is ready: the scheme gets an origin, fetch, and V8's code cache (a faster second start). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Serves `studio://app/<path>` from the renderer build only, every response with the CSP. */
export function serveRenderer(rendererRoot: string, source: RendererSource): void {
  const csp = contentSecurityPolicy(source);
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST ? await resolveStatic(rendererRoot, url.pathname) : null;
    if (!file) return new Response('not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
    return new Response(await readFile(file.path), {
      headers: { 'Content-Type': file.type, 'Content-Security-Policy': csp, ...SECURITY_HEADERS },
    });
  });
}

/** Session-wide guards; applied once, before the first window. */
export function guardSession(source: RendererSource): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !mayRequest(details.url, source) }));
  if (source.devOrigin) {
    // The dev server sends no CSP of its own: add it, so development runs under the same policy as the app.
    const csp = contentSecurityPolicy(source);
    ses.webRequest.onHeadersReceived((details, callback) =>
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } }),
    );
  }
}

/** Navigation and window guards for any web contents the app creates (main applies it on 'web-contents-created'). */
export function guardContents(contents: WebContents): void {
  // The page never navigates: it routes by hash (not a navigation), and main loads it programmatically.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalLinkTarget(url);
    if (external) void shell.openExternal(external);
    return { action: 'deny' };
  });
}

export interface WindowPaths {
  preload: string;
}

/** The one app window, shown when its first paint is ready; `hash` picks the initial route (e.g. an opened file). */
export function createAppWindow(paths: WindowPaths, source: RendererSource, hash = ''): BrowserWindow {
  const window = new BrowserWindow(windowOptions(paths.preload));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(appUrl(source, hash));
  return window;
}

export function appUrl(source: RendererSource, hash = ''): string {
  return `${source.devOrigin ? `${source.devOrigin}/` : APP_ENTRY}${hash}`;
}
