import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY,
  contentSecurityPolicy,
  externalLinkTarget,
  isAppUrl,
  mayRequest,
  secureWebPreferences,
  windowOptions,
} from '../../../main/security.js';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((part) => {
    const [name, ...values] = part.trim().split(/\s+/);
    return [name!, values];
  }));
}

describe('window options', () => {
  it('switch on every isolation: context isolation, sandbox, no Node anywhere, no webview, web security', () => {
    const prefs = secureWebPreferences('/app/out/preload/index.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
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
    });
  });

  it('create the window hidden (shown on first paint) with those preferences', () => {
    const options = windowOptions('/p.cjs');
    expect(options.show).toBe(false);
    expect(options.webPreferences).toEqual(secureWebPreferences('/p.cjs'));
  });
});

describe('content security policy', () => {
  const csp = directives(contentSecurityPolicy());

  it('denies by default and allows scripts only from the app itself (no inline, no eval)', () => {
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    for (const [name, values] of csp) {
      expect(values, name).not.toContain("'unsafe-eval'");
      if (name !== 'style-src') expect(values, name).not.toContain("'unsafe-inline'");
    }
  });

  it('names no remote host and forbids framing, plugins, forms and <base>', () => {
    for (const [name, values] of csp) for (const v of values) expect(v, name).not.toMatch(/^(https?|wss?):/);
    for (const name of ['object-src', 'frame-src', 'frame-ancestors', 'form-action', 'base-uri']) expect(csp.get(name)).toEqual(["'none'"]);
  });

  it('adds the dev server (and its HMR socket) only in development', () => {
    const dev = directives(contentSecurityPolicy({ devOrigin: 'http://localhost:5173' }));
    expect(dev.get('script-src')).toEqual(["'self'", 'http://localhost:5173']);
    expect(dev.get('connect-src')).toContain('ws://localhost:5173');
  });
});

describe('URL guards', () => {
  it('recognises the app origin and nothing that merely looks like it', () => {
    expect(isAppUrl(APP_ENTRY)).toBe(true);
    expect(isAppUrl('studio://app/assets/index.js')).toBe(true);
    for (const url of ['studio://other/index.html', 'file:///index.html', 'https://app/index.html', 'http://localhost:5173/', 'studio:app', 'not a url']) {
      expect(isAppUrl(url), url).toBe(false);
    }
    expect(isAppUrl('http://localhost:5173/', { devOrigin: 'http://localhost:5173' })).toBe(true);
    expect(isAppUrl('http://localhost:5174/', { devOrigin: 'http://localhost:5173' })).toBe(false);
  });

  it('sends only plain https links to the system browser', () => {
    expect(externalLinkTarget('https://arxiv.org/abs/1706.05806')).toBe('https://arxiv.org/abs/1706.05806');
    for (const url of ['http://example.org/', 'file:///etc/passwd', 'javascript:alert(1)', 'studio://app/index.html', 'smb://host/share', 'https://user:pw@example.org/', '']) {
      expect(externalLinkTarget(url), url).toBeNull();
    }
  });

  it('lets the page load nothing remote', () => {
    for (const url of ['studio://app/index.html', 'data:image/png;base64,AAAA', 'blob:studio://app/123', 'devtools://devtools/bundled/x.html']) {
      expect(mayRequest(url), url).toBe(true);
    }
    for (const url of ['https://cdn.example.org/x.js', 'http://127.0.0.1:8080/api', 'ws://127.0.0.1:1/', 'file:///home/u/.ssh/id_rsa', 'ftp://x/', 'studio://elsewhere/x']) {
      expect(mayRequest(url), url).toBe(false);
    }
    expect(mayRequest('ws://localhost:5173/', { devOrigin: 'http://localhost:5173' })).toBe(true);
    expect(mayRequest('ws://localhost:5173/')).toBe(false);
  });
});
