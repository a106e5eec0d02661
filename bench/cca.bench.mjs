#!/usr/bin/env node
/**
 * CCA and PWCCA of two layers, 512 and 1024 neurons × 10,000 datapoints: the app versus a numpy float64 baseline
 * measured in the same run (bench/baseline_cca.py: the per-pair algorithm of the public reference code —
 * covariances, pinv, inverse square roots by eigh, SVD; PWCCA with its QR directions and projection weights).
 *
 * - ours: dist/native/measures (float64, default kernel backend), from the layer matrices in memory to the result:
 *   compareMatrices, what `svcca-studio compare` runs once the files are read. Also reported: the all-pairs shape
 *   (prepareBasis per layer once, then the pair step per pair), whose pair step is what each further pair costs.
 * - baseline: numpy float64 on all cores, inputs loaded before timing.
 * Ours and the baseline alternate REPEATS times (both see the same load on a shared machine); best of each.
 * - answers: CCA similarity ours vs baseline; PWCCA is compared through `--pwcca-compat reference` (the baseline's
 *   definition) at 512 — the default PWCCA is the paper's definition and differs on purpose. Data are centered,
 *   so the reference's sign-dependent mean term vanishes and both must agree.
 * - where the time goes: the single-pair route's steps timed one by one (in compareMatrices they overlap: the
 *   kernel threads run one layer's Gram or the cross-covariance while this thread decomposes the other layer).
 *
 * Data: seeded; A standard normal, B = A·W/√n·0.7 + noise (W standard normal) so correlations spread over (0, 1).
 * Usage: node bench/cca.bench.mjs [--quick] [--no-record]   (--quick: 512 only). Rebuilds dist/ when stale.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normals } from './lib/random.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'bench/.work');
const QUICK = process.argv.includes('--quick');
const RECORD = !process.argv.includes('--no-record');
const M = 10_000;
const SIZES = QUICK ? [512] : [512, 1024];
const REPEATS = 3;

function newestSource(folder) {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}
const built = join(ROOT, 'dist/native/measures/compare.js');
if (!existsSync(built) || statSync(built).mtimeMs < newestSource(join(ROOT, 'native'))) {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.node.json')], { stdio: 'inherit' });
}
const dist = (p) => import(join(ROOT, 'dist/native', p));
const { gram, crossGram, backendInfo, disposeKernels, eighOf, svdOf } = await dist('kernels/index.js');
const { prepareBasis, centerLayer, stageLayer } = await dist('measures/prepare.js');
const { compareMatrices } = await dist('measures/compare.js');
const { basisCross } = await dist('measures/pair.js');
const { correlationsFromCross } = await dist('measures/correlations.js');
const { covarianceCross } = await dist('measures/pair-covariance.js');
const { cca } = await dist('measures/cca.js');
const { pwcca } = await dist('measures/pwcca.js');
const { pwccaReference } = await dist('measures/pwcca-reference.js');
const { transpose } = await dist('linalg/util.js');


function center(x) {
  const { rows, cols, data } = x;
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) mean[j] += data[r * cols + j];
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) data[r * cols + j] -= mean[j];
  return x;
}

async function makePair(n, seed) {
  const next = normals(seed);
  const a = { rows: M, cols: n, data: Float64Array.from({ length: M * n }, next) };
  const w = { rows: n, cols: n, data: Float64Array.from({ length: n * n }, () => (0.7 * next()) / Math.sqrt(n)) };
  const b = await crossGram(transpose(a), w); // A·W
  for (let i = 0; i < b.data.length; i++) b.data[i] += next();
  return [center(a), center(b)];
}

function writeNpy(path, x) {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${x.rows}, ${x.cols}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(x.data.buffer, x.data.byteOffset, x.data.byteLength)]));
}

/** Wall seconds and CPU seconds of the whole process (kernel threads included). */
async function timed(fn) {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const result = await fn();
  const used = process.cpuUsage(cpu0);
  return { seconds: (performance.now() - start) / 1000, cpu: (used.user + used.system) / 1e6, result };
}

const fmt = (s) => (s >= 100 ? s.toFixed(0) : s >= 10 ? s.toFixed(1) : s.toFixed(2));
const lines = [];
const say = (line) => {
  console.log(line);
  lines.push(line);
};

const model = (() => {
  try {
    const text = execFileSync('lscpu', { encoding: 'utf8' });
    return /^Model name:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown CPU';
  } catch {
    return cpus()[0]?.model ?? 'unknown CPU';
  }
})();
const numpyVersion = spawnSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' }).stdout.trim();
const kernel = await backendInfo('auto');
// The WebAssembly backend beside the default one (blas where the machine's BLAS loads), so the ratio of the two shows.
const wasm = kernel.name === 'cpu-wasm-simd' ? null : 'cpu-wasm-simd';
say(`\n## cca.bench.mjs — ${new Date().toISOString().slice(0, 10)} (${model}, ${cpus().length} cores; node ${process.versions.node}, kernel ${kernel.label}; numpy ${numpyVersion})`);
say(`CCA / PWCCA of two ${M}-datapoint layers, float64 both sides, ours and numpy alternating, best of ${REPEATS} each. ratio = baseline time / our time. Load average at start: ${loadavg().map((v) => v.toFixed(1)).join(' ')}.`);

mkdirSync(WORK, { recursive: true });
let threads = [];
for (const n of SIZES) {
  const [a, b] = await makePair(n, 4242 + n);
  const pathA = join(WORK, `cca-a-${n}.npy`);
  const pathB = join(WORK, `cca-b-${n}.npy`);
  writeNpy(pathA, a);
  writeNpy(pathB, b);

  // Ours and the baseline alternate, so both see the same machine load; the best of each is kept.
  let oursCca = { seconds: Infinity };
  let oursPw = { seconds: Infinity };
  let wasmCca = { seconds: Infinity };
  let wasmPw = { seconds: Infinity };
  let prepA = { seconds: Infinity };
  let prepB = { seconds: Infinity };
  let pairCca = { seconds: Infinity };
  let pairPw = { seconds: Infinity };
  const base = { cca: { seconds: Infinity }, pwcca: { seconds: Infinity } };
  const keepBest = (old, next) => (next.seconds < old.seconds ? next : old);
  for (let rep = 0; rep < REPEATS; rep++) {
    oursCca = keepBest(oursCca, await timed(() => compareMatrices(a, b, { method: 'cca', refA: 'A', refB: 'B' })));
    oursPw = keepBest(oursPw, await timed(() => compareMatrices(a, b, { method: 'pwcca', refA: 'A', refB: 'B' })));
    if (wasm) {
      wasmCca = keepBest(wasmCca, await timed(() => compareMatrices(a, b, { method: 'cca', refA: 'A', refB: 'B', backend: wasm })));
      wasmPw = keepBest(wasmPw, await timed(() => compareMatrices(a, b, { method: 'pwcca', refA: 'A', refB: 'B', backend: wasm })));
    }
    const run = spawnSync('python3', [join(ROOT, 'bench/baseline_cca.py'), pathA, pathB, '1'], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (run.status !== 0) throw new Error(`baseline failed: ${run.stderr}`);
    const once = JSON.parse(run.stdout);
    base.cca = keepBest(base.cca, once.cca);
    base.pwcca = keepBest(base.pwcca, once.pwcca);
    threads = once.threads;
  }
  // The all-pairs shape: bases prepared once per layer, then a pair step per pair.
  for (let rep = 0; rep < REPEATS; rep++) {
    prepA = keepBest(prepA, await timed(() => prepareBasis(a, { ref: 'A' })));
    prepB = keepBest(prepB, await timed(() => prepareBasis(b, { ref: 'B' })));
    pairCca = keepBest(pairCca, await timed(() => cca(prepA.result, prepB.result, undefined, correlationsFromCross(basisCross(prepA.result, prepB.result)))));
    pairPw = keepBest(pairPw, await timed(() => pwcca(prepA.result, prepB.result, undefined, correlationsFromCross(basisCross(prepA.result, prepB.result)))));
  }
  const cpu = (r) => `${fmt(r.seconds)} s wall, ${fmt(r.cpu)} s CPU`;

  say(`\n### ${n} × ${M} (neurons × datapoints), rank ${prepA.result.rank} / ${prepB.result.rank}`);
  say(`- CCA (compare, from the two layer matrices): ours ${cpu(oursCca)} vs numpy ${fmt(base.cca.seconds)} s; ratio ${(base.cca.seconds / oursCca.seconds).toFixed(2)}x`);
  say(`- PWCCA (paper definition): ours ${cpu(oursPw)} vs numpy reference-code PWCCA ${fmt(base.pwcca.seconds)} s; ratio ${(base.pwcca.seconds / oursPw.seconds).toFixed(2)}x`);
  if (wasm) say(`- the same on ${wasm}: CCA ${cpu(wasmCca)} (ratio ${(base.cca.seconds / wasmCca.seconds).toFixed(2)}x), PWCCA ${cpu(wasmPw)} (ratio ${(base.pwcca.seconds / wasmPw.seconds).toFixed(2)}x); answers differ from the default backend's by |Δ| ${Math.abs(wasmCca.result.similarity - oursCca.result.similarity).toExponential(1)} (CCA), ${Math.abs(wasmPw.result.similarity - oursPw.result.similarity).toExponential(1)} (PWCCA)`);
  say(`- all-pairs shape (bases prepared once, ${fmt(prepA.seconds)} + ${fmt(prepB.seconds)} s): pair step CCA ${fmt(pairCca.seconds)} s (${(base.cca.seconds / pairCca.seconds).toFixed(1)}x the baseline's whole pair), PWCCA ${fmt(pairPw.seconds)} s (${(base.pwcca.seconds / pairPw.seconds).toFixed(1)}x)`);
  say(`- answers: CCA similarity ours ${oursCca.result.similarity.toFixed(12)} vs numpy ${base.cca.similarity.toFixed(12)} (|Δ| ${Math.abs(oursCca.result.similarity - base.cca.similarity).toExponential(1)}; the baseline adds epsilon·I = 1e-10 as the reference does); the all-pairs route gives ${pairCca.result.similarity.toFixed(12)}, PWCCA ${oursPw.result.similarity.toFixed(12)} vs ${pairPw.result.similarity.toFixed(12)}`);
  if (n === SIZES[0]) {
    const compat = await timed(() => pwccaReference(a, b, { epsilon: 1e-10, refA: 'A', refB: 'B' }));
    say(`- answers: PWCCA --pwcca-compat reference ${compat.result.similarity.toFixed(12)} vs numpy ${base.pwcca.similarity.toFixed(12)} (|Δ| ${Math.abs(compat.result.similarity - base.pwcca.similarity).toExponential(1)}; compat mode took ${fmt(compat.seconds)} s, paper PWCCA ${oursPw.result.similarity.toFixed(6)})`);
  }

  // Where the time goes: the single-pair route's steps one by one (the same calls compareMatrices makes, unoverlapped).
  const ca = await timed(() => centerLayer(a));
  const cb = centerLayer(b);
  const g = await timed(() => gram(ca.result.centered));
  const staged = await timed(() => stageLayer(ca.result));
  const chol = await timed(() => staged.result.cholesky());
  const eig = await timed(() => staged.result.eigen());
  const cov = await timed(() => crossGram(ca.result.centered, cb.centered));
  const db = await (await stageLayer(cb)).cholesky();
  const m = await timed(() => covarianceCross(chol.result, db, {}, Promise.resolve(cov.result))(n, n));
  const sv = await timed(() => svdOf(m.result, { vectors: false }));
  const mmt = await timed(async () => gram(transpose(m.result)));
  const e2 = await timed(async () => (await eighOf(mmt.result)).vectors());
  say(`- where the time goes (CPU s in brackets) — per layer: center ${cpu(ca)}, Gram kernel ${cpu(g)}, Gram eigenvalues (incl. that Gram) ${cpu(staged)}, Cholesky whitening ${cpu(chol)} [eigenvector whitening instead: ${cpu(eig)}]; pair: cross-covariance A_cᵀB_c ${cpu(cov)}, M = L_A⁻¹·C·L_B⁻ᵀ ${cpu(m)}, then CCA: singular values of M ${cpu(sv)}; PWCCA: MMᵀ ${cpu(mmt)} + eigh ${cpu(e2)}`);
}
say(`- baseline BLAS: ${threads.join(', ')}; load average at end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
await disposeKernels();
if (RECORD) appendFileSync(join(ROOT, 'bench/RESULTS.md'), `${lines.join('\n')}\n`);
