#!/usr/bin/env node
/**
 * All-pairs PWCCA (and SVCCA) over many synthetic nets: SVCCA Studio's matrix path versus the public reference
 * code's per-pair algorithm (bench/baseline_matrix.py, numpy), timed in the same run.
 *
 * Nets (issue: 200 nets, 512 neurons, 10000 datapoints, with shared structure), generated in this process from
 * seeds; the measured ones are written to bench/.work as float32 .npy (untimed), the files both sides read: net i's
 * layer = [Z_shared | Z_cluster(i mod 5) | Z_private(i)] · W_i + σ·E_i
 * with latent factors 24 + 12 + 24 (standard normal, m × ·), a random mixing W_i (60 × 512) and full-rank noise
 * (σ = 0.5), so every layer has numerical rank 512 — the measures keep all 512 directions, as they would on a real
 * layer — and five clusters of nets share more than the rest.
 *
 * - ours: decompositions (one per net: a worker reads the file, decomposes it and spools the basis) and then every
 *   ordered pair (the N² matrix; its diagonal is exactly 1 without arithmetic, so N·(N−1) pairs carry the work)
 *   through dist/native/compute (the same code as `svcca-studio matrix`), on one worker process per core.
 * - baseline: the reference algorithm per ordered pair on a sample of nets (all ordered pairs among the first
 *   BENCH_SAMPLE files), with OPENBLAS_NUM_THREADS unset and =1; the faster per-pair
 *   time is used (the baseline at its best here), extrapolated to N·(N−1) ordered pairs.
 * All 200 nets at full size would take hours for both sides, so by default BENCH_MEASURED nets are run end to end
 * and ours is extrapolated to N as (decomposition time)·N + (pair time)·N·(N−1); every printed figure says whether it
 * was measured or extrapolated.
 *
 * Environment: BENCH_NETS (200), BENCH_NEURONS (512), BENCH_DATAPOINTS (10000), BENCH_MEASURED (nets run end to end;
 * default min(BENCH_NETS, 12)), BENCH_SAMPLE (baseline nets, default 3), BENCH_SIGMA (0.5), BENCH_RANK (0 = full-rank
 * nets; r > 0 drops the noise and leaves rank r = 60 at most: the low-rank variant), BENCH_WORKERS (cores),
 * BENCH_BACKEND (kernel backend, default auto: blas where the machine's BLAS loads), BENCH_PRECISION (f64; f32 runs
 * the blas-f32 backend, as `matrix --precision f32`, and reports its largest difference from float64 on up to 8 nets).
 * The compute pool gives each worker cores ÷ workers kernel (and BLAS) threads: BENCH_WORKERS=1 is one worker with all
 * threads, the default one single-threaded BLAS per worker and core.
 * Usage: node bench/matrix.bench.mjs [--no-record]. Builds dist/ if missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, freemem, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normals } from './lib/random.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'bench/.work/matrix');
const RECORD = !process.argv.includes('--no-record');
const env = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]));

const N = env('BENCH_NETS', 200);
const NEURONS = env('BENCH_NEURONS', 512);
const M = env('BENCH_DATAPOINTS', 10000);
const MEASURED = Math.min(N, env('BENCH_MEASURED', Math.min(N, 12)));
const SAMPLE = Math.min(MEASURED, env('BENCH_SAMPLE', 3));
const SIGMA = env('BENCH_SIGMA', 0.5);
const LOW_RANK = env('BENCH_RANK', 0) > 0;
const WORKERS = env('BENCH_WORKERS', availableParallelism());
const PRECISION = process.env.BENCH_PRECISION === 'f32' ? 'f32' : 'f64';
const BACKEND = PRECISION === 'f32' ? 'blas-f32' : (process.env.BENCH_BACKEND ?? 'auto');
const LATENT = { shared: 24, cluster: 12, private: 24 };
const CLUSTERS = 5;

if (!existsSync(join(ROOT, 'dist/native/compute/matrix.js'))) {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.node.json')], { stdio: 'inherit' });
}
const { similarityMatrix } = await import(join(ROOT, 'dist/native/compute/matrix.js'));
const { ComputePool } = await import(join(ROOT, 'dist/native/compute/pool.js'));
const { JOB_PREPARE } = await import(join(ROOT, 'dist/native/compute/jobs.js'));
const { BasisSpool } = await import(join(ROOT, 'dist/native/compute/spool.js'));
const { averageLinkageFromSimilarity } = await import(join(ROOT, 'dist/native/analyses/clustering.js'));
const { backendInfo, disposeKernels } = await import(join(ROOT, 'dist/native/kernels/index.js'));

// ---- synthetic nets ----------------------------------------------------------------------------------------------


const latentShared = Float64Array.from({ length: M * LATENT.shared }, normals(1));
const latentCluster = Array.from({ length: CLUSTERS }, (_, c) => Float64Array.from({ length: M * LATENT.cluster }, normals(100 + c)));

/** Net i as a row-major (datapoints × neurons) float64 matrix, from its seed alone. */
function makeNet(i) {
  const next = normals(10_000 + i);
  const priv = Float64Array.from({ length: M * LATENT.private }, next);
  const blocks = [
    [latentShared, LATENT.shared],
    [latentCluster[i % CLUSTERS], LATENT.cluster],
    [priv, LATENT.private],
  ];
  const rank = LATENT.shared + LATENT.cluster + LATENT.private;
  const w = Float64Array.from({ length: rank * NEURONS }, () => next() / Math.sqrt(rank));
  const out = new Float64Array(M * NEURONS);
  for (let r = 0; r < M; r++) {
    const o = r * NEURONS;
    let f = 0;
    for (const [z, width] of blocks) {
      for (let k = 0; k < width; k++, f++) {
        const v = z[r * width + k];
        const wo = f * NEURONS;
        for (let j = 0; j < NEURONS; j++) out[o + j] += v * w[wo + j];
      }
    }
    if (!LOW_RANK) for (let j = 0; j < NEURONS; j++) out[o + j] += SIGMA * next();
  }
  return { rows: M, cols: NEURONS, data: out };
}

function writeNpyF32(path, net) {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${net.rows}, ${net.cols}), }`;
  const pad = (64 - ((10 + dict.length + 1) % 64)) % 64;
  const text = dict + ' '.repeat(pad) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(text.length, 8);
  writeFileSync(path, Buffer.concat([head, Buffer.from(text, 'latin1'), Buffer.from(new Float32Array(net.data).buffer)]));
}

// ---- ours ----------------------------------------------------------------------------------------------------------

const seconds = (t0) => (performance.now() - t0) / 1000;
const fmt = (s) => (s >= 3600 ? `${(s / 3600).toFixed(2)} h` : s >= 60 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(2)} s`);

const basisGiB = (MEASURED * M * NEURONS * 8) / 1024 ** 3; // the spool's files, in the page cache
if (basisGiB > 0.5 * totalmem() / 1024 ** 3) {
  console.error(`BENCH_MEASURED=${MEASURED} needs ~${basisGiB.toFixed(1)} GiB of bases; this machine has ${(totalmem() / 1024 ** 3).toFixed(0)} GiB. Lower it.`);
  process.exit(2);
}

const loadAtStart = loadavg()[0];
console.log(`matrix bench: ${N} nets × ${NEURONS} neurons × ${M} datapoints (${LOW_RANK ? 'rank-60 layers, no noise' : `full rank, σ = ${SIGMA}`}); ` +
  `${MEASURED} nets run end to end, ${WORKERS} workers; ${cpus().length} cores, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB (${(freemem() / 1024 ** 3).toFixed(0)} free), load ${loadAtStart.toFixed(1)}`);

const pool = new ComputePool({ size: WORKERS });
// Start every worker (and its kernels) before the clock runs: process start-up is not part of the work.
{
  const tiny = { rows: 8, cols: 2, data: Float64Array.from({ length: 16 }, normals(7)) };
  await Promise.all(Array.from({ length: WORKERS }, () => pool.run(JOB_PREPARE, { matrix: tiny, ref: 'warm-up' })));
}
const bases = new Array(MEASURED);
let prepareSeconds = 0;
// As `svcca-studio matrix` runs it: every net a float32 .npy file (written here, not timed), each worker reads and
// decomposes one (timed) and spools its basis (compute/spool.ts); the pair tiles read the spooled bases.
mkdirSync(WORK, { recursive: true });
const files = [];
const spool = new BasisSpool();
for (let start = 0; start < MEASURED; start += WORKERS) {
  const batch = Array.from({ length: Math.min(WORKERS, MEASURED - start) }, (_, k) => start + k);
  for (const i of batch) {
    files[i] = join(WORK, `net-${i}.npy`);
    writeNpyF32(files[i], makeNet(i));
  }
  const t0 = performance.now();
  await Promise.all(batch.map(async (i) => (bases[i] = await pool.run(JOB_PREPARE, { spec: files[i], spoolTo: spool.reserve(), backend: BACKEND }))));
  prepareSeconds += seconds(t0);
}
const ranks = bases.map((b) => b.rank);
console.log(`decompositions: ${MEASURED} in ${fmt(prepareSeconds)} (measured, data generation excluded); ranks ${Math.min(...ranks)}–${Math.max(...ranks)}`);

const results = {};
for (const method of ['pwcca', 'svcca']) {
  const t0 = performance.now();
  const matrix = await similarityMatrix(bases, { method, backend: BACKEND }, { pool });
  const pairSeconds = seconds(t0);
  const { order } = averageLinkageFromSimilarity(matrix);
  // Sanity: the five planted clusters come out contiguous in the leaf order when every cluster has ≥ 2 nets.
  const clusters = order.map((i) => i % CLUSTERS);
  const runsOfClusters = clusters.filter((c, k) => k === 0 || c !== clusters[k - 1]).length;
  const perPair = pairSeconds / Math.max(1, MEASURED * (MEASURED - 1));
  const total = prepareSeconds / MEASURED * N + perPair * N * (N - 1);
  results[method] = { pairSeconds, perPair, total, contiguous: runsOfClusters === Math.min(CLUSTERS, MEASURED), sample: matrix };
  console.log(`${method}: ${MEASURED}² = ${MEASURED * MEASURED} ordered pairs (${MEASURED * (MEASURED - 1)} off the diagonal) in ${fmt(pairSeconds)} (measured; ${(perPair * 1000).toFixed(0)} ms/pair/${WORKERS} workers); ` +
    `clusters ${results[method].contiguous ? 'recovered' : 'NOT recovered'} by the average-linkage order; ` +
    `all-pairs for ${N} nets: ${fmt(total)}${MEASURED < N ? ' (extrapolated)' : ' (measured)'}`);
}
// Float32 screening: its largest difference from the float64 matrix on the first few nets (both computed here).
let f32Line = null;
if (PRECISION === 'f32') {
  const k = Math.min(MEASURED, 8);
  const exact = await Promise.all(files.slice(0, k).map((spec) => pool.run(JOB_PREPARE, { spec, spoolTo: spool.reserve() })));
  const parts = [];
  for (const method of ['pwcca', 'svcca']) {
    const m64 = await similarityMatrix(exact, { method }, { pool });
    let worst = 0;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) worst = Math.max(worst, Math.abs(m64[i][j] - results[method].sample[i][j]));
    parts.push(`${method} ${worst.toExponential(1)}`);
  }
  f32Line = `float32 vs float64 on ${k} nets (${k * (k - 1)} ordered pairs): largest |Δ similarity| ${parts.join(', ')}`;
  console.log(f32Line);
}
await pool.close();
await spool.dispose();
const backend = (await backendInfo(BACKEND)).label;
await disposeKernels();

// ---- baseline ------------------------------------------------------------------------------------------------------

const pairs = [];
for (let i = 0; i < SAMPLE; i++) for (let j = 0; j < SAMPLE; j++) if (i !== j) pairs.push([i, j]);
const runBaseline = (threads) => {
  const childEnv = { ...process.env };
  if (threads === null) delete childEnv.OPENBLAS_NUM_THREADS;
  else childEnv.OPENBLAS_NUM_THREADS = String(threads);
  const out = spawnSync('python3', [join(ROOT, 'bench/baseline_matrix.py')], { input: JSON.stringify({ files: files.slice(0, SAMPLE), pairs, epsilon: 0 }), env: childEnv, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (out.status !== 0) throw new Error(`baseline failed: ${out.stderr}`);
  const r = JSON.parse(out.stdout);
  return { perPair: r.seconds.reduce((a, b) => a + b, 0) / r.seconds.length, similarity: r.similarity };
};
const baselines = { default: runBaseline(null), single: runBaseline(1) };
const best = baselines.default.perPair <= baselines.single.perPair ? 'default' : 'single';
const basePerPair = baselines[best].perPair;
const baseTotal = basePerPair * N * (N - 1);
rmSync(WORK, { recursive: true, force: true });
console.log(`baseline (reference per-pair PWCCA, numpy): ${(baselines.default.perPair).toFixed(2)} s/pair with default BLAS threads, ` +
  `${baselines.single.perPair.toFixed(2)} s/pair with 1 thread (measured on ${pairs.length} ordered pairs); ` +
  `all ${N * (N - 1)} ordered pairs: ${fmt(baseTotal)} (extrapolated)`);

const lines = [];
for (const method of ['pwcca', 'svcca']) {
  const ratio = baseTotal / results[method].total;
  lines.push(`${method}: ours ${fmt(results[method].total)} vs baseline ${fmt(baseTotal)} → ${ratio.toFixed(1)}× faster (goal ≥ 40×: ${ratio >= 40 ? 'met' : 'NOT met'})`);
  console.log(lines[lines.length - 1]);
}

if (RECORD) {
  const date = new Date().toISOString().slice(0, 10);
  const text = [
    '',
    `## matrix.bench.mjs — ${date} (${cpus().length} cores ${cpus()[0]?.model ?? ''}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB; kernels ${backend}, ${PRECISION}; ${WORKERS} workers)`,
    `- load average (1 min) ${loadAtStart.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end, on ${cpus().length} cores: other work shared the machine`,
    `- nets: ${N} × ${NEURONS} neurons × ${M} datapoints, ${LOW_RANK ? 'rank-60 layers without noise' : `full rank (shared/cluster/private latents + σ=${SIGMA} noise)`}; ours measured end to end on ${MEASURED} nets${MEASURED < N ? ` and extrapolated to ${N} (decompositions × N + pair time × N·(N−1))` : ''}`,
    `- decompositions: ${(prepareSeconds / MEASURED).toFixed(2)} s/net; pair steps: pwcca ${(results.pwcca.perPair * 1000).toFixed(0)} ms, svcca ${(results.svcca.perPair * 1000).toFixed(0)} ms per ordered pair (wall, ${WORKERS} workers)`,
    `- baseline: reference per-pair PWCCA in numpy, ${basePerPair.toFixed(2)} s per ordered pair (${best === 'default' ? 'default BLAS threads' : '1 BLAS thread, faster here than the default'}; measured on ${pairs.length} pairs), × ${N * (N - 1)} pairs`,
    ...lines.map((l) => `- ${l}`),
    ...(f32Line ? [`- ${f32Line}`] : []),
  ].join('\n');
  appendFileSync(join(ROOT, 'bench/RESULTS.md'), `${text}\n`);
}
