/**
 * Test helpers shared by the linalg and measures suites: a seeded normal generator (so failures reproduce) and a
 * bridge to an independent float64 numpy/scipy computation in python3 (inputs and outputs as JSON).
 */
import { spawnSync } from 'node:child_process';
import { matrix, type Matrix } from '../../../native/linalg/matrix.js';

/** mulberry32 + Box–Muller: deterministic standard normals. */
export function normalGenerator(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    const u = uniform() || 1e-300;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

export function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const next = normalGenerator(seed);
  const m = matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = next();
  return m;
}

export function toNested(a: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.rows; i++) out.push(Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
  return out;
}

export function fromNested(rows: readonly (readonly number[])[]): Matrix {
  const r = rows.length;
  const c = r ? rows[0]!.length : 0;
  const m = matrix(r, c);
  rows.forEach((row, i) => m.data.set(row, i * c));
  return m;
}

/**
 * Runs `script` in python3 with `inputs` available as the dict `inp` (JSON) and prints whatever the script assigns
 * to `out` as JSON (NaN allowed, as a JSON extension, so NaN results of reference formulas can be asserted).
 */
export function python<T>(script: string, inputs: Record<string, unknown> = {}): T {
  const program = [
    'import json, sys',
    'import numpy as np',
    'inp = json.load(sys.stdin)',
    script,
    'def _conv(o):',
    '    if isinstance(o, np.ndarray): return o.tolist()',
    '    if isinstance(o, (np.floating, np.integer)): return o.item()',
    '    raise TypeError(type(o))',
    'sys.stdout.write(json.dumps(out, default=_conv))',
  ].join('\n');
  const res = spawnSync('python3', ['-c', program], { input: JSON.stringify(inputs), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (res.status !== 0) throw new Error(`python failed: ${res.stderr}`);
  return JSON.parse(res.stdout.replace(/\bNaN\b/g, '"NaN"'), (_k, v) => (v === 'NaN' ? Number.NaN : v)) as T;
}

export function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
