/**
 * The second wave's analysis views end to end: `svcca-studio serve` on the example workspace in Debian's chromium.
 * Stability, similarity vs a metric, group distances, the cross-net grid, dynamics against another run with its
 * crawl, flat clusters on the cluster matrix, and (on a small RNN workspace opened from the page) the timestep
 * matrix. Each must show the CLI's --json numbers for the same question, export every picture as PNG, SVG and CSV,
 * and leave screenshots at 1440×900 and 900×600, light and dark, in test-results/e2e/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { ensureRendererBuild } from './build-renderer.js';
import { cliJson, ensureCliBuild, exampleWorkspace, findChromium, launchBrowser, openView, startServe } from './harness.js';
import type { Browser, Served } from './harness.js';
import { exportsEveryPicture as exportsEveryPictureIn, exportsPanel as exportsPanelIn, shootEveryLook } from './pictures.js';

const CHROMIUM = findChromium();
const WORKSPACE = exampleWorkspace();

interface RunsJson {
  runs: Array<{ name: string; group?: string; layers: string[]; steps: Array<number | 'final'> }>;
}


describe.skipIf(!CHROMIUM)(`second-wave analysis views in chromium against serve${CHROMIUM ? '' : ' (skipped: no chromium)'}`, () => {
  let served: Served;
  let browser: Browser;
  let page: Page;
  let runs: RunsJson['runs'];
  const scratch = mkdtempSync(join(tmpdir(), 'svcca-e2e-analyses2-'));
  const db = join(scratch, 'index.sqlite');
  /** A one-run workspace with a (datapoints, timesteps, units) hidden state, for the timestep view. */
  const sequences = join(scratch, 'rnn-workspace');
  const cli = <T>(args: string[]): T => cliJson<T>([...args, '--db', db]);

  beforeAll(async () => {
    ensureCliBuild();
    await ensureRendererBuild();
    mkdirSync(join(sequences, 'rnn_seed1', 'step-000100'), { recursive: true });
    // A small tanh RNN, 120 sequences of 6 timesteps, 10 hidden units.
    execFileSync('python3', [
      '-c',
      `import numpy as np
rng = np.random.default_rng(5)
m, T, n, d = 120, 6, 10, 4
x = rng.standard_normal((m, T, d)); W = rng.standard_normal((n, n)) * 0.5; U = rng.standard_normal((d, n))
h = np.zeros((m, n)); hs = []
for t in range(T):
    h = np.tanh(h @ W + x[:, t] @ U); hs.append(h)
np.save('${join(sequences, 'rnn_seed1', 'step-000100', 'hidden.npy')}', np.stack(hs, axis=1).astype(np.float32))`,
    ]);
    writeFileSync(join(sequences, 'rnn_seed1', 'run.json'), JSON.stringify({ name: 'rnn_seed1', seed: 1, layers: ['hidden'], layer_shapes: { hidden: [120, 6, 10] } }));
    runs = cliJson<RunsJson>(['runs', WORKSPACE, '--db', db]).runs;
    served = await startServe(WORKSPACE, [sequences]);
    browser = await launchBrowser(CHROMIUM!, { width: 1440, height: 900 });
    page = browser.page;
    await page.goto(served.url);
    await page.locator('[data-testid="runs-table"] tbody tr').first().waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const dynamicRun = (): string => runs.find((r) => r.steps.length > 1)!.name;
  const open = (view: string): Promise<void> => openView(page, view);

  const exportsPanel = (panel: Locator, name: string, mark?: string): Promise<void> => exportsPanelIn(page, panel, scratch, name, mark);
  const exportsEveryPicture = (name: string): Promise<number> => exportsEveryPictureIn(page, scratch, name);
  const shoot = (name: string): Promise<void> => shootEveryLook(page, 'b', name);

  const f4 = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(4));

  it('Stability: stable and unstable mean ρ per step equal `stability --json`', async () => {
    const run = dynamicRun();
    // The Analyses tab opens its row of sub-tabs; arrow keys move along that row.
    await open('spectrum');
    await page.locator('[role="tab"][data-view="spectrum"]').focus();
    await page.keyboard.press('ArrowRight');
    await page.locator('[role="tab"][data-view="stability"][aria-selected="true"]').waitFor();
    expect(await page.locator('[role="tab"][data-view="analyses"]').getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => window.location.hash)).toBe('#/stability');
    await expect.poll(() => page.getByTestId('view-empty').count()).toBe(1);
    await page.getByTestId('stability-run').selectOption(run);
    await page.getByTestId('stability-layer').selectOption('fc');
    await page.getByTestId('stability-compute').click();
    await page.getByTestId('stability-table').waitFor({ timeout: 60_000 });
    const expected = cli<{ steps: Array<number | 'final'>; stable: number[]; unstable: number[] }>(['stability', WORKSPACE, '--run', run, '--layer', 'fc']);
    for (const [i, step] of expected.steps.entries()) {
      const row = page.locator(`[data-testid="stability-table"] tr[data-step="${step}"]`);
      expect(await row.locator('[data-col="stable"]').textContent(), `stable at ${step}`).toBe(f4(expected.stable[i]!));
      expect(await row.locator('[data-col="unstable"]').textContent(), `unstable at ${step}`).toBe(f4(expected.unstable[i]!));
    }
    expect(await exportsEveryPicture('stability')).toBe(2);
    await shoot('stability');
  });

  it('Similarity vs metric: Pearson r and Spearman ρ equal `correlate --json`', async () => {
    await open('correlate');
    await page.getByTestId('correlate-layer').selectOption('fc');
    await page.getByTestId('correlate-metric').selectOption('probe_acc');
    await page.getByTestId('correlate-compute').click();
    await page.getByTestId('correlate-stats').waitFor({ timeout: 60_000 });
    const expected = cli<{ pearson: number | null; spearman: number | null }>(['correlate', WORKSPACE, '--layer', 'fc', '--metric', 'probe_acc', '--method', 'pwcca']);
    expect(await page.getByTestId('correlate-pearson').textContent()).toBe(f4(expected.pearson));
    expect(await page.getByTestId('correlate-spearman').textContent()).toBe(f4(expected.spearman));
    expect(await exportsEveryPicture('correlate')).toBe(1);
    await shoot('correlate');
  });

  it('Group distances: within and between 1 − PWCCA ± SD per layer equal `groups --json`', async () => {
    await open('groups');
    await page.getByTestId('groups-by').selectOption('labels');
    await page.getByTestId('groups-compute').click();
    await page.getByTestId('groups-table').waitFor({ timeout: 60_000 });
    const expected = cli<{ layers: string[]; groups: Array<{ value: string; within: Array<number | null>; within_sd: Array<number | null> }>; between: Array<number | null>; between_sd: Array<number | null> }>(['groups', WORKSPACE, '--by', 'labels']);
    const cell = (m: number | null | undefined, sd: number | null | undefined): string => (typeof m === 'number' ? `${m.toFixed(4)}${typeof sd === 'number' ? ` ± ${sd.toFixed(4)}` : ''}` : 'n/a');
    for (const [i, layer] of expected.layers.entries()) {
      const row = page.locator(`[data-testid="groups-table"] tr[data-layer="${layer}"]`);
      for (const g of expected.groups) expect(await row.locator(`[data-group="${g.value}"]`).textContent(), `${layer} within ${g.value}`).toBe(cell(g.within[i], g.within_sd[i]));
      expect(await row.locator('[data-group="between"]').textContent(), `${layer} between`).toBe(cell(expected.between[i], expected.between_sd[i]));
    }
    expect(await exportsEveryPicture('groups')).toBe(1);
    await shoot('groups');
  });

  it('Cross-net grid: each layer\'s best match and its similarity equal `grid --json`', async () => {
    const a = runs[0]!.name;
    const b = runs.find((r) => r.group !== runs[0]!.group)?.name ?? runs[1]!.name;
    await open('grid');
    await page.getByTestId('grid-run-a').selectOption(a);
    await page.getByTestId('grid-run-b').selectOption(b);
    await page.getByTestId('grid-compute').click();
    await page.getByTestId('grid-table').waitFor({ timeout: 60_000 });
    const expected = cli<{ layers_a: string[]; layers_b: string[]; grid: number[][]; best_b: number[] }>(['grid', WORKSPACE, '--runs', `${a},${b}`, '--method', 'svcca']);
    for (const [i, layer] of expected.layers_a.entries()) {
      const row = page.locator(`[data-testid="grid-table"] tr[data-layer="${layer}"]`);
      const j = expected.best_b[i]!;
      expect(await row.locator('[data-col="best"]').textContent()).toBe(expected.layers_b[j]);
      expect(await row.locator('[data-col="value"]').textContent()).toBe(expected.grid[i]![j]!.toFixed(4));
    }
    expect(await exportsEveryPicture('grid')).toBe(1);
    await shoot('grid');
  });

  it('Dynamics against another run: the crawl (most similar layer per checkpoint) equals `dynamics --against --json`', async () => {
    const run = dynamicRun();
    const other = runs.find((r) => r.name !== run && r.steps.length > 1)!.name;
    await open('dynamics');
    await page.getByTestId('dynamics-run').selectOption(run);
    await page.getByTestId('dynamics-against').selectOption(other);
    await page.getByTestId('dynamics-compute').click();
    await page.getByTestId('crawl-table').waitFor({ timeout: 60_000 });
    const expected = cli<{ steps: Array<number | 'final'>; against: string; crawl: { final_to_checkpoint: Record<string, string[]> } }>(['dynamics', WORKSPACE, '--run', run, '--against', other, '--no-classes']);
    expect(expected.against).toBe(other);
    for (const [layer, most] of Object.entries(expected.crawl.final_to_checkpoint)) {
      for (const [i, step] of expected.steps.entries()) {
        expect(await page.locator(`[data-testid="crawl-table"] tr[data-layer="${layer}"] td[data-step="${step}"]`).textContent(), `${layer} at ${step}`).toBe(most[i]);
      }
    }
    expect(await page.locator('main .chart-panel h3').first().textContent()).toContain(other);
    expect(await exportsEveryPicture('dynamics-against')).toBeGreaterThanOrEqual(3);
    await shoot('dynamics-against');
    await page.getByTestId('dynamics-against').selectOption('');
  });

  it('Cluster matrix: K flat clusters are outlined and listed as `matrix --clusters --json` cuts them', async () => {
    await open('matrix');
    await page.getByTestId('matrix-layer').selectOption('fc');
    await page.getByTestId('matrix-method').selectOption('svcca');
    await page.getByTestId('matrix-cut-by').selectOption('count');
    await page.getByTestId('matrix-clusters').fill('3');
    await page.getByTestId('matrix-compute').click();
    await page.getByTestId('matrix-flat-clusters').waitFor({ timeout: 60_000 });
    const expected = cli<{ clusters: { members: string[][]; height: number } }>(['matrix', WORKSPACE, '--layer', 'fc', '--method', 'svcca', '--clusters', '3']);
    const shown = await page.locator('[data-testid="matrix-flat-clusters"] li').evaluateAll((items) => items.map((li) => li.textContent!.trim()));
    expect(shown).toEqual(expected.clusters.members.map((m) => m.join(', ')));
    expect(await page.getByTestId('matrix-flat-clusters').locator('h3').textContent()).toContain(expected.clusters.height.toFixed(4));
    await exportsPanel(page.locator('main section.panel').filter({ has: page.getByTestId('matrix-stage') }), 'matrix-clusters', 'stroke="#fff"');
    await shoot('matrix-clusters');
  });

  it('Timesteps: on an RNN workspace opened from the page, the timestep matrix equals `timesteps --json`', async () => {
    await page.locator('#workspace-path').fill(sequences);
    await page.locator('form.open button[type="submit"]').click();
    await expect.poll(() => page.getByTestId('workspace-root').textContent(), { timeout: 30_000 }).toBe(sequences);
    await open('timesteps');
    await expect.poll(() => page.getByTestId('timesteps-run').inputValue(), { timeout: 30_000 }).toBe('rnn_seed1');
    await expect.poll(() => page.getByTestId('timesteps-layer').inputValue()).toBe('hidden');
    await page.getByTestId('timesteps-compute').click();
    await page.getByTestId('timesteps-table').waitFor({ timeout: 60_000 });
    const expected = cli<{ timesteps: number[]; matrix: number[][] }>(['timesteps', sequences, '--run', 'rnn_seed1', '--layer', 'hidden', '--method', 'svcca']);
    expect(expected.timesteps).toEqual([0, 1, 2, 3, 4, 5]);
    for (const [i, t] of expected.timesteps.entries()) {
      for (const [j, u] of expected.timesteps.entries()) {
        expect(await page.locator(`[data-testid="timesteps-table"] tr[data-t="${t}"] td[data-u="${u}"]`).textContent(), `${t} × ${u}`).toBe(expected.matrix[i]![j]!.toFixed(4));
      }
    }
    expect(await exportsEveryPicture('timesteps')).toBe(1);
    await shoot('timesteps');
  });

  it('the page raised no errors and no job is left running', async () => {
    await expect.poll(() => page.locator('.job').count(), { timeout: 30_000 }).toBe(0);
    expect(browser.problems).toEqual([]);
  });
});
