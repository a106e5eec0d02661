#!/usr/bin/env node
/**
 * `npm run bench`: runs the benchmark scripts listed below, one after another (they load the machine fully, so never
 * in parallel), each printing ours vs a baseline measured in the same run and appending to bench/RESULTS.md.
 * Add a new bench by adding its file name to BENCHES. Extra arguments are passed to every script (e.g. --quick);
 * `npm run bench -- --only kernels,dft` runs the scripts whose names contain one of the given words.
 * Exit code: 1 if any script failed, after running all of them.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCHES = [
  'kernels.bench.mjs',
  'cca.bench.mjs',
  'dft.bench.mjs',
  'matrix.bench.mjs',
  'analyses.bench.mjs',
  'index.bench.mjs',
  'ui.bench.mjs',
  'scale.bench.mjs',
];

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',').filter(Boolean) : [];
const passed = onlyAt >= 0 ? args.filter((_, i) => i !== onlyAt && i !== onlyAt + 1) : args;

const failed = [];
for (const name of BENCHES) {
  if (only.length > 0 && !only.some((word) => name.includes(word))) continue;
  console.log(`\n=== ${name} ${passed.join(' ')}`.trimEnd());
  const started = Date.now();
  const run = spawnSync(process.execPath, [join(here, name), ...passed], { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (run.status !== 0) {
    failed.push(name);
    console.log(`=== ${name} failed (exit ${run.status ?? run.signal}) after ${seconds} s`);
  } else {
    console.log(`=== ${name} done in ${seconds} s`);
  }
}
if (failed.length > 0) {
  console.log(`\nfailed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
