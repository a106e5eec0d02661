#!/usr/bin/env node
/**
 * The two analyses users wait for, on a corpus run (../shared/corpus), ours vs a numpy float64 baseline measured in
 * the same run (bench/analyses.baseline.py: the same definitions written the straightforward way):
 *  - dynamics: the 6 checkpoints × 4 × 4 layers SVCCA tensor of true_lr0.01_seed2000 (96 comparisons, conv layers
 *    channel-wise with the pooling rule). Ours prepares each (checkpoint, layer, grid) once; the baseline decomposes
 *    both sides per pair, as the public SVCCA code does.
 *  - compress: the svd, max_activation and random (10 draws) accuracy curves of conv2 (256 neurons, k = 1..256,
 *    through fc and logits). Ours adds one direction at a time; the baseline rebuilds each projection by an SVD.
 * Ours runs from dist/ in process (index opened beforehand, layers read from disk inside the timing); dynamics best of
 * REPEATS, compress timed once (the baseline's conv2 curves take minutes).
 * Answers are compared: the dynamics tensors to 1e-9, the svd and max_activation curves exactly (random draws differ:
 * its mean curve is shown, not compared).
 * Usage: node bench/analyses.bench.mjs [--quick] [--no-record]   (--quick: fc instead of conv2, 1 repeat)
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = resolve(ROOT, '..', 'shared', 'corpus');
const QUICK = process.argv.includes('--quick');
const RECORD = !process.argv.includes('--no-record');
const REPEATS = QUICK ? 1 : 3;
// The numpy compression baseline takes minutes for conv2 (an SVD per k and curve): one timing each side.
const COMPRESS_REPEATS = 1;
const RUN = 'true_lr0.01_seed2000';
const LAYER = QUICK ? 'fc' : 'conv2';
const REST = QUICK ? [['logits', 'identity']] : [['fc', 'relu'], ['logits', 'identity']];

execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.node.json')], { stdio: 'inherit' });
const dist = (p) => import(join(ROOT, 'dist/native', p));
const { WorkspaceIndex } = await dist('index/index.js');
const { runDynamics } = await dist('analyses/dynamics.js');
const { runCompress } = await dist('analyses/compression.js');
const { disposeKernels, backendInfo } = await dist('kernels/index.js');

const lines = [];
const say = (line) => {
  console.log(line);
  lines.push(line);
};
const dbDir = mkdtempSync(join(tmpdir(), 'svcca-bench-analyses-'));
const index = WorkspaceIndex.open(CORPUS, { db: join(dbDir, 'index.sqlite') });
await index.index();
const info = await backendInfo();
const loadStart = loadavg()[0];

async function best(f, repeats = REPEATS) {
  let seconds = Infinity;
  let value;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    value = await f();
    seconds = Math.min(seconds, (performance.now() - t) / 1000);
  }
  return { seconds, value };
}

const ours = {
  dynamics: await best(() => runDynamics(index, { run: RUN, classSensitivity: false })),
  compress: await best(() => runCompress(index, { run: RUN, layer: LAYER }), COMPRESS_REPEATS),
};
const steps = ours.dynamics.value.steps;
const baseline = JSON.parse(
  execFileSync('python3', [join(ROOT, 'bench/analyses.baseline.py'), JSON.stringify({ corpus: CORPUS, run: RUN, steps, layers: ours.dynamics.value.layers, repeats: REPEATS, compress_repeats: COMPRESS_REPEATS, layer: LAYER, rest: REST, draws: 10 })], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  }),
);
index.close();
rmSync(dbDir, { recursive: true, force: true });
await disposeKernels();

let worst = 0;
ours.dynamics.value.tensor.forEach((pane, s) => pane.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - baseline.dynamics.tensor[s][i][j]))))));
const same = ['svd', 'max_activation'].every((k) => JSON.stringify(ours.compress.value.accuracy[k]) === JSON.stringify(baseline.compress.curves[k]));
const ratio = (b, o) => `${(b / o).toFixed(1)}×`;
say(`\n## analyses.bench.mjs — ${new Date().toISOString().slice(0, 10)} (${cpus().length} cores ${cpus()[0]?.model.trim() ?? ''}; kernels ${info.name}${QUICK ? '; --quick' : ''})`);
say(`- load average (1 min) ${loadStart.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end; dynamics best of ${REPEATS}, compress once; baseline numpy float64 (default BLAS threads)`);
say(`- dynamics ${RUN} (${steps.length} checkpoints × 4 × 4 layers, svcca): ours ${ours.dynamics.seconds.toFixed(2)} s vs numpy ${baseline.dynamics.seconds.toFixed(2)} s → ratio ${ratio(baseline.dynamics.seconds, ours.dynamics.seconds)}; max |difference| ${worst.toExponential(1)}`);
say(
  `- compress ${RUN} ${LAYER} (k = 1..${ours.compress.value.n}; ours: svcca, svd, 10 random draws, max_activation; numpy: svd, 10 random draws, max_activation): ` +
    `ours ${ours.compress.seconds.toFixed(2)} s vs numpy ${baseline.compress.seconds.toFixed(2)} s → ratio ${ratio(baseline.compress.seconds, ours.compress.seconds)}; svd and max_activation curves ${same ? 'identical' : 'DIFFER'}`,
);
if (RECORD) appendFileSync(join(ROOT, 'bench/RESULTS.md'), `${lines.join('\n')}\n`);
if (worst > 1e-9 || !same) process.exitCode = 1;
