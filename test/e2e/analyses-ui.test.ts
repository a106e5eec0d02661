/**
 * The analysis views end to end (issue 16, "the UI shows everything"): `svcca-studio serve` on the example workspace,
 * driven in Debian's chromium. Each view computes on real data and must show the CLI's --json numbers for the same
 * question; every picture in it exports as PNG, SVG and CSV; and each view leaves screenshots at 1440×900 and 900×600,
 * light and dark, in test-results/e2e/ for a person to look at.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureRendererBuild } from './build-renderer.js';
import { cliJson, ensureCliBuild, exampleWorkspace, findChromium, launchBrowser, openView, screenshot, startServe } from './harness.js';
import type { Browser, Served } from './harness.js';
import { exportsEveryPicture as exportsEveryPictureIn, shootEveryLook } from './pictures.js';

const CHROMIUM = findChromium();
const WORKSPACE = exampleWorkspace();

interface RunsJson {
  runs: Array<{ name: string; group?: string; layers: string[]; steps: Array<number | 'final'> }>;
}


describe.skipIf(!CHROMIUM)(`analysis views in chromium against serve${CHROMIUM ? '' : ' (skipped: no chromium)'}`, () => {
  let served: Served;
  let browser: Browser;
  let page: Page;
  let runs: RunsJson['runs'];
  const scratch = mkdtempSync(join(tmpdir(), 'svcca-e2e-analyses-'));
  // A workspace the page opens (serve --allow): two runs with checkpoints in one group, so the band has a width.
  const playground = mkdtempSync(join(tmpdir(), 'svcca-e2e-analyses-open-'));
  const db = join(scratch, 'index.sqlite');
  const cli = <T>(args: string[]): T => cliJson<T>([...args, '--db', db]);

  beforeAll(async () => {
    ensureCliBuild();
    await ensureRendererBuild();
    runs = cliJson<RunsJson>(['runs', WORKSPACE, '--db', db]).runs;
    served = await startServe(WORKSPACE, [playground]);
    browser = await launchBrowser(CHROMIUM!, { width: 1440, height: 900 });
    page = browser.page;
    await page.goto(served.url);
    await page.locator('[data-testid="runs-table"] tbody tr').first().waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    rmSync(scratch, { recursive: true, force: true });
    rmSync(playground, { recursive: true, force: true });
  });

  /** The run the one-run views start on (the first with several checkpoints), and the first group of several runs. */
  const dynamicRun = (): string => runs.find((r) => r.steps.length > 1)!.name;
  const largestGroup = (): { name: string; members: string[] } => {
    const groups = new Map<string, string[]>();
    for (const r of runs) if (r.group) groups.set(r.group, [...(groups.get(r.group) ?? []), r.name]);
    const [name, members] = [...groups.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
    return { name, members };
  };

  const open = (view: string): Promise<void> => openView(page, view);

  const exportsEveryPicture = (name: string): Promise<number> => exportsEveryPictureIn(page, scratch, name);
  const shoot = (name: string): Promise<void> => shootEveryLook(page, 'a', name);

  it('Spectra: k for 90% / 99% per layer and checkpoint equals `spectrum --json`', async () => {
    const run = dynamicRun();
    await open('spectrum');
    await expect.poll(() => page.getByTestId('view-empty').count()).toBe(1);
    await page.getByTestId('spectrum-run').selectOption(run);
    await page.getByTestId('spectrum-compute').click();
    await page.getByTestId('spectrum-table').waitFor({ timeout: 120_000 });
    const expected = cli<{ layers: string[]; steps: Array<number | 'final'>; k: Record<string, Record<string, number[]>>; k_variance: Record<string, Record<string, number[]>> }>(['spectrum', WORKSPACE, '--run', run]);
    for (const layer of expected.layers) {
      for (const [i, step] of expected.steps.entries()) {
        const cell = page.locator(`[data-testid="spectrum-table"] tr[data-layer="${layer}"] td[data-step="${step}"]`);
        const text = (await cell.textContent())!.replace(/\s+/g, ' ').trim();
        expect(text, `${layer} step ${step}`).toBe(`${expected.k['0.9']![layer]![i]} / ${expected.k['0.99']![layer]![i]} (${expected.k_variance['0.9']![layer]![i]} / ${expected.k_variance['0.99']![layer]![i]})`);
      }
    }
    await page.getByTestId('spectrum-layer').selectOption('fc');
    expect(await exportsEveryPicture('spectrum')).toBe(2);
    await shoot('spectrum');
  });

  it('Class sensitivity: the class × layer heatmap follows the slider; learned-early order equals `sensitivity --json`', async () => {
    const run = dynamicRun();
    await open('sensitivity');
    await page.getByTestId('sensitivity-run').selectOption(run);
    await page.getByTestId('sensitivity-compute').click();
    const slider = page.getByTestId('sensitivity-slider');
    await slider.waitFor({ timeout: 120_000 });
    const expected = cli<{ steps: Array<number | 'final'>; early_order: string[]; learned_at: Record<string, number | null>; classes: string[] }>(['sensitivity', WORKSPACE, '--run', run]);
    expect(await page.getByTestId('sensitivity-early').textContent()).toBe(expected.early_order.join(' '));
    const learned = expected.classes.filter((c) => expected.learned_at[c] !== null);
    const not = expected.classes.filter((c) => expected.learned_at[c] === null);
    const words = [learned.map((c) => `${c} at step ${expected.learned_at[c]}`).join(', '), not.length ? `not yet: ${not.join(' ')}` : ''].filter(Boolean).join('; ');
    expect(await page.getByTestId('sensitivity-learned').textContent()).toBe(words);
    expect(await slider.getAttribute('max')).toBe(String(expected.steps.length - 1));
    await slider.focus();
    await page.keyboard.press('Home');
    await expect.poll(() => page.getByTestId('sensitivity-step').textContent()).toBe(`step ${expected.steps[0]}`);
    await expect.poll(() => page.locator('main .chart-panel h3').first().textContent()).toContain(`at step ${expected.steps[0]}`);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await exportsEveryPicture('sensitivity')).toBe(3);
    await shoot('sensitivity');
  });

  it('Significance: a cancel says so; per run pair, the similarity, p-value and interval equal `significance --layer --json`', async () => {
    // With no selection and few runs the view compares every pair of runs.
    const all = runs.map((r) => r.name);
    expect(all.length).toBeLessThanOrEqual(12);
    await open('significance');
    // A long job first (2 000 shuffles and resamples of conv2 for every pair, minutes of work), cancelled: the view
    // says it was cancelled (not an error) and the job bar empties. Long enough that the cancel always lands.
    await page.getByTestId('significance-layer').selectOption('conv2');
    await page.getByLabel('noise-floor shuffles').fill('1000');
    await page.getByLabel('bootstrap resamples').fill('1000');
    await page.getByTestId('significance-compute').click();
    const job = page.locator('.job').first();
    await job.waitFor();
    await job.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.locator('.job').count(), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('view-cancelled').count()).toBe(1);
    expect(await page.getByTestId('view-error').count()).toBe(0);
    await page.getByLabel('noise-floor shuffles').fill('20');
    await page.getByLabel('bootstrap resamples').fill('20');
    await page.getByTestId('significance-layer').selectOption('fc');
    await page.getByTestId('significance-method').selectOption('svcca');
    await page.getByTestId('significance-compute').click();
    await page.getByTestId('significance-table').waitFor({ timeout: 120_000 });
    const expected = cli<{ pairs: Array<{ a: string; b: string; similarity: number; noise_floor: { p_value: number; similarity: number }; interval: { low: number; high: number } }> }>(
      ['significance', WORKSPACE, '--layer', 'fc', '--runs', all.join(','), '--method', 'svcca', '--permutations', '20', '--bootstrap', '20'],
    );
    expect(await page.locator('[data-testid="significance-table"] tbody tr').count()).toBe(expected.pairs.length);
    for (const p of expected.pairs) {
      const row = page.locator(`[data-testid="significance-table"] tr[data-pair="${p.a} × ${p.b}"]`);
      expect(await row.locator('[data-col="similarity"]').textContent()).toBe(p.similarity.toFixed(4));
      expect(await row.locator('[data-col="p"]').textContent()).toBe(p.noise_floor.p_value.toFixed(3));
      expect(await row.locator('[data-col="interval"]').textContent()).toBe(`[${p.interval.low.toFixed(4)}, ${p.interval.high.toFixed(4)}]`);
      expect(await row.locator('[data-col="noise"]').textContent()).toContain(p.noise_floor.similarity.toFixed(4));
    }
    expect(await exportsEveryPicture('significance')).toBe(1);
    await shoot('significance');
  });

  it('Layer identification: the accuracy per measure equals `identify --json`', async () => {
    const group = largestGroup();
    await open('identify');
    await page.getByTestId('identify-group').selectOption(group.name);
    await page.getByTestId('identify-compute').click();
    await page.getByTestId('identify-accuracy').waitFor({ timeout: 180_000 });
    const expected = cli<{ methods: string[]; accuracy: Record<string, number> }>(['identify', WORKSPACE, '--group', group.name]);
    for (const method of expected.methods) {
      await page.getByTestId('identify-method').selectOption(method);
      expect(await page.getByTestId('identify-accuracy').textContent()).toContain(`${(100 * expected.accuracy[method]!).toFixed(1)}%`);
    }
    await page.getByTestId('identify-method').selectOption(expected.methods.find((m) => m === 'svcca') ?? expected.methods[0]!);
    expect(await exportsEveryPicture('identify')).toBe(3);
    await shoot('identify');
  });

  it('Group dynamics: mean ± sd to final; each layer\'s settling step equals `dynamics --group --json`', async () => {
    const group = runs.find((r) => r.group && r.steps.length > 1)!.group!;
    await open('group');
    await page.getByTestId('group-name').selectOption(group);
    await page.getByTestId('group-compute').click();
    await page.getByTestId('group-converged').waitFor({ timeout: 120_000 });
    const expected = cli<{ layers: string[]; runs: string[]; converged_at: Record<string, number | 'final' | null> }>(['dynamics', WORKSPACE, '--group', group]);
    for (const layer of expected.layers) {
      expect(await page.locator(`[data-testid="group-converged"] tr[data-layer="${layer}"] [data-col="mean"]`).textContent()).toBe(String(expected.converged_at[layer] ?? '—'));
    }
    expect(await page.getByTestId('group-runs').textContent()).toContain(expected.runs.join(', '));
    expect(await exportsEveryPicture('group')).toBe(2);
    await shoot('group');
  });

  it('Group dynamics: two runs of a group give a band of ± one sd that equals `dynamics --group --json`', async () => {
    const mixed = join(playground, 'two-runs');
    const members = runs.filter((r) => r.steps.length > 1).slice(0, 2).map((r) => r.name);
    expect(members).toHaveLength(2);
    for (const name of members) {
      cpSync(join(WORKSPACE, name), join(mixed, name), { recursive: true });
      const meta = JSON.parse(readFileSync(join(mixed, name, 'run.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(mixed, name, 'run.json'), JSON.stringify({ ...meta, group: 'two' }));
    }
    cpSync(join(WORKSPACE, 'probe_labels.npy'), join(mixed, 'probe_labels.npy'));
    await page.locator('#workspace-path').fill(mixed);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await expect.poll(() => page.getByTestId('workspace-root').textContent(), { timeout: 30_000 }).toBe(mixed);
    await open('group');
    await expect.poll(() => page.getByTestId('group-name').inputValue(), { timeout: 30_000 }).toBe('two');
    // The previous workspace's result is gone: the view is empty until this group is computed.
    await expect.poll(() => page.getByTestId('view-empty').count()).toBe(1);
    await page.getByTestId('group-compute').click();
    await page.getByTestId('group-converged').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('group-runs').textContent()).toContain(members.slice().sort().join(', '));
    const expected = cliJson<{ layers: string[]; steps: unknown[]; to_final: Record<string, number[]>; to_final_sd: Record<string, number[]> }>(['dynamics', mixed, '--group', 'two', '--db', join(scratch, 'two.sqlite')]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('main .chart-panel').first().locator('[data-export="csv"]').click()]);
    await download.saveAs(join(scratch, 'band.csv'));
    const lines = readFileSync(join(scratch, 'band.csv'), 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe(['step', ...expected.layers.flatMap((l) => [`${l} mean`, `${l} sd`])].join(','));
    lines.slice(1).forEach((line, i) => {
      const cells = line.split(',').slice(1).map(Number);
      expected.layers.forEach((l, li) => {
        expect(cells[2 * li]).toBeCloseTo(expected.to_final[l]![i]!, 12);
        expect(cells[2 * li + 1]).toBeCloseTo(expected.to_final_sd[l]![i]!, 12);
      });
    });
    expect(Math.max(...Object.values(expected.to_final_sd).flat())).toBeGreaterThan(0.01);
    await shoot('group-band');
    await page.locator('#workspace-path').fill(WORKSPACE);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await expect.poll(() => page.getByTestId('workspace-root').textContent(), { timeout: 30_000 }).toBe(WORKSPACE);
    await open('runs');
    await expect.poll(() => page.locator('[data-testid="runs-table"] tbody tr').count(), { timeout: 30_000 }).toBe(runs.length);
  });

  it('Dynamics: the Weighted SVCCA and mean-square summaries replace the panes and lines', async () => {
    const run = dynamicRun();
    await open('dynamics');
    await page.getByTestId('dynamics-run').selectOption(run);
    await page.getByTestId('dynamics-compute').click();
    await page.getByTestId('dynamics-summary').waitFor({ timeout: 120_000 });
    const expected = cli<{ summaries: { weighted: number[][][]; mean_square: number[][][] } }>(['dynamics', WORKSPACE, '--run', run, '--no-classes']);
    await page.getByTestId('dynamics-summary').selectOption('weighted');
    await expect.poll(() => page.locator('main .chart-panel h3').first().textContent()).toContain('Weighted SVCCA');
    const last = expected.summaries.weighted[expected.summaries.weighted.length - 1]!;
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('main .chart-panel').first().locator('[data-export="csv"]').click()]);
    await download.saveAs(join(scratch, 'weighted.csv'));
    const rows = readFileSync(join(scratch, 'weighted.csv'), 'utf8').trim().split('\r\n').slice(1).map((line) => line.split(',').slice(1).map(Number));
    rows.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(last[i]![j]!, 12)));
    await page.getByTestId('dynamics-summary').selectOption('mean_square');
    await expect.poll(() => page.locator('main .chart-panel h3').first().textContent()).toContain('mean ρ²');
    await shoot('dynamics-mean-square');
    await page.getByTestId('dynamics-summary').selectOption('headline');
  });

  it('a failed job says what happened in the view, not only in the error bar', async () => {
    await open('significance');
    // cka-rbf compares datapoints, and the service refuses conv layers compared channel-wise under it.
    const conv = runs[0]!.layers.find((l) => l.startsWith('conv'));
    if (!conv) return;
    await page.getByTestId('significance-layer').selectOption(conv);
    await page.getByTestId('significance-method').selectOption('cka-rbf');
    await page.getByLabel('noise-floor shuffles').fill('2');
    await page.getByLabel('bootstrap resamples').fill('2');
    await page.getByTestId('significance-compute').click();
    await page.getByTestId('view-error').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('view-error').textContent()).toContain('cka-rbf');
    await screenshot(page, 'a-failed-state');
    // Doing what the message says works: conv layers flattened.
    await page.getByTestId('significance-conv').selectOption('flatten');
    await page.getByTestId('significance-compute').click();
    await page.getByTestId('significance-table').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('view-error').count()).toBe(0);
  });

  it('the page raised no errors and no job is left running', async () => {
    await expect.poll(() => page.locator('.job').count(), { timeout: 30_000 }).toBe(0);
    expect(browser.problems).toEqual([]);
  });
});
