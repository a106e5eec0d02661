#!/usr/bin/env node
/**
 * Sharding on one machine: the all-pairs matrix of a synthetic workspace as one shard (N = 1) against two shards
 * run at once as two processes with one core each (N = 2), and the time of `merge` — the figures docs/scale.md
 * quotes. Each shard is the real CLI (`svcca-studio matrix … --shard K/N --out PART.json`) pinned to one core
 * (taskset -c K, where present) with one kernel thread in-process (SVCCA_KERNEL_THREADS=1 --workers 0), with its own
 * index file (indexed beforehand, untimed) and no result cache, as shards on separate nodes would be.
 *
 * The workspace (bench/.work/scale-…, written once, reused): BENCH_NETS runs (default 40), one checkpoint, one dense
 * layer of BENCH_NEURONS (96) neurons × BENCH_DATAPOINTS (3000) datapoints, float32:
 * net i = [Z_shared | Z_cluster(i mod 4) | Z_private(i)] · W_i + 0.5·E_i (latents 16 + 8 + 16), full rank.
 * BENCH_METHOD (pwcca). The merged matrix is checked against N = 1's (max |difference| printed; exit 1 above 1e-12).
 * Usage: node bench/scale.bench.mjs [--no-record] [--quick]. Builds dist/ if missing.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { normals } from './lib/random.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin/svcca-studio.js');
const RECORD = !process.argv.includes('--no-record');
const QUICK = process.argv.includes('--quick');
const env = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
const NETS = env('BENCH_NETS', QUICK ? 12 : 40);
const NEURONS = env('BENCH_NEURONS', 96);
const M = env('BENCH_DATAPOINTS', QUICK ? 1500 : 3000);
const METHOD = process.env.BENCH_METHOD ?? 'pwcca';
const LATENT = { shared: 16, cluster: 8, private: 16 };
const CLUSTERS = 4;
const SIGMA = 0.5;

if (!existsSync(join(ROOT, 'dist/native/cli/main.js'))) {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.node.json')], { stdio: 'inherit' });
}

/** A float32 .npy (v1.0, C order) of a row-major (rows × cols) matrix. */
function npy(rows, cols, values) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const preamble = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  return Buffer.concat([preamble, Buffer.from(header, 'latin1'), Buffer.from(Float32Array.from(values).buffer)]);
}

function workspace() {
  const root = join(ROOT, 'bench/.work', `scale-${NETS}x${NEURONS}x${M}`);
  const stamp = join(root, '.complete');
  if (existsSync(stamp)) return root;
  rmSync(root, { recursive: true, force: true });
  const shared = Float64Array.from({ length: M * LATENT.shared }, normals(1));
  const cluster = Array.from({ length: CLUSTERS }, (_, c) => Float64Array.from({ length: M * LATENT.cluster }, normals(100 + c)));
  const rank = LATENT.shared + LATENT.cluster + LATENT.private;
  for (let i = 0; i < NETS; i++) {
    const next = normals(10_000 + i);
    const priv = Float64Array.from({ length: M * LATENT.private }, next);
    const w = Float64Array.from({ length: rank * NEURONS }, () => next() / Math.sqrt(rank));
    const out = new Float64Array(M * NEURONS);
    for (let r = 0; r < M; r++) {
      const z = [...shared.subarray(r * LATENT.shared, (r + 1) * LATENT.shared), ...cluster[i % CLUSTERS].subarray(r * LATENT.cluster, (r + 1) * LATENT.cluster), ...priv.subarray(r * LATENT.private, (r + 1) * LATENT.private)];
      for (let c = 0; c < NEURONS; c++) {
        let s = 0;
        for (let k = 0; k < rank; k++) s += z[k] * w[k * NEURONS + c];
        out[r * NEURONS + c] = s + SIGMA * next();
      }
    }
    const name = `net${String(i).padStart(3, '0')}`;
    const step = join(root, name, 'step-000000');
    mkdirSync(step, { recursive: true });
    writeFileSync(join(root, name, 'run.json'), JSON.stringify({ name, group: `c${i % CLUSTERS}`, seed: i, layers: ['dense'] }));
    writeFileSync(join(step, 'dense.npy'), npy(M, NEURONS, out));
  }
  writeFileSync(stamp, '');
  return root;
}

const WORK = join(ROOT, 'bench/.work/scale-run');
const taskset = spawnSync('sh', ['-c', 'command -v taskset'], { stdio: 'ignore' }).status === 0;
const request = (ws) => [ws, '--layer', 'dense', '--method', METHOD, '--workers', '0', '--no-cache'];

/** Runs shard k/n as its own process on core (k-1) with one kernel thread; resolves with its wall seconds. */
function shard(ws, k, n) {
  const db = join(WORK, `node-${n}-${k}.sqlite`);
  const out = join(WORK, `part-${n}-${k}.json`);
  const cpuReport = join(WORK, `cpu-${n}-${k}.json`);
  const preload = pathToFileURL(join(ROOT, 'bench/lib/cpu-report.mjs')).href;
  const args = ['--import', preload, CLI, 'matrix', ...request(ws), '--shard', `${k}/${n}`, '--out', out, '--db', db, '--json'];
  const command = taskset ? ['taskset', ['-c', String((k - 1) % cpus().length), process.execPath, ...args]] : [process.execPath, args];
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(command[0], command[1], { env: { ...process.env, SVCCA_KERNEL_THREADS: '1', BENCH_CPU_REPORT: cpuReport }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.on('error', fail);
    child.on('exit', (code) => {
      if (code !== 0) return fail(new Error(`shard ${k}/${n} exited ${code}`));
      const { cpu_seconds: cpu } = JSON.parse(readFileSync(cpuReport, 'utf8'));
      done({ wall: (performance.now() - started) / 1000, cpu, out, summary: JSON.parse(stdout) });
    });
  });
}

/** A CLI call (not pinned), timed: process wall seconds and its CPU seconds. */
function timedCli(args, name) {
  const cpuReport = join(WORK, `cpu-${name}.json`);
  const preload = pathToFileURL(join(ROOT, 'bench/lib/cpu-report.mjs')).href;
  const started = performance.now();
  const stdout = execFileSync(process.execPath, ['--import', preload, CLI, ...args], { env: { ...process.env, BENCH_CPU_REPORT: cpuReport }, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'] });
  const wall = (performance.now() - started) / 1000;
  return { wall, cpu: JSON.parse(readFileSync(cpuReport, 'utf8')).cpu_seconds, stdout };
}

const ws = workspace();
rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
// Index every shard's own index file first (untimed), as a node would have after its first job.
for (const [n, k] of [[1, 1], [2, 1], [2, 2]]) execFileSync(process.execPath, [CLI, 'index', ws, '--db', join(WORK, `node-${n}-${k}.sqlite`), '--json'], { stdio: 'ignore' });

const loadAtStart = loadavg()[0];
const one = await shard(ws, 1, 1);
const startedTwo = performance.now();
const two = await Promise.all([shard(ws, 1, 2), shard(ws, 2, 2)]);
const twoWall = (performance.now() - startedTwo) / 1000;
const mergeTwo = timedCli(['merge', two[0].out, two[1].out, '--json'], 'merge-2');
const merged = mergeTwo.stdout;
const mergeOne = JSON.parse(execFileSync(process.execPath, [CLI, 'merge', one.out, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
const matrix2 = JSON.parse(merged).matrix;
let worst = 0;
mergeOne.matrix.forEach((row, i) => row.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - matrix2[i][j])))));

// Merge at lab scale: MERGE_NETS nets (default 1,000: 10⁶ ordered pairs) in 8 parts, fabricated from the measured
// part's header with a clustered similarity matrix, so the time is that of reading, checking, assembling and
// clustering — what the merge job does — without computing the pairs.
const MERGE_NETS = env('BENCH_MERGE_NETS', QUICK ? 300 : 1000);
const MERGE_PARTS = 8;
const template = JSON.parse(readFileSync(two[0].out, 'utf8'));
const bigRuns = Array.from({ length: MERGE_NETS }, (_, i) => `net${String(i).padStart(4, '0')}`);
const question = { ...template.question, runs: bigRuns, keys: bigRuns.map((r) => `key-${r}`), request: { ...template.question.request, runs: bigRuns } };
const noise = normals(7);
const bigPaths = [];
for (let p = 0; p < MERGE_PARTS; p++) {
  const pairsOf = [];
  for (let i = p; i < MERGE_NETS; i += MERGE_PARTS) {
    for (let j = 0; j < MERGE_NETS; j++) pairsOf.push([i, j, i === j ? 1 : 0.5 + (i % 5 === j % 5 ? 0.3 : 0) + 0.01 * noise()]);
  }
  const part = { ...template, shard: p + 1, shards: MERGE_PARTS, question, files: bigRuns.map((r) => `/ws/${r}/dense.npy`), pairs: pairsOf };
  const path = join(WORK, `big-part-${p + 1}.json`);
  writeFileSync(path, `${JSON.stringify(part)}\n`);
  bigPaths.push(path);
}
const big = timedCli(['merge', ...bigPaths, '--json'], 'merge-big');

const pairs = NETS * NETS;
const lines = [
  `- workspace: ${NETS} nets × 1 dense layer of ${NEURONS} neurons × ${M} datapoints (float32, full rank); ${METHOD}, ${pairs} ordered pairs`,
  `- each shard a separate process${taskset ? ' pinned to one core (taskset)' : ''}, SVCCA_KERNEL_THREADS=1, --workers 0, own pre-built index, --no-cache; times are process wall times (start-up and indexing check included)`,
  `- N = 1: ${one.wall.toFixed(2)} s wall, ${one.cpu.toFixed(2)} CPU-s (${one.summary.decompositions} decompositions, ${one.summary.pairs_computed} pairs computed)`,
  `- N = 2 at once: ${twoWall.toFixed(2)} s wall → ${(one.wall / twoWall).toFixed(2)}× faster (${((one.wall / twoWall / 2) * 100).toFixed(0)}% parallel efficiency); shards ${two.map((s) => `${s.wall.toFixed(2)} s wall, ${s.cpu.toFixed(2)} CPU-s: ${s.summary.pairs} pairs, ${s.summary.decompositions} decompositions`).join('; ')}`,
  `- by CPU time (what other load on the machine does not inflate): the longer shard needs ${Math.max(...two.map((s) => s.cpu)).toFixed(2)} CPU-s of N = 1's ${one.cpu.toFixed(2)} → ${(one.cpu / Math.max(...two.map((s) => s.cpu))).toFixed(2)}× on two idle cores; the shards together ${(two[0].cpu + two[1].cpu).toFixed(2)} CPU-s (${(((two[0].cpu + two[1].cpu) / one.cpu - 1) * 100).toFixed(0)}% more than N = 1: decompositions and start-up repeated)`,
  `- merge of the 2 parts: ${mergeTwo.wall.toFixed(2)} s wall, ${mergeTwo.cpu.toFixed(2)} CPU-s (the whole process: Node start-up included); merged = N = 1 to ${worst.toExponential(1)} (max |difference|)`,
  `- merge at scale: ${MERGE_NETS} nets (${(MERGE_NETS * MERGE_NETS).toLocaleString('en')} ordered pairs) from ${MERGE_PARTS} fabricated parts: ${big.wall.toFixed(2)} s wall, ${big.cpu.toFixed(2)} CPU-s (read, check, assemble, cluster, print)`,
  `- load average (1 min) ${loadAtStart.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end, on ${cpus().length} cores${loadAtStart > cpus().length * 0.75 ? ': other work shared the machine, so wall times and the wall speed-up are pessimistic; the CPU-time line is not' : ''}`,
];
console.log(lines.join('\n'));
if (RECORD) {
  const date = new Date().toISOString().slice(0, 10);
  appendFileSync(join(ROOT, 'bench/RESULTS.md'), `\n## scale.bench.mjs — ${date} (${cpus().length} cores ${cpus()[0]?.model ?? ''}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB)\n${lines.join('\n')}\n`);
}
if (!(worst <= 1e-12)) {
  console.error(`merged matrix differs from N = 1 by ${worst}`);
  process.exitCode = 1;
}
