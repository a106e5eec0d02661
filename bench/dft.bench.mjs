#!/usr/bin/env node
/**
 * DFT-CCA versus dense CCA over the shift-augmented dataset — the same quantity (docs/dft-cca.md), computed two ways,
 * in one run, with the answers compared coefficient by coefficient.
 *
 * Sizes (h×w×c, both layers): 8×8×32, 16×16×64, 32×32×64. Data: synthetic, seeded — A standard normal, B a channel
 * mix of A plus a mix of A shifted by one pixel plus noise (so the correlations spread over (0, 1)).
 * - ours:      dftCca (dist/native/measures/dft-cca.js), float64, from layers in memory to the result; best of 3.
 * - baseline:  bench/dft.bench.py — numpy/scipy float64 on all cores: Grams of the augmented dataset, Cholesky
 *              whitening, eigenvalues (the fastest dense route; see that file). Run where it fits in memory.
 * - at 8×8×32 also the project's own dense CCA (dist/native/measures/compare.js, method cca) on the augmented
 *   matrix: the same-language comparison.
 * 32×32×64 has 65,536 neurons per layer: its three dense covariance matrices alone need 103 GB, so the dense side is
 * not run there; its time is extrapolated from the 16×16×64 run by the O(n³) scaling and printed as an estimate.
 *
 * The baseline's Python is $DFT_BENCH_PYTHON (default python3). The pip wheels' scipy-openblas 0.3.31 segfaults once a
 * BLAS/LAPACK operand reaches 2 GiB (16384² doubles: the 16×16×64 covariances) — in dsyrk and in dpotrf; Debian's
 * python3-numpy/python3-scipy on OpenBLAS 0.3.21 (apt: python3-scipy libopenblas0-pthread) do not, so the recorded
 * run used DFT_BENCH_PYTHON=/usr/bin/python3.
 *
 * Usage: node bench/dft.bench.mjs [--quick] [--no-record]
 *   --quick: skip the 16×16×64 dense run (~15 min on 2 cores); --no-record: do not append to bench/RESULTS.md.
 * Builds dist/ if missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normals } from './lib/random.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'bench/.work');
const QUICK = process.argv.includes('--quick');
const RECORD = !process.argv.includes('--no-record');
const SAME_ANSWER = 1e-6;
const PYTHON = process.env['DFT_BENCH_PYTHON'] ?? 'python3';

if (!existsSync(join(ROOT, 'dist/native/measures/dft-cca.js'))) {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.node.json')], { stdio: 'inherit' });
}
const { dftCca } = await import(join(ROOT, 'dist/native/measures/dft-cca.js'));
const { compareMatrices } = await import(join(ROOT, 'dist/native/measures/compare.js'));
const { disposeKernels } = await import(join(ROOT, 'dist/native/kernels/index.js'));


function makePair(m, h, w, c, seed) {
  const next = normals(seed);
  const a = Float64Array.from({ length: m * h * w * c }, next);
  const mix = [0, 1].map(() => Float64Array.from({ length: c * c }, () => next() / Math.sqrt(c)));
  const b = Float64Array.from({ length: m * h * w * c }, () => 0.8 * next());
  for (let i = 0; i < m; i++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const dst = ((i * h + y) * w + x) * c;
        for (const [k, dy, dx] of [[0, 0, 0], [1, 1, 1]]) {
          const src = ((i * h + ((y + dy) % h)) * w + ((x + dx) % w)) * c;
          const mk = mix[k];
          for (let ci = 0; ci < c; ci++) {
            const v = a[src + ci];
            for (let co = 0; co < c; co++) b[dst + co] += v * mk[ci * c + co];
          }
        }
      }
    }
  }
  const layer = (ref, data) => ({ ref, datapoints: m, height: h, width: w, channels: c, data });
  return [layer('A', a), layer('B', b)];
}

function writeNpy(path, data, shape) {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

/** The augmented dataset as a dense (m·h·w) × (h·w·c) matrix: every circular shift of every datapoint. */
function augmentedMatrix(layer) {
  const { datapoints: m, height: h, width: w, channels: c, data } = layer;
  const n = h * w * c;
  const out = new Float64Array(m * h * w * n);
  let row = 0;
  for (let sy = 0; sy < h; sy++) {
    for (let sx = 0; sx < w; sx++) {
      for (let i = 0; i < m; i++, row++) {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const src = ((i * h + ((y - sy + h) % h)) * w + ((x - sx + w) % w)) * c;
            out.set(data.subarray(src, src + c), row * n + (y * w + x) * c);
          }
        }
      }
    }
  }
  return { rows: m * h * w, cols: n, data: out };
}

async function best(times, fn) {
  let bestSeconds = Infinity;
  let result;
  for (let t = 0; t < times; t++) {
    const start = performance.now();
    result = await fn();
    bestSeconds = Math.min(bestSeconds, (performance.now() - start) / 1000);
  }
  return { seconds: bestSeconds, result };
}

function compareAnswers(ours, theirs) {
  if (ours.length !== theirs.length) return { maxDiff: Infinity, meanDiff: Infinity };
  let maxDiff = 0;
  let so = 0;
  let st = 0;
  for (let i = 0; i < ours.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(ours[i] - theirs[i]));
    so += ours[i];
    st += theirs[i];
  }
  return { maxDiff, meanDiff: Math.abs(so - st) / ours.length };
}

const fmt = (s) => (s >= 100 ? s.toFixed(0) : s >= 10 ? s.toFixed(1) : s >= 1 ? s.toFixed(2) : s.toFixed(3));
const cases = [
  { h: 8, c: 32, m: 64, dense: true, js: true },
  { h: 16, c: 64, m: 80, dense: !QUICK, js: false },
  { h: 32, c: 64, m: 80, dense: false, js: false },
];
mkdirSync(WORK, { recursive: true });
const rows = [];
let measuredDense = null; // { n, seconds } of the largest dense run, for the extrapolation
const startLoad = loadavg()[0];
console.log(`DFT-CCA vs dense CCA over the shift-augmented dataset (${cpus().length} cores, load ${startLoad.toFixed(2)}, baseline ${PYTHON})`);
for (const { h, c, m, dense, js } of cases) {
  const [a, b] = makePair(m, h, h, c, 1000 + h);
  const n = h * h * c;
  const ours = await best(h >= 32 ? 1 : 3, () => dftCca(a, b));
  const row = { size: `${h}×${h}×${c}`, m, rows: m * h * h, n, ours: ours.seconds, similarity: ours.result.similarity, backend: ours.result.backend };
  console.log(`${row.size}  m=${m}  augmented ${row.rows} × ${n}:  DFT-CCA ${fmt(ours.seconds)} s  (similarity ${ours.result.similarity.toFixed(6)}, ${ours.result.per_frequency.length} blocks)`);
  if (dense) {
    const pa = join(WORK, `dft-${h}-a.npy`);
    const pb = join(WORK, `dft-${h}-b.npy`);
    const out = join(WORK, `dft-${h}-dense.json`);
    writeNpy(pa, a.data, [m, h, h, c]);
    writeNpy(pb, b.data, [m, h, h, c]);
    const run = spawnSync(PYTHON, [join(ROOT, 'bench/dft.bench.py'), pa, pb, out], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (run.signal || run.status !== 0) {
      // Not our failure: report it and go on with the other sizes (see the header about OpenBLAS and DFT_BENCH_PYTHON).
      const why = run.signal ? `killed by ${run.signal}` : `exit ${run.status}`;
      row.failed = why;
      console.log(`    numpy dense FAILED (${why}) — with pip's scipy-openblas 0.3.31 this is its segfault on 2 GiB operands; set DFT_BENCH_PYTHON to a Python on another BLAS (e.g. /usr/bin/python3 with Debian's python3-scipy)`);
      rows.push(row);
      continue;
    }
    const denseResult = JSON.parse(readFileSync(out, 'utf8'));
    const check = compareAnswers(ours.result.coefficients, denseResult.coefficients);
    Object.assign(row, { numpy: denseResult.seconds, stages: denseResult.stages, ...check });
    measuredDense = { n, seconds: denseResult.seconds };
    const stages = Object.entries(denseResult.stages).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
    console.log(`    numpy dense ${fmt(denseResult.seconds)} s (${stages})  → ${fmt(denseResult.seconds / ours.seconds)}×;  max |Δρ| ${check.maxDiff.toExponential(2)}, |Δmean| ${check.meanDiff.toExponential(2)}${check.maxDiff <= SAME_ANSWER ? '  same answer' : '  ANSWERS DIFFER'}`);
  }
  if (js) {
    const x = augmentedMatrix(a);
    const y = augmentedMatrix(b);
    const dense = await best(1, () => compareMatrices(x, y, { method: 'cca' }));
    const check = compareAnswers(ours.result.coefficients, dense.result.coefficients);
    Object.assign(row, { jsDense: dense.seconds, jsMaxDiff: check.maxDiff });
    console.log(`    JS dense (measures' cca on the augmented matrix) ${fmt(dense.seconds)} s  → ${fmt(dense.seconds / ours.seconds)}×;  max |Δρ| ${check.maxDiff.toExponential(2)}${check.maxDiff <= SAME_ANSWER ? '  same answer' : '  ANSWERS DIFFER'}`);
  }
  if (!dense && measuredDense) {
    const estimate = measuredDense.seconds * (n / measuredDense.n) ** 3;
    const memory = ((2 * n * n + n * n) * 8) / 1e9;
    row.estimate = estimate;
    console.log(`    numpy dense not run: its covariances need ${memory.toFixed(0)} GB (machine: ${(totalmem() / 1e9).toFixed(0)} GB); O(n³) extrapolation from ${measuredDense.n} neurons: ~${fmt(estimate)} s → ~${fmt(estimate / ours.seconds)}× (estimate)`);
  }
  rows.push(row);
}
await disposeKernels();

const lines = [
  '',
  `## DFT-CCA vs dense CCA over the shift-augmented dataset (bench/dft.bench.mjs${QUICK ? ' --quick' : ''}, ${new Date().toISOString().slice(0, 10)})`,
  '',
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 1e9).toFixed(0)} GB, load average ${startLoad.toFixed(2)} at the start and ${loadavg()[0].toFixed(2)} at the end (a machine shared with other jobs: absolute times are inflated, both sides alike). Baseline Python: ${PYTHON}.`,
  'Same quantity both ways: CCA of the flattened layers over all circular shifts of every datapoint. Ours: `dftCca` (JS float64, covariance blocks',
  `through the ${rows[0]?.backend ?? ''} BatchedMatmul kernel, Hermitian eigensolver per block), best of 3 (1 at 32×32). Baseline: numpy/scipy float64`,
  'on all cores (augmented Grams, Cholesky whitening, eigenvalues), one run; at 8×8×32 also the project\'s JS dense `cca` on the augmented matrix.',
  '',
  '| layers (h×w×c) | m | augmented rows × neurons | DFT-CCA | numpy dense | ratio | max abs Δρ | JS dense cca | ratio |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => {
    const numpy = r.numpy !== undefined ? `${fmt(r.numpy)} s` : r.failed !== undefined ? `failed (${r.failed})` : r.estimate !== undefined ? `~${fmt(r.estimate)} s (est., not run: memory)` : 'not run (--quick)';
    const ratio = r.numpy !== undefined ? `${fmt(r.numpy / r.ours)}×` : r.estimate !== undefined ? `~${fmt(r.estimate / r.ours)}× (est.)` : '';
    const diff = r.maxDiff !== undefined ? r.maxDiff.toExponential(1) : '';
    const jsDense = r.jsDense !== undefined ? `${fmt(r.jsDense)} s (Δρ ${r.jsMaxDiff.toExponential(1)})` : '';
    const jsRatio = r.jsDense !== undefined ? `${fmt(r.jsDense / r.ours)}×` : '';
    return `| ${r.size} | ${r.m} | ${r.rows} × ${r.n} | ${fmt(r.ours)} s | ${numpy} | ${ratio} | ${diff} | ${jsDense} | ${jsRatio} |`;
  }),
  '',
];
if (!RECORD) process.exit(0);
const results = join(ROOT, 'bench/RESULTS.md');
if (!existsSync(results)) writeFileSync(results, '# Benchmark results\n');
appendFileSync(results, lines.join('\n'));
console.log(`appended to bench/RESULTS.md`);
