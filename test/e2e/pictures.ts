/**
 * What every analysis view's pictures must do in the browser tests: export as a decodable PNG, an SVG with drawn
 * marks and a CSV with a header and rows; and leave screenshots at both sizes in both themes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { pngSize, screenshot } from './harness.js';

export const SIZES = [
  { width: 1440, height: 900 },
  { width: 900, height: 600 },
] as const;

/** Downloads one export of a chart panel into `dir` and reads it back. */
async function save(page: Page, panel: Locator, dir: string, name: string, kind: 'png' | 'svg' | 'csv'): Promise<Buffer> {
  const [download] = await Promise.all([page.waitForEvent('download'), panel.locator(`[data-export="${kind}"]`).click()]);
  const path = join(dir, `${name}.${kind}`);
  await download.saveAs(path);
  return readFileSync(path);
}

/** One panel's picture as a decodable PNG, an SVG with `mark` in it, and a CSV with a header and rows. */
export async function exportsPanel(page: Page, panel: Locator, dir: string, name: string, mark = '<path'): Promise<void> {
  const title = (await panel.locator('h3').first().textContent())?.trim() ?? name;
  const size = pngSize(await save(page, panel, dir, name, 'png'));
  expect(size, `${title}: PNG`).not.toBeNull();
  expect(size!.width, `${title}: PNG width`).toBeGreaterThan(300);
  const svg = (await save(page, panel, dir, name, 'svg')).toString('utf8');
  expect(svg, `${title}: SVG`).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  expect(svg, `${title}: SVG marks`).toContain(mark);
  const csv = (await save(page, panel, dir, name, 'csv')).toString('utf8').split('\r\n');
  expect(csv[0]!.split(',').length, `${title}: CSV header`).toBeGreaterThan(1);
  expect(csv.length, `${title}: CSV rows`).toBeGreaterThan(2);
}

/** Every chart panel of the open view exports; returns how many there are. */
export async function exportsEveryPicture(page: Page, dir: string, name: string): Promise<number> {
  const panels = page.locator('main .chart-panel');
  const count = await panels.count();
  expect(count, `${name}: charts in the view`).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) await exportsPanel(page, panels.nth(i), dir, `${name}-${i}`);
  return count;
}

/** Screenshots of the open view at both sizes and both themes (named `${prefix}-${name}-WxH-theme`); back to 1440×900 light. */
export async function shootEveryLook(page: Page, prefix: string, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const theme of ['light', 'dark'] as const) {
      if ((await page.evaluate(() => document.documentElement.dataset['theme'] ?? 'light')) !== theme) await page.getByTestId('theme-toggle').click();
      await page.waitForTimeout(250);
      await screenshot(page, `${prefix}-${name}-${size.width}x${size.height}-${theme}`);
    }
  }
  await page.getByTestId('theme-toggle').click();
  await page.setViewportSize(SIZES[0]);
  expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('light');
}
