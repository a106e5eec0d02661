/**
 * The window's security settings as plain data, so that tests can read them without Electron: web preferences,
 * the Content-Security-Policy, the app's own URL scheme, and the predicates behind the navigation, new-window and
 * request guards. main/window.ts applies them.
 *
 * The renderer is served from a privileged custom scheme (`studio://app/…`) instead of file://, so that it has an
 * origin of its own, every request it makes can be checked against that origin, and no file outside the renderer
 * build is reachable by URL (Electron security checklist: "avoid file://, use a custom protocol").
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

export const APP_SCHEME = 'studio';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** Where the renderer comes from: the built files (normal) or electron-vite's dev server (`ELECTRON_RENDERER_URL`). */
export interface RendererSource {
  /** Origin of the dev server, e.g. http://localhost:5173; null when the built renderer is served. */
  devOrigin: string | null;
}

/** Web preferences with every isolation Electron offers switched on; nothing here is left at a default by omission. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    // The first paint should not wait for a background throttle when the window is shown late.
    backgroundThrottling: false,
  };
}

export interface WindowPlacement {
  width: number;
  height: number;
  x?: number;
  y?: number;
}

export const DEFAULT_PLACEMENT: WindowPlacement = { width: 1360, height: 860 };

/**
 * The BrowserWindow options. `show: false` plus `ready-to-show` avoids a white flash; the background colour matches
 * the renderer's so that a slow first paint still looks intentional.
 */
export function windowOptions(preloadPath: string, placement: WindowPlacement = DEFAULT_PLACEMENT): BrowserWindowConstructorOptions {
  return {
    ...placement,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'SVCCA Studio',
    backgroundColor: '#1e1f24',
    autoHideMenuBar: false,
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/**
 * The Content-Security-Policy sent with every renderer response. Scripts and styles come only from the app itself;
 * nothing may be fetched from elsewhere, framed, posted or embedded. `style-src 'unsafe-inline'` is the one
 * allowance: Vue's style bindings and ECharts' tooltips set inline styles (scripts stay strict).
 * In development the dev server's origin is added (HMR needs its websocket and inline styles).
 */
export function contentSecurityPolicy(source: RendererSource = { devOrigin: null }): string {
  const self = source.devOrigin ? `'self' ${source.devOrigin}` : `'self'`;
  const devSocket = source.devOrigin ? ` ${source.devOrigin.replace(/^http/, 'ws')}` : '';
  const directives: Record<string, string> = {
    'default-src': `'none'`,
    'script-src': self,
    'style-src': `${self} 'unsafe-inline'`,
    'img-src': `${self} data: blob:`,
    'font-src': `${self} data:`,
    'connect-src': `${self}${devSocket}`,
    'worker-src': `${self} blob:`,
    'manifest-src': `'none'`,
    'media-src': `'none'`,
    'object-src': `'none'`,
    'frame-src': `'none'`,
    'child-src': `'none'`,
    'frame-ancestors': `'none'`,
    'form-action': `'none'`,
    'base-uri': `'none'`,
  };
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * True for a URL of the app itself. Node's URL gives custom schemes the origin 'null', so scheme and host are
 * compared directly rather than through `origin`.
 */
export function isAppUrl(url: string, source: RendererSource = { devOrigin: null }): boolean {
  const parsed = parse(url);
  if (!parsed) return false;
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST) return true;
  return source.devOrigin !== null && parsed.origin === source.devOrigin;
}

/**
 * The new-window guard: no window is ever opened by the page. An https link (a paper, the docs) goes to the
 * system browser instead; every other scheme (file:, javascript:, custom handlers) is dropped.
 * Returns the URL to hand to the OS browser, or null.
 */
export function externalLinkTarget(url: string): string | null {
  const parsed = parse(url);
  if (!parsed || parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '') return null;
  return parsed.href;
}

/**
 * The request guard (session.webRequest): no remote content. The renderer may load only from the app scheme,
 * data:/blob: URLs it made itself, and devtools; in development also the dev server.
 */
export function mayRequest(url: string, source: RendererSource = { devOrigin: null }): boolean {
  const parsed = parse(url);
  if (!parsed) return false;
  if (isAppUrl(url, source)) return true;
  if (parsed.protocol === 'data:' || parsed.protocol === 'blob:' || parsed.protocol === 'devtools:') return true;
  if (source.devOrigin !== null) {
    const socket = parse(source.devOrigin.replace(/^http/, 'ws'));
    if (socket && parsed.protocol === socket.protocol && parsed.host === socket.host) return true;
  }
  return false;
}
