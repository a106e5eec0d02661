/**
 * The UI end to end: `svcca-studio serve` on the example workspace, driven in Debian's chromium. Each view must show
 * the workspace's real data (checked against the CLI's --json output), the interactions must work, and every step
 * leaves a screenshot in test-results/e2e/ for a person to look at.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureRendererBuild } from './build-renderer.js';
import { callApi, cliJson, ensureCliBuild, exampleWorkspace, findChromium, launchBrowser, missingService, pngSize, screenshot, startServe } from './harness.js';
import type { Browser, Served } from './harness.js';

const CHROMIUM = findChromium();
const WORKSPACE = exampleWorkspace();

interface RunsJson {
  runs: Array<{ name: string; layers: string[]; steps: Array<number | 'final'> }>;
}
interface CompareJson {
  similarity: number;
  coefficients: number[];
}

describe.skipIf(!CHROMIUM)(`UI in chromium against serve${CHROMIUM ? '' : ' (skipped: no chromium binary at /usr/bin/chromium or $CHROMIUM_PATH)'}`, () => {
  let served: Served;
  let browser: Browser;
  let page: Page;
  let runs: RunsJson['runs'];
  const scratch = mkdtempSync(join(tmpdir(), 'svcca-e2e-cli-'));
  // Workspaces the page opens by typing their path: serve lets it open only folders under WORKSPACE or --allow.
  const playground = mkdtempSync(join(tmpdir(), 'svcca-e2e-open-'));

  beforeAll(async () => {
    ensureCliBuild();
    await ensureRendererBuild();
    runs = cliJson<RunsJson>(['runs', WORKSPACE, '--db', join(scratch, 'index.sqlite')]).runs;
    served = await startServe(WORKSPACE, [playground]);
    browser = await launchBrowser(CHROMIUM!);
    page = browser.page;
    await page.goto(served.url);
    await page.locator('[data-testid="runs-table"] tbody tr').first().waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    rmSync(scratch, { recursive: true, force: true });
    rmSync(playground, { recursive: true, force: true });
  });

  /** The first run with several checkpoints (the dynamics runs) and two runs sharing a layer, from the CLI's view. */
  const dynamicRun = (): RunsJson['runs'][number] => runs.find((r) => r.steps.length > 1 && r.name.startsWith('true'))! ?? runs.find((r) => r.steps.length > 1)!;

  it('Runs: lists every run the CLI lists, with the index summary', async () => {
    const names = await page.locator('[data-testid="runs-table"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')));
    expect(names.sort()).toEqual(runs.map((r) => r.name).sort());
    await expect.poll(() => page.getByTestId('index-summary').textContent()).toContain(`${runs.length} runs`);
    await screenshot(page, '01-runs');
  });

  it('Runs: the regex filter narrows the table and the keyboard selects rows', async () => {
    const random = runs.filter((r) => /^random/i.test(r.name)).map((r) => r.name);
    await page.getByTestId('run-filter').fill('^random');
    await expect.poll(() => page.locator('[data-testid="runs-table"] tbody tr').count()).toBe(random.length);
    // Focus the first row, select it with Space, move down, select the next one.
    await page.locator('[data-testid="runs-table"] tbody tr').first().focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByTestId('selection-summary').textContent()).toContain(`${Math.min(2, random.length)} selected`);
    const selected = await page.locator('[data-testid="runs-table"] tbody tr[aria-selected="true"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')));
    expect(selected).toEqual(random.slice(0, 2));
    await page.getByTestId('group-by').selectOption('labels');
    await screenshot(page, '02-runs-filtered-selected');
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await page.getByTestId('run-filter').fill('');
    await page.getByTestId('group-by').selectOption('');
  });

  it('Runs: exports the chart as a PNG that is a valid image, as SVG and as CSV', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="png"]').first().click()]);
    const path = join(scratch, 'runs.png');
    await download.saveAs(path);
    const bytes = readFileSync(path);
    const size = pngSize(bytes);
    expect(size, 'PNG signature and IHDR').not.toBeNull();
    expect(size!.width).toBeGreaterThan(200);
    expect(size!.height).toBeGreaterThan(100);
    // The browser itself must decode it.
    const decoded = await page.evaluate(async (b64) => {
      const image = new Image();
      image.src = `data:image/png;base64,${b64}`;
      await image.decode();
      return [image.naturalWidth, image.naturalHeight];
    }, bytes.toString('base64'));
    expect(decoded).toEqual([size!.width, size!.height]);
    const [svg] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="svg"]').first().click()]);
    await svg.saveAs(join(scratch, 'runs.svg'));
    const svgText = readFileSync(join(scratch, 'runs.svg'), 'utf8');
    expect(svgText).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svgText).toContain('<path');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="csv"]').first().click()]);
    await csv.saveAs(join(scratch, 'runs.csv'));
    expect(readFileSync(join(scratch, 'runs.csv'), 'utf8').split('\r\n')[0]).toBe('run,step,probe_acc');
  });

  it('keyboard: arrow keys move between the view tabs; the theme toggles to dark', async () => {
    await page.locator('[role="tab"][data-view="runs"]').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('[role="tab"][aria-selected="true"]').getAttribute('data-view')).toBe('matrix');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-view'))).toBe('matrix');
    await page.keyboard.press('ArrowLeft');
    await page.getByTestId('theme-toggle').click();
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
    await screenshot(page, '03-runs-dark');
    await page.getByTestId('theme-toggle').click();
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('light');
  });

  it('Cluster matrix: all runs; hover shows a pair and value; a cell picked by keyboard equals compare --json and Enter opens the pair', async (ctx) => {
    const layer = 'fc';
    const missing = await missingService(served.url, 'matrix', [{ layer, method: 'cka', runs: runs.slice(0, 2).map((r) => r.name) }]);
    if (missing) ctx.skip(`service missing: ${missing}`);
    await page.locator('[role="tab"][data-view="matrix"]').click();
    await page.getByTestId('matrix-layer').selectOption(layer);
    await page.getByTestId('matrix-method').selectOption('svcca');
    await page.getByTestId('matrix-compute').click();
    const stage = page.getByTestId('matrix-stage');
    await stage.waitFor({ timeout: 120_000 });
    expect(Number(await stage.getAttribute('data-size'))).toBe(runs.length);
    const canvas = page.getByTestId('matrix-canvas');
    const box = (await canvas.boundingBox())!;
    // Hover the bottom-right cell (the cells end where the canvas ends) and read the tooltip.
    await canvas.hover({ position: { x: box.width - 5, y: box.height - 5 } });
    const tooltip = page.getByTestId('matrix-tooltip');
    await tooltip.waitFor();
    const text = (await tooltip.innerText()).split('\n').map((s) => s.trim());
    const [a, b] = [text[0]!, text[1]!.replace(/^×\s*/, '')];
    expect(Number(text[2])).toBeGreaterThan(0);
    expect(runs.map((r) => r.name)).toContain(a);
    expect(runs.map((r) => r.name)).toContain(b);
    await screenshot(page, '04-matrix-hover');
    await page.getByTestId('theme-toggle').click();
    await screenshot(page, '04c-matrix-dark');
    await page.getByTestId('theme-toggle').click();
    // Keyboard: the cursor starts on the first cell; move to an off-diagonal pair and read it.
    await canvas.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    const line = (await page.getByTestId('matrix-cell').innerText()).trim();
    const match = /^(\S+) × (\S+) = ([0-9.]+)$/.exec(line);
    expect(match, line).not.toBeNull();
    const [, rowRun, colRun, value] = match!;
    expect(rowRun).not.toBe(colRun);
    const fileA = (await callApi(served.url, 'resolveLayer', [{ run: rowRun, layer }])).value as string;
    const fileB = (await callApi(served.url, 'resolveLayer', [{ run: colRun, layer }])).value as string;
    const expected = cliJson<CompareJson>(['compare', fileA, fileB, '--method', 'svcca']);
    expect(value).toBe(expected.similarity.toFixed(4));
    await screenshot(page, '04b-matrix-keyboard');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[role="tab"][aria-selected="true"]').getAttribute('data-view')).toBe('pair');
    const similarity = page.getByTestId('pair-similarity');
    await expect.poll(() => similarity.textContent(), { timeout: 120_000 }).toBe(expected.similarity.toFixed(4));
    await screenshot(page, '05-pair-from-matrix');
  });

  it('Pair: the similarity shown equals `svcca-studio compare --json` for the same two layers', async (ctx) => {
    const [ra, rb] = [runs[0]!.name, runs[runs.length - 1]!.name];
    const layer = 'fc';
    const [fa, fb] = [(await callApi(served.url, 'resolveLayer', [{ run: ra, layer }])).value as string, (await callApi(served.url, 'resolveLayer', [{ run: rb, layer }])).value as string];
    expect(fa).toContain(ra);
    const missing = await missingService(served.url, 'compare', [{ a: fa, b: fb, method: 'pwcca' }]);
    if (missing) ctx.skip(`service missing: ${missing}`);
    const expected = cliJson<CompareJson>(['compare', fa, fb, '--method', 'pwcca']);
    await page.locator('[role="tab"][data-view="pair"]').click();
    await page.getByTestId('pair-run-a').selectOption(ra);
    await page.getByTestId('pair-run-b').selectOption(rb);
    await page.locator('fieldset').nth(0).locator('select').nth(1).selectOption(layer);
    await page.locator('fieldset').nth(1).locator('select').nth(1).selectOption(layer);
    await page.getByTestId('pair-method').selectOption('pwcca');
    await page.getByTestId('pair-compute').click();
    await expect.poll(() => page.getByTestId('pair-similarity').textContent(), { timeout: 120_000 }).toBe(expected.similarity.toFixed(4));
    // The bands are the significance analysis's: the CLI prints the same noise floor and interval (view defaults:
    // 5 shuffles, 20 resamples, seed 1).
    const significant = cliJson<{ noise_floor: { similarity: number; p_value: number }; interval: { low: number; high: number } }>(
      ['significance', fa, fb, '--method', 'pwcca', '--permutations', '5', '--bootstrap', '20', '--seed', '1'],
    );
    await expect.poll(() => page.getByTestId('pair-noise-floor').textContent()).toContain(significant.noise_floor.similarity.toFixed(4));
    expect(await page.getByTestId('pair-noise-floor').textContent()).toContain(`p = ${significant.noise_floor.p_value.toFixed(3)}`);
    expect(await page.getByTestId('pair-interval').textContent()).toContain(`[${significant.interval.low.toFixed(4)}, ${significant.interval.high.toFixed(4)}]`);
    await screenshot(page, '06-pair');
  });

  it('Pair: DFT-CCA of two conv layers shows the per-frequency picture and the CLI\'s similarity', async () => {
    const [ra, rb] = [runs[2]!.name, runs[3]!.name];
    const layer = 'conv2';
    const fa = (await callApi(served.url, 'resolveLayer', [{ run: ra, layer }])).value as string;
    const fb = (await callApi(served.url, 'resolveLayer', [{ run: rb, layer }])).value as string;
    const expected = cliJson<CompareJson>(['compare', fa, fb, '--method', 'dft-cca']);
    await page.locator('[role="tab"][data-view="pair"]').click();
    await page.getByTestId('pair-run-a').selectOption(ra);
    await page.getByTestId('pair-run-b').selectOption(rb);
    await page.locator('fieldset').nth(0).locator('select').nth(1).selectOption(layer);
    await page.locator('fieldset').nth(1).locator('select').nth(1).selectOption(layer);
    await page.getByTestId('pair-method').selectOption('dft-cca');
    // DFT-CCA has no datapoint-level significance: the pair view offers none.
    expect(await page.getByLabel('noise floor shuffles').count()).toBe(0);
    await page.getByTestId('pair-compute').click();
    await expect.poll(() => page.getByTestId('pair-similarity').textContent(), { timeout: 120_000 }).toBe(expected.similarity.toFixed(4));
    await page.getByRole('region', { name: 'DFT-CCA similarity per frequency' }).waitFor();
    await screenshot(page, '06b-pair-dft');
  });

  it('a long job shows its progress in the job bar and Cancel stops it', async () => {
    await page.locator('[role="tab"][data-view="pair"]').click();
    await page.getByTestId('pair-method').selectOption('svcca');
    // 1,000 shuffles: long enough (seconds) that the job is still running when Cancel is clicked; 100 finished in
    // well under a second here, before the click.
    await page.getByLabel('noise floor shuffles').fill('1000');
    await page.getByLabel('bootstrap resamples').fill('0');
    await page.getByTestId('pair-compute').click();
    const job = page.locator('.job').first();
    await job.waitFor();
    // Load, compare, then the significance analysis: the observed value and 1,000 shuffles.
    await expect.poll(() => job.locator('.job-count').textContent(), { timeout: 30_000 }).toMatch(/^\d+\/1004$/);
    await screenshot(page, '06c-job-progress');
    await job.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.locator('.job').count(), { timeout: 30_000 }).toBe(0);
    expect(await page.getByTestId('error').count()).toBe(0);
    await page.getByLabel('noise floor shuffles').fill('5');
    await page.getByLabel('bootstrap resamples').fill('20');
  });

  it('Dynamics: panes per checkpoint with a slider and similarity-to-final lines', async (ctx) => {
    const run = dynamicRun();
    const missing = await missingService(served.url, 'dynamics', [{ run: run.name }]);
    if (missing) ctx.skip(`service missing: ${missing}`);
    await page.locator('[role="tab"][data-view="dynamics"]').click();
    await page.getByTestId('dynamics-run').selectOption(run.name);
    await page.getByTestId('dynamics-compute').click();
    const slider = page.getByTestId('dynamics-slider');
    await slider.waitFor({ timeout: 120_000 });
    expect(await slider.getAttribute('max')).toBe(String(run.steps.length - 1));
    await slider.focus();
    await page.keyboard.press('Home');
    await expect.poll(() => page.getByTestId('dynamics-step').textContent()).toBe(`step ${run.steps[0]}`);
    await screenshot(page, '07-dynamics');
  });

  it('Compression: accuracy vs k for SVCCA and the baselines, with the chosen k', async (ctx) => {
    const run = runs.find((r) => r.name.startsWith('true')) ?? runs[0]!;
    const missing = await missingService(served.url, 'compress', [{ run: run.name, layer: 'fc' }]);
    if (missing) ctx.skip(`service missing: ${missing}`);
    await page.locator('[role="tab"][data-view="compression"]').click();
    await page.getByTestId('compress-run').selectOption(run.name);
    await page.getByTestId('compress-layer').selectOption('fc');
    await page.getByTestId('compress-compute').click();
    await page.getByTestId('compress-k').waitFor({ timeout: 120_000 });
    const expected = cliJson<{ smallest_k_within_half_point: number }>(['compress', WORKSPACE, '--run', run.name, '--layer', 'fc', '--db', join(scratch, 'index.sqlite')]);
    expect(Number(await page.getByTestId('compress-k').textContent())).toBe(expected.smallest_k_within_half_point);
    await screenshot(page, '08-compression');
  });

  it('Open workspace + live updates: a run copied in while serving appears in the table', async () => {
    const live = mkdtempSync(join(playground, 'svcca-live-'));
    try {
      const [first, second, third] = runs.filter((r) => r.steps.length === 1).map((r) => r.name);
      cpSync(join(WORKSPACE, first!), join(live, first!), { recursive: true });
      cpSync(join(WORKSPACE, second!), join(live, second!), { recursive: true });
      await page.locator('[role="tab"][data-view="runs"]').click();
      await page.locator('#workspace-path').fill(live);
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      await expect.poll(() => page.getByTestId('workspace-root').textContent(), { timeout: 30_000 }).toBe(live);
      await expect.poll(() => page.locator('[data-testid="runs-table"] tbody tr').count(), { timeout: 30_000 }).toBe(2);
      // A run "being written": its folder appears while serve watches the workspace.
      cpSync(join(WORKSPACE, third!), join(live, third!), { recursive: true });
      await expect.poll(() => page.locator('[data-testid="runs-table"] tbody tr').count(), { timeout: 30_000 }).toBe(3);
      await expect.poll(() => page.getByTestId('index-summary').textContent()).toContain('3 runs');
      await screenshot(page, '09-live-workspace');
      await page.locator('#workspace-path').fill(WORKSPACE);
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      await expect.poll(() => page.locator('[data-testid="runs-table"] tbody tr').count(), { timeout: 30_000 }).toBe(runs.length);
    } finally {
      rmSync(live, { recursive: true, force: true });
    }
  });

  it('Runs: past 40 runs the timeline is a canvas that pans, names the run under the pointer and exports a PNG', async () => {
    const many = mkdtempSync(join(playground, 'svcca-many-'));
    try {
      // 60 runs with metrics only (run.json, no checkpoints): what a sweep looks like while it trains.
      for (let r = 0; r < 60; r++) {
        const name = `sweep-${String(r).padStart(3, '0')}`;
        const metrics = Array.from({ length: 200 }, (_, s) => ({ step: s * 10, probe_acc: 0.5 + 0.4 * (1 - Math.exp(-s / 20)) * (0.8 + 0.02 * (r % 10)) }));
        mkdirSync(join(many, name));
        writeFileSync(join(many, name, 'run.json'), JSON.stringify({ name, group: `g${r % 3}`, metrics }));
      }
      await page.locator('[role="tab"][data-view="runs"]').click();
      await page.locator('#workspace-path').fill(many);
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      await expect.poll(() => page.getByTestId('run-count').textContent(), { timeout: 30_000 }).toContain('60 of 60');
      const canvas = page.locator('.timeline canvas');
      await canvas.waitFor();
      const box = (await canvas.boundingBox())!;
      // Drag to pan, then look for a line along a vertical sweep of the pointer.
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 10 });
      await page.mouse.up();
      let named: string | null = null;
      for (let y = box.y + 20; y < box.y + box.height - 50 && !named; y += 3) {
        await page.mouse.move(box.x + box.width * 0.5, y);
        const tip = page.locator('.timeline .tooltip .mono');
        if (await tip.count()) named = await tip.textContent();
      }
      expect(named).toMatch(/^sweep-\d{3}$/);
      await screenshot(page, '10-many-runs-canvas');
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.chart-panel [data-export="png"]').first().click()]);
      await download.saveAs(join(scratch, 'many.png'));
      expect(pngSize(readFileSync(join(scratch, 'many.png')))?.width).toBeGreaterThan(400);
      await page.locator('#workspace-path').fill(WORKSPACE);
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      await expect.poll(() => page.locator('[data-testid="runs-table"] tbody tr').count(), { timeout: 30_000 }).toBe(runs.length);
    } finally {
      rmSync(many, { recursive: true, force: true });
    }
  });

  it('the page raised no errors and no job is left in the job bar', async () => {
    await expect.poll(() => page.locator('.job').count(), { timeout: 30_000 }).toBe(0);
    expect(browser.problems).toEqual([]);
  });
});
