#!/usr/bin/env node
/**
 * UI speed, measured in headless chromium (Debian's) against the real renderer build served by the real server:
 *
 * 1. First paint of a 500×500 cluster matrix: from the click on "Compute matrix" to the first animation frame after
 *    the image is drawn (the result crosses the WebSocket as JSON, as in use). Baseline, same run, same matrix:
 *    ECharts' heatmap series (one shape per cell) from setOption to its first frame after 'finished' — data already
 *    in the page, so the baseline is timed with less work than ours.
 * 2. Panning a 1,000-run timeline (500 points per run): a mouse drag across the chart while every animation frame's
 *    interval is recorded; dropped frames = intervals over 1.5 × 16.7 ms. Baseline: the same 1,000 series as plain
 *    ECharts lines with default settings (hover emphasis on, every point drawn).
 *
 * The data is synthetic (this measures drawing, not the measures): a StudioApi whose runs() and matrix() return
 * generated data, served by native/serve/server.ts exactly as `svcca-studio serve` serves the real one.
 * Usage: node bench/ui.bench.mjs [matrix|timeline] [--quick]   (appends to bench/RESULTS.md; screenshots in bench/.work/)
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
const N_MATRIX = 500;
const N_RUNS = 1000;
const POINTS = 500;
const FRAME_MS = 1000 / 60;

if (!CHROMIUM) {
  console.log('ui bench: skipped (no chromium at /usr/bin/chromium or $CHROMIUM_PATH)');
  process.exit(0);
}

// Always the current sources: the renderer is rebuilt (as the browser tests build it), the server and clustering are
// loaded through tsx (never a stale dist/ or out/).
const { tsImport } = await import('tsx/esm/api');
await (await tsImport('../test/e2e/build-renderer.ts', import.meta.url)).buildRenderer('error');
const { startServer } = await tsImport('../native/serve/server.ts', import.meta.url);
const { averageLinkageFromSimilarity } = await tsImport('../native/analyses/clustering.ts', import.meta.url);
const { chromium } = await import('playwright-core');

/** Deterministic pseudo-random numbers (mulberry32), so every run of the bench draws the same data. */
function random(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 500×500 similarity matrix with 5 planted groups (high within, lower between), shuffled run order. */
function syntheticMatrix(n) {
  const rand = random(1);
  const group = Array.from({ length: n }, () => Math.floor(rand() * 5));
  const matrix = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : (group[i] === group[j] ? 0.75 : 0.35) + 0.1 * rand())),
  );
  return { group, matrix };
}

function syntheticRuns(count, points) {
  const rand = random(2);
  return Array.from({ length: count }, (_, r) => {
    const rate = 0.002 + 0.004 * rand();
    const ceiling = 0.6 + 0.35 * rand();
    const metrics = Array.from({ length: points }, (_, k) => ({ step: k * 20, probe_acc: ceiling * (1 - Math.exp(-rate * k * 20)) + 0.02 * (rand() - 0.5) }));
    const name = `run-${String(r).padStart(4, '0')}`;
    return { name, path: name, group: `g${r % 5}`, seed: r, lr: 0.01, labels: 'true', layers: ['fc'], steps: [points * 20], metrics, meta: { name, group: `g${r % 5}`, seed: r } };
  });
}

const { group, matrix } = syntheticMatrix(N_MATRIX);
const clustering = averageLinkageFromSimilarity(matrix);
const runsForMatrix = Array.from({ length: N_MATRIX }, (_, i) => `run-${String(i).padStart(4, '0')}`);
let timelineRuns = [];
const noop = () => () => {};
const api = {
  async workspace() {
    return { root: '/synthetic', db: '', runs: timelineRuns.length, checkpoints: timelineRuns.length, arrays: timelineRuns.length, errors: [] };
  },
  async openWorkspace() {
    throw new Error('not in the bench');
  },
  async reindex() {
    return { runs: 0, checkpoints: 0, arrays: 0, errors: [] };
  },
  async runs() {
    return timelineRuns;
  },
  async resolveLayer() {
    throw new Error('not in the bench');
  },
  async compare() {
    throw new Error('not in the bench');
  },
  async matrix(request) {
    return { runs: runsForMatrix, layer: request.layer, method: request.method, matrix, order: clustering.order, linkage: clustering.linkage };
  },
  async dynamics() {
    throw new Error('not in the bench');
  },
  async compress() {
    throw new Error('not in the bench');
  },
  async cancel() {},
  onProgress: noop,
  onIndexChanged: noop,
};

const server = await startServer({ api, staticDir: join(ROOT, 'out/renderer'), port: 0 });
const profile = mkdtempSync(join(tmpdir(), 'svcca-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1400, height: 1000 },
  args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Ours: click "Compute matrix", wait for the matrix-painted mark and one more frame. */
async function matrixFirstPaint(page) {
  // The matrix view lists the workspace's layers from its runs: 500 runs with a layer 'fc'.
  timelineRuns = syntheticRuns(N_MATRIX, 5).map((r, i) => ({ ...r, group: `g${group[i]}`, meta: { ...r.meta, group: `g${group[i]}` } }));
  await page.goto(`${server.url}#/matrix`);
  await page.locator('[data-testid="matrix-compute"]:not([disabled])').waitFor({ timeout: 60_000 });
  return page.evaluate(
    () =>
      new Promise((done) => {
        performance.clearMarks('matrix-painted');
        const start = performance.now();
        const check = () => {
          if (performance.now() - start > 60_000) return done({ total: NaN, draw: NaN, size: 'timeout' });
          const mark = performance.getEntriesByName('matrix-painted')[0];
          if (mark) requestAnimationFrame(() => done({ total: performance.now() - start, draw: mark.detail.ms, size: document.querySelector('[data-testid="matrix-stage"]').dataset.size }));
          else requestAnimationFrame(check);
        };
        document.querySelector('[data-testid="matrix-compute"]').click();
        requestAnimationFrame(check);
      }),
  );
}

/** Baseline: ECharts heatmap of the same matrix in a blank page (echarts' own full build, no CSP). */
async function heatmapFirstPaint(page) {
  if (!existsSync(join(ROOT, 'bench/.work/ui-matrix-500.png'))) {
    mkdirSync(join(ROOT, 'bench/.work'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'bench/.work/ui-matrix-500.png') });
  }
  await page.goto('about:blank');
  await page.setContent('<div id="c" style="width:700px;height:700px"></div>');
  await page.addScriptTag({ path: join(ROOT, 'node_modules/echarts/dist/echarts.min.js') });
  return page.evaluate(
    ({ matrix, order }) =>
      new Promise((done) => {
        const n = matrix.length;
        const data = [];
        for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) data.push([c, r, matrix[order[r]][order[c]]]);
        const axis = Array.from({ length: n }, (_, i) => i);
        const start = performance.now();
        const chart = window.echarts.init(document.getElementById('c'));
        chart.on('finished', () => requestAnimationFrame(() => done({ total: performance.now() - start })));
        chart.setOption({
          animation: false,
          xAxis: { type: 'category', data: axis, show: false },
          yAxis: { type: 'category', data: axis, show: false },
          visualMap: { min: 0, max: 1, show: false, inRange: { color: ['#440154', '#21918c', '#fde725'] } },
          series: [{ type: 'heatmap', data, progressive: 0 }],
        });
      }),
    { matrix, order: clustering.order },
  );
}

/** Frame intervals while the mouse drags across a chart region (the inside dataZoom pans). */
async function dragFrames(page, selector) {
  const box = await page.locator(selector).first().boundingBox();
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (window.__recording) requestAnimationFrame(tick);
    };
    window.__recording = true;
    requestAnimationFrame(tick);
  });
  const y = box.y + box.height / 2;
  // Zoom in first (wheel) so there is room to pan, then drag left and right.
  await page.mouse.move(box.x + box.width / 2, y);
  for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -200);
  await page.waitForTimeout(300);
  await page.evaluate(() => {
    window.__frames = [];
    window.__long = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => window.__long.push([Math.round(e.startTime), Math.round(e.duration)]))).observe({ type: 'longtask' });
    window.__t0 = performance.now();
  });
  await page.mouse.down();
  const steps = 90;
  const began = Date.now();
  // A slow chart gets 20 s of dragging, not the whole gesture (its frames take seconds each).
  for (let i = 0; i <= steps && Date.now() - began < 20_000; i++) {
    const f = i <= steps / 2 ? i / (steps / 2) : 2 - i / (steps / 2);
    await page.mouse.move(box.x + box.width * (0.7 - 0.4 * f), y);
  }
  await page.mouse.up();
  await page.waitForTimeout(100);
  const frames = await page.evaluate(() => {
    window.__recording = false;
    return window.__frames.slice(1);
  });
  if (process.env.UI_BENCH_DEBUG) console.log('long tasks [start ms after drag began, duration]:', JSON.stringify(await page.evaluate(() => window.__long.map(([s, d]) => [s - Math.round(window.__t0), d]))), 'frames:', JSON.stringify(frames.map((f) => Math.round(f))));
  const dropped = frames.filter((f) => f > 1.5 * FRAME_MS).length;
  return { frames: frames.length, dropped, p50: median(frames), p95: percentile(frames, 95), max: Math.max(...frames) };
}

async function timelineOurs(page) {
  timelineRuns = syntheticRuns(N_RUNS, POINTS);
  await page.goto(`${server.url}#/runs`);
  await page.locator('[data-testid="run-count"]').filter({ hasText: `${N_RUNS} of ${N_RUNS}` }).waitFor({ timeout: 120_000 });
  await page.waitForTimeout(1000);
  const result = await dragFrames(page, '.chart-panel .chart');
  await page.waitForTimeout(1500);
  mkdirSync(join(ROOT, 'bench/.work'), { recursive: true });
  await page.screenshot({ path: join(ROOT, 'bench/.work/ui-timeline-1000-runs.png') });
  return result;
}

async function timelineBaseline(page) {
  await page.goto('about:blank');
  await page.setContent('<div id="c" style="width:1300px;height:380px"></div>');
  await page.addScriptTag({ path: join(ROOT, 'node_modules/echarts/dist/echarts.min.js') });
  await page.evaluate((runs) => {
    const chart = window.echarts.init(document.getElementById('c'));
    chart.setOption({
      animation: false,
      grid: { left: 64, right: 24, top: 40, bottom: 64 },
      xAxis: { type: 'value' },
      yAxis: { type: 'value' },
      tooltip: { trigger: 'item' },
      dataZoom: [{ type: 'inside' }],
      series: runs.map((r) => ({ name: r.name, type: 'line', symbol: 'none', data: r.metrics.map((p) => [p.step, p.probe_acc]) })),
    });
  }, syntheticRuns(N_RUNS, POINTS));
  await page.waitForTimeout(1000);
  return dragFrames(page, '#c');
}

const page = context.pages()[0] ?? (await context.newPage());
// `node bench/ui.bench.mjs timeline` (or `matrix`) runs one part only; --quick: one matrix repetition.
const only = process.argv.slice(2).find((a) => a === 'timeline' || a === 'matrix');
const quick = process.argv.includes('--quick');
const ours = [];
const base = [];
for (let i = 0; i < (only === 'timeline' ? 0 : quick ? 1 : 3); i++) {
  ours.push(await matrixFirstPaint(page));
  base.push(await heatmapFirstPaint(page));
}
const panOurs = only === 'matrix' ? null : await timelineOurs(page);
const panBase = only === 'matrix' ? null : await timelineBaseline(page);
await context.close();
await server.close();
rmSync(profile, { recursive: true, force: true });

const oursMs = median(ours.map((r) => r.total));
const drawMs = median(ours.map((r) => r.draw));
const baseMs = median(base.map((r) => r.total));
const version = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).trim();
const lines = [];
if (ours.length) lines.push(
  `matrix ${N_MATRIX}x${N_MATRIX} first paint: ours ${oursMs.toFixed(0)} ms (click to frame, incl. WebSocket transfer; image draw ${drawMs.toFixed(1)} ms) vs ECharts heatmap ${baseMs.toFixed(0)} ms; ratio ${(baseMs / oursMs).toFixed(1)}x faster (size shown ${ours[0].size})`);
if (panOurs) lines.push(
  `timeline pan, ${N_RUNS} runs x ${POINTS} points: ours ${panOurs.dropped}/${panOurs.frames} frames dropped, p50 ${panOurs.p50.toFixed(1)} ms, p95 ${panOurs.p95.toFixed(1)} ms, max ${panOurs.max.toFixed(1)} ms vs plain ECharts lines ${panBase.dropped}/${panBase.frames} dropped, p50 ${panBase.p50.toFixed(1)} ms, p95 ${panBase.p95.toFixed(1)} ms, max ${panBase.max.toFixed(1)} ms; p95 ratio ${(panBase.p95 / panOurs.p95).toFixed(1)}x`);
for (const line of lines) console.log(line);
appendFileSync(
  join(ROOT, 'bench/RESULTS.md'),
  `\n## ui.bench.mjs — ${new Date().toISOString().slice(0, 10)} (${version}, headless, ${process.platform} ${process.arch}, --disable-gpu, load average ${loadavg()[0].toFixed(1)} at the end)\n${lines.map((l) => `- ${l}`).join('\n')}\n`,
);
