#!/usr/bin/env node
/**
 * Index speed on a synthetic workspace of 200 runs × 50 checkpoints × 10 layers (100,000 .npy files, made by
 * bench/gen-workspace.mjs). Three figures, each beside a baseline measured in the same run:
 *
 * 1. Cold index (empty index, files in the OS cache).       Floors rather than rivals: `find -type f | wc -l`
 *    (listing alone) and reading every file whole (on these tiny files, as much I/O as reading headers).
 * 2. Unchanged re-index (nothing changed since).             Baselines: the cold index (a full re-scan, what an
 *    indexer without change detection pays on every start) and `find | wc`.
 * 3. Listing runs with their metrics (a fresh connection).   Baseline: finding and parsing every run.json on disk
 *    (what listing costs without an index).
 *
 * Goals (the index issue): cold < 60 s, unchanged re-index < 2 s, run list < 50 ms (for 200 × 50 × 10).
 * Usage: node bench/index.bench.mjs [--quick] [--runs 200 --steps 50 --layers 10] [--no-record]
 * Appends its table to bench/RESULTS.md unless --no-record. Runs the TypeScript source through tsx (a dev dependency).
 */
import { execSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateWorkspace } from './gen-workspace.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
// --quick (as `npm run bench -- --quick` passes to every script): a 20 × 10 × 10 workspace, for a smoke run.
const quick = args.includes('--quick');
const shape = { runs: flag('runs', quick ? 20 : 200), steps: flag('steps', quick ? 10 : 50), layers: flag('layers', 10) };
const record = !args.includes('--no-record');

// The source itself (through tsx), never a dist/ that may be older than the code being measured.
const { tsImport } = await import('tsx/esm/api');
const { indexWorkspace, WorkspaceIndex } = await tsImport('../native/index/index.ts', import.meta.url);

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const millis = (ms) => `${ms.toFixed(1)} ms`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Wall time, and this process's CPU time (user + system): on a shared machine the second is the steadier. */
function time(fn) {
  const t = performance.now();
  const c = process.cpuUsage();
  const value = fn();
  const cpu = process.cpuUsage(c);
  return { ms: performance.now() - t, cpuMs: (cpu.user + cpu.system) / 1000, value };
}
async function timeAsync(fn) {
  const t = performance.now();
  const c = process.cpuUsage();
  const value = await fn();
  const cpu = process.cpuUsage(c);
  return { ms: performance.now() - t, cpuMs: (cpu.user + cpu.system) / 1000, value };
}

const loadAtStart = loadavg()[0].toFixed(1);
const gen = await timeAsync(async () => generateWorkspace(shape));
const { root, expected } = gen.value;
console.log(`workspace: ${root} (${expected.runs} runs, ${expected.checkpoints} checkpoints, ${expected.arrays} files)${gen.value.generated ? `, generated in ${seconds(gen.ms)}` : ''}`);

// Warm the OS cache the same way for every contender: one listing first.
execSync(`find '${root}' -type f | wc -l`);
const find = time(() => Number(execSync(`find '${root}' -type f | wc -l`, { encoding: 'utf8' }).trim()));

function walkFiles(dir, onFile) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walkFiles(path, onFile);
    else onFile(path, entry.name);
  }
}
const readAll = time(() => {
  let bytes = 0;
  walkFiles(root, (path, name) => {
    if (name.endsWith('.npy')) bytes += readFileSync(path).length;
  });
  return bytes;
});

const dbDir = mkdtempSync(join(tmpdir(), 'svcca-index-bench-'));
const db = join(dbDir, 'index.sqlite');
try {
  // 1. Cold.
  const cold = await timeAsync(() => indexWorkspace(root, { db }));
  const counts = { runs: cold.value.runs, checkpoints: cold.value.checkpoints, arrays: cold.value.arrays };
  if (JSON.stringify(counts) !== JSON.stringify(expected) || cold.value.errors.length > 0) {
    throw new Error(`wrong index: ${JSON.stringify(counts)} (${cold.value.errors.length} errors), expected ${JSON.stringify(expected)}`);
  }

  // 2. Unchanged re-index, each in a fresh open (as a new `svcca-studio index` would), median of 3.
  const unchanged = [];
  for (let i = 0; i < 3; i++) {
    const pass = await timeAsync(() => indexWorkspace(root, { db }));
    if (pass.value.changes.filesRead !== 0) throw new Error(`an unchanged pass read ${pass.value.changes.filesRead} files`);
    unchanged.push(pass);
  }

  // 3. Listing runs with metrics: the first call on a fresh connection, and the median of 20 further calls.
  const index = WorkspaceIndex.open(root, { db });
  const firstList = time(() => index.listRuns());
  const lists = Array.from({ length: 20 }, () => time(() => index.listRuns()).ms);
  index.close();
  if (firstList.value.length !== expected.runs || firstList.value[0].metrics.length !== shape.steps) throw new Error('wrong run list');
  const noIndexList = time(() => {
    const runs = [];
    walkFiles(root, (path, name) => {
      if (name === 'run.json') runs.push(JSON.parse(readFileSync(path, 'utf8')));
    });
    return runs;
  });
  if (noIndexList.value.length !== expected.runs) throw new Error('baseline found the wrong number of runs');

  const dbBytes = statSync(db).size;
  const ratio = (baseline, ours) => `${(baseline / ours).toFixed(1)}×`;
  const unchangedMs = median(unchanged.map((p) => p.ms));
  const unchangedCpuMs = median(unchanged.map((p) => p.cpuMs));
  const rows = [
    ['cold index', `${seconds(cold.ms)} (CPU ${seconds(cold.cpuMs)})`, '< 60 s', `floors, not rivals: find | wc ${seconds(find.ms)}, reading every file whole ${seconds(readAll.ms)} (ours = ${(cold.ms / readAll.ms).toFixed(0)}× that: headers parsed, rows written)`],
    ['unchanged re-index', `${seconds(unchangedMs)} (CPU ${seconds(unchangedCpuMs)})`, '< 2 s', `full re-scan (the cold pass): ${seconds(cold.ms)}, ratio ${ratio(cold.ms, unchangedMs)}; floor: find | wc ${seconds(find.ms)} (no stat; ours = ${(unchangedMs / find.ms).toFixed(1)}× that)`],
    ['list runs + metrics', `${millis(firstList.ms)} first, ${millis(median(lists))} median`, '< 50 ms', `no index (find and parse every run.json): ${millis(noIndexList.ms)}, ratio ${ratio(noIndexList.ms, firstList.ms)} vs the first call`],
  ];
  // Other work on the machine shows in wall times, hardly in CPU times: say how busy it was.
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}, ${process.platform}, load average ${loadAtStart} at the start and ${loadavg()[0].toFixed(1)} at the end`;
  console.log(`machine: ${machine}; index file ${(dbBytes / 1e6).toFixed(1)} MB`);
  for (const [what, ours, goal, baseline] of rows) console.log(`${what.padEnd(20)} ${ours.padEnd(32)} goal ${goal.padEnd(8)} | ${baseline}`);

  if (record) {
    const lines = [
      '',
      `## Index: ${expected.runs} runs × ${shape.steps} checkpoints × ${shape.layers} layers (${expected.arrays} .npy files) — ${new Date().toISOString().slice(0, 10)}`,
      '',
      `\`node bench/index.bench.mjs\` on ${machine}. Index file ${(dbBytes / 1e6).toFixed(1)} MB.`,
      '',
      '| figure | ours | goal | baseline (same run) |',
      '|---|---|---|---|',
      ...rows.map((r) => `| ${r.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`),
      '',
    ];
    appendFileSync(join(ROOT, 'bench', 'RESULTS.md'), `${lines.join('\n')}`);
    console.log('appended to bench/RESULTS.md');
  }
} finally {
  rmSync(dbDir, { recursive: true, force: true });
}
