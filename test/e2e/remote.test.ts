/**
 * A remote workspace with two local processes: a `svcca-studio serve` child on the example workspace stands for
 * the lab server (fixed token in a --token-file, --allow-origin for the app's page), and the app side attaches to
 * it by URL + token — (1) Electron main's connector (main/remote.ts over the `ws` package) under Node, and (2) the
 * page of a second, local serve (on an empty workspace) in Debian's chromium. Both list the remote runs, run a
 * compare there that equals the CLI's, survive the lab server being killed and restarted on the same port, and
 * refuse a wrong token with a clear reason.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ConnectionState } from '../../native/api/client.js';
import { RemoteSession } from '../../main/remote.js';
import { TokenStore, type SafeStorageLike } from '../../main/token-store.js';
import { ensureRendererBuild } from './build-renderer.js';
import { callApi, cliJson, ensureCliBuild, exampleWorkspace, findChromium, launchBrowser, screenshot, startServe } from './harness.js';
import type { Browser, Served } from './harness.js';

const CHROMIUM = findChromium();
const WORKSPACE = exampleWorkspace();

interface RunsJson {
  runs: Array<{ name: string; layers: string[] }>;
}

const noKeychain: SafeStorageLike = {
  isEncryptionAvailable: () => false,
  encryptString: () => {
    throw new Error('unavailable');
  },
  decryptString: () => {
    throw new Error('unavailable');
  },
};

/** The lab server: serve on the example workspace, a stable token (file), the given extra page origins. */
async function startLab(tokenFile: string, port = 0, origins: string[] = []): Promise<Served & { port: number; token: string }> {
  const args = ['--token-file', tokenFile, ...(origins.length ? ['--allow-origin', origins.join(',')] : [])];
  const served = await startServe(WORKSPACE, [], { port, args });
  const url = new URL(served.url);
  return Object.assign(served, { port: Number(url.port), token: url.searchParams.get('token')! });
}

describe('remote workspace: the lab server as a child process, the app attached by URL + token', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'svcca-remote-'));
  const tokenFile = join(scratch, 'lab.token');
  let runs: RunsJson['runs'];
  let lab: Awaited<ReturnType<typeof startLab>>;
  let pair: { a: string; b: string; similarity: number };

  beforeAll(async () => {
    ensureCliBuild();
    // serve hosts the UI build, so it needs one even where only main's connector is tested.
    await ensureRendererBuild();
    runs = cliJson<RunsJson>(['runs', WORKSPACE, '--db', join(scratch, 'cli.sqlite')]).runs;
    lab = await startLab(tokenFile);
    expect(readFileSync(tokenFile, 'utf8').trim()).toBe(lab.token);
    const [ra, rb] = [runs[0]!.name, runs[runs.length - 1]!.name];
    const a = (await callApi(lab.url, 'resolveLayer', [{ run: ra, layer: 'fc' }])).value as string;
    const b = (await callApi(lab.url, 'resolveLayer', [{ run: rb, layer: 'fc' }])).value as string;
    pair = { a, b, similarity: cliJson<{ similarity: number }>(['compare', a, b, '--method', 'pwcca']).similarity };
  });
  afterAll(async () => {
    await lab?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("Electron main's connector: lists the runs, compares as the CLI does, reconnects after a restart, refuses a wrong token", async () => {
    const states: ConnectionState[] = [];
    const session = new RemoteSession({
      store: new TokenStore(join(scratch, 'tokens.json'), noKeychain),
      onState: (s) => states.push(s),
      onEvent: () => undefined,
      backoff: { initialMs: 200, factor: 2, maxMs: 1000, maxAttempts: 60 },
    });
    try {
      expect(await session.connect(`http://127.0.0.1:${lab.port}`, lab.token)).toMatchObject({ phase: 'connected' });
      const call = session.call()!;
      const remoteRuns = (await call('runs', [])) as Array<{ name: string }>;
      expect(remoteRuns.map((r) => r.name).sort()).toEqual(runs.map((r) => r.name).sort());
      const result = (await call('compare', [{ a: pair.a, b: pair.b, method: 'pwcca' }])) as { similarity: number };
      expect(result.similarity).toBeCloseTo(pair.similarity, 12);

      await lab.stop();
      await expect.poll(() => session.state().phase, { timeout: 10_000 }).toBe('reconnecting');
      await expect(call('workspace', [])).rejects.toMatchObject({ name: 'ConnectionError' });
      lab = await startLab(tokenFile, lab.port);
      await expect.poll(() => session.state().phase, { timeout: 30_000 }).toBe('connected');
      expect(((await session.call()!('compare', [{ a: pair.a, b: pair.b, method: 'pwcca' }])) as { similarity: number }).similarity).toBeCloseTo(pair.similarity, 12);
      expect(states.map((s) => s.phase)).toContain('reconnecting');

      // The saved (session) token is used when none is given; a wrong one is refused, not retried.
      expect(await session.connect(`http://127.0.0.1:${lab.port}`)).toMatchObject({ phase: 'connected' });
      const wrong = await session.connect(`http://127.0.0.1:${lab.port}`, 'x'.repeat(32));
      expect(wrong).toMatchObject({ phase: 'refused', detail: expect.stringContaining('wrong or missing token') });
      await expect(session.call()!('runs', [])).rejects.toMatchObject({ name: 'ConnectionError' });
      expect(session.disconnect()).toMatchObject({ phase: 'local' });
      expect(session.call()).toBeNull();
    } finally {
      session.dispose();
    }
  });

  describe.skipIf(!CHROMIUM)(`the browser mode${CHROMIUM ? '' : ' (skipped: no chromium binary at /usr/bin/chromium or $CHROMIUM_PATH)'}`, () => {
    let local: Served;
    let browser: Browser;
    let page: Page;
    const empty = join(scratch, 'empty-workspace');

    beforeAll(async () => {
      mkdirSync(empty, { recursive: true });
      local = await startServe(empty);
      const origin = new URL(local.url).origin;
      // The lab server must accept the local page's origin: restart it with --allow-origin, same port and token.
      await lab.stop();
      lab = await startLab(tokenFile, lab.port, [origin]);
      browser = await launchBrowser(CHROMIUM!);
      page = browser.page;
      await page.goto(local.url);
      await page.getByTestId('index-summary').waitFor();
    });
    afterAll(async () => {
      await browser?.close();
      await local?.stop();
    });

    const phase = (): Promise<string | null> => page.getByTestId('remote-phase').getAttribute('data-phase');
    const rows = (): Promise<Array<string | null>> =>
      page.locator('[data-testid="runs-table"] tbody tr').evaluateAll((trs) => trs.map((r) => r.getAttribute('data-run')));

    async function attach(token: string): Promise<void> {
      if (!(await page.getByTestId('remote-form').isVisible())) await page.getByTestId('remote-toggle').click();
      await page.locator('input[name="remote-url"]').fill(`http://127.0.0.1:${lab.port}`);
      await page.locator('input[name="remote-token"]').fill(token);
      await page.getByTestId('remote-connect').click();
    }

    async function compareInPage(): Promise<void> {
      const [ra, rb] = [runs[0]!.name, runs[runs.length - 1]!.name];
      await page.locator('[role="tab"][data-view="pair"]').click();
      await page.getByTestId('pair-run-a').selectOption(ra);
      await page.getByTestId('pair-run-b').selectOption(rb);
      await page.locator('fieldset').nth(0).locator('select').nth(1).selectOption('fc');
      await page.locator('fieldset').nth(1).locator('select').nth(1).selectOption('fc');
      await page.getByTestId('pair-method').selectOption('pwcca');
      await page.getByTestId('pair-compute').click();
      await expect.poll(() => page.getByTestId('pair-similarity').textContent(), { timeout: 120_000 }).toBe(pair.similarity.toFixed(4));
    }

    it('attaches by URL + token: the remote runs, a compare there equal to the CLI', async () => {
      await expect.poll(() => page.getByTestId('index-summary').textContent()).toContain('0 runs');
      await attach(lab.token);
      await expect.poll(phase, { timeout: 20_000 }).toBe('connected');
      await expect.poll(() => page.getByTestId('index-summary').textContent()).toContain(`${runs.length} runs`);
      expect((await rows()).sort()).toEqual(runs.map((r) => r.name).sort());
      await compareInPage();
      await screenshot(page, 'remote-01-connected-pair');
      // The token is in this tab's session only, never plain in localStorage.
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
      expect(stored).not.toContain(lab.token);
    });

    it('the lab server killed and restarted on the same port: reconnecting, then connected, and it works again', async () => {
      await lab.stop();
      await expect.poll(phase, { timeout: 15_000 }).toBe('reconnecting');
      await expect.poll(() => page.getByTestId('remote-detail').textContent()).toMatch(/retrying in/);
      await screenshot(page, 'remote-02-reconnecting');
      lab = await startLab(tokenFile, lab.port, [new URL(local.url).origin]);
      await expect.poll(phase, { timeout: 30_000 }).toBe('connected');
      await page.locator('[role="tab"][data-view="runs"]').click();
      await expect.poll(async () => (await rows()).length).toBe(runs.length);
      await compareInPage();
      await screenshot(page, 'remote-03-reconnected');
    });

    it('a wrong token is refused with a clear reason; Disconnect goes back to the local workspace', async () => {
      await attach('y'.repeat(32));
      await expect.poll(phase, { timeout: 20_000 }).toBe('refused');
      expect(await page.getByTestId('remote-detail').textContent()).toContain('wrong or missing token');
      await screenshot(page, 'remote-04-refused');
      await page.getByTestId('remote-disconnect').click();
      await expect.poll(phase).toBe('local');
      await expect.poll(() => page.getByTestId('index-summary').textContent()).toContain('0 runs');
      // The API of the remote never leaked into another page's reach: no console errors but the expected refused dials.
      const unexpected = browser.problems.filter((p) => !/WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/api\?token=…?[^']*' failed/.test(p));
      expect(unexpected).toEqual([]);
    });
  });
});
