/**
 * The browser test harness: `svcca-studio serve` as a child process on a workspace, Debian's chromium driven by
 * playwright-core (headless, no sandbox, fresh profile), screenshots kept under test-results/e2e/.
 */
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { EXAMPLE } from '../support/corpus.js';
import { ROOT } from './build-renderer.js';

export const SCREENSHOTS = join(ROOT, 'test-results/e2e');
export const CLI = join(ROOT, 'bin/svcca-studio.js');

/** Debian's chromium (what the setup script installs); CHROMIUM_PATH overrides. Null: the e2e tests skip. */
export function findChromium(): string | null {
  const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** The bundled example workspace (the repository carries it). */
export function exampleWorkspace(): string {
  return EXAMPLE;
}

/** Runs the CLI and parses its --json output (the reference numbers the UI must show). */
export function cliJson<T>(args: string[]): T {
  return JSON.parse(execFileSync(process.execPath, [CLI, ...args, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 })) as T;
}

export interface Served {
  url: string;
  stop(): Promise<void>;
  log(): string;
}

/**
 * Starts `svcca-studio serve WORKSPACE --port 0` with a throw-away index and waits for the URL it prints. `allow`:
 * more folders the page may open (serve's --allow; anything else the page names is refused); `more`: a fixed port
 * and further serve options (--token-file, --allow-origin).
 */
export async function startServe(workspace: string, allow: readonly string[] = [], more: { port?: number; args?: readonly string[] } = {}): Promise<Served> {
  const scratch = mkdtempSync(join(tmpdir(), 'svcca-e2e-'));
  const extra = [...(allow.length > 0 ? ['--allow', allow.join(delimiter)] : []), ...(more.args ?? [])];
  const port = String(more.port ?? 0);
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLI, 'serve', workspace, '--port', port, '--db', join(scratch, 'index.sqlite'), ...extra], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[0]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors seen so far. */
  problems: string[];
  close(): Promise<void>;
}

export async function launchBrowser(executablePath: string, viewport = { width: 1400, height: 950 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'svcca-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath, args: CHROMIUM_ARGS, headless: true, viewport, acceptDownloads: true });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  const note = (text: string): void => void problems.push(text.length > 300 ? `${text.slice(0, 300)}…` : text);
  page.on('pageerror', (err) => note(`pageerror: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') note(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) note(`HTTP ${response.status()} ${response.url().replace(/token=[^&]+/, 'token=…')}`);
  });
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Width and height from a PNG's IHDR chunk, after checking the signature; null when it is not a PNG. */
export function pngSize(bytes: Buffer): { width: number; height: number } | null {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(signature) || bytes.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Makes sure the CLI that serve runs is compiled (npm test does it; this covers running the e2e file alone). */
export function ensureCliBuild(): void {
  if (!existsSync(join(ROOT, 'dist/native/cli/commands/serve.js'))) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.node.json')], { stdio: 'inherit' });
  }
}

/** One API call over the served WebSocket, as the page makes it (same origin, token in the URL). */
export async function callApi(url: string, method: string, args: unknown[]): Promise<{ value?: unknown; error?: { name: string; message: string } }> {
  const { WebSocket } = await import('ws');
  const page = new URL(url);
  const ws = new WebSocket(`ws://${page.host}/api${page.search}`, { origin: page.origin });
  try {
    await new Promise<void>((ok, fail) => {
      ws.once('open', () => ok());
      ws.once('error', fail);
    });
    return await new Promise((ok) => {
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; id: number; value?: unknown; error?: { name: string; message: string } };
        if (message.type === 'event' || message.id !== 1) return;
        ok(message.type === 'result' ? { value: message.value } : { error: message.error! });
      });
      ws.send(JSON.stringify({ type: 'call', id: 1, method, args }));
    });
  } finally {
    ws.close();
  }
}

/** Null when the service answers (or fails on the input), the reason when this build lacks it. */
export async function missingService(url: string, method: string, args: unknown[]): Promise<string | null> {
  const reply = await callApi(url, method, args);
  return reply.error && /not available in this build/.test(reply.error.message) ? reply.error.message : null;
}

/** The analyses behind the "Analyses" tab (renderer/src/store.ts ANALYSES): reached through it, then their own sub-tab. */
const ANALYSIS_VIEWS = new Set(['spectrum', 'stability', 'sensitivity', 'significance', 'correlate', 'groups', 'identify', 'grid', 'group', 'timesteps']);

/** Opens a view by its tab (an analysis by the "Analyses" tab and its sub-tab) and waits until that tab is selected. */
export async function openView(page: Page, view: string): Promise<void> {
  if (ANALYSIS_VIEWS.has(view) && (await page.locator(`[role="tablist"][aria-label="Analyses"]`).count()) === 0) {
    await page.locator('[role="tab"][data-view="analyses"]').click();
  }
  await page.locator(`[role="tab"][data-view="${view}"]`).click();
  await page.locator(`[role="tab"][data-view="${view}"][aria-selected="true"]`).waitFor();
}
