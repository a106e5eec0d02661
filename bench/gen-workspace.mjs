#!/usr/bin/env node
/**
 * A synthetic workspace for the index benchmark: RUNS runs × STEPS checkpoints × LAYERS layers of tiny float32 .npy
 * files (200 × 50 × 10 = 100,000 files by default), each run with a run.json carrying metrics at every step, in
 * nested group folders (`lr<x>/seed<n>`) as sweeps are usually laid out.
 *
 * Usage: node bench/gen-workspace.mjs [DIR] [--runs 200] [--steps 50] [--layers 10]
 * DIR defaults to bench/.work/workspace-<runs>x<steps>x<layers> (git-ignored). An existing, complete DIR is reused.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A .npy v1.0 file: float32, little-endian, C order, values 0, 1/8, 2/8, … (numpy.lib.format). */
export function npyBytes(shape) {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count).map((_, i) => i / 8);
  const preamble = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  return Buffer.concat([preamble, Buffer.from(header, 'latin1'), Buffer.from(data.buffer)]);
}

/** Writes the workspace (unless a complete one is there) and returns its path and what it holds. */
export function generateWorkspace({ dir, runs = 200, steps = 50, layers = 10 } = {}) {
  const target = resolve(dir ?? join(ROOT, 'bench', '.work', `workspace-${runs}x${steps}x${layers}`));
  const stamp = join(target, '.complete.json');
  const expected = { runs, checkpoints: runs * steps, arrays: runs * steps * layers };
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === JSON.stringify(expected)) return { root: target, expected, generated: false };
  rmSync(target, { recursive: true, force: true });
  // 16 datapoints; layer widths vary so headers differ, as real layers do.
  const files = Array.from({ length: layers }, (_, l) => npyBytes([16, 4 + (l % 5)]));
  const layerNames = Array.from({ length: layers }, (_, l) => `layer${String(l).padStart(2, '0')}`);
  for (let r = 0; r < runs; r++) {
    const lr = [0.1, 0.01, 0.001, 0.0001][r % 4];
    const runDir = join(target, `lr${lr}`, `seed${r}`);
    const stepNumbers = Array.from({ length: steps }, (_, s) => s * 100);
    mkdirSync(runDir, { recursive: true });
    writeFileSync(
      join(runDir, 'run.json'),
      JSON.stringify({
        name: `lr${lr}_seed${r}`,
        group: `lr${lr}`,
        seed: r,
        lr,
        labels: r % 10 === 0 ? 'random' : 'true',
        layers: layerNames,
        metrics: stepNumbers.map((step, s) => ({ step, train_acc: Math.min(1, 0.1 + s / steps), probe_acc: Math.min(0.95, 0.1 + s / (steps + 5)) })),
      }),
    );
    for (const step of stepNumbers) {
      const ckpt = join(runDir, `step-${String(step).padStart(6, '0')}`);
      mkdirSync(ckpt);
      for (let l = 0; l < layers; l++) writeFileSync(join(ckpt, `${layerNames[l]}.npy`), files[l]);
    }
  }
  writeFileSync(stamp, JSON.stringify(expected));
  return { root: target, expected, generated: true };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const flag = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args.splice(i, 2)[1]) : fallback;
  };
  const runs = flag('runs', 200);
  const steps = flag('steps', 50);
  const layers = flag('layers', 10);
  const started = performance.now();
  const { root, expected, generated } = generateWorkspace({ dir: args[0], runs, steps, layers });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${generated ? `generated in ${seconds} s` : 'already there'}: ${root} (${expected.runs} runs, ${expected.checkpoints} checkpoints, ${expected.arrays} layer files)`);
}
