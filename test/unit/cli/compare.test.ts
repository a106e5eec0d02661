/**
 * `svcca-studio compare` end to end: the built CLI (bin/svcca-studio.js → dist/) on .npy files written by numpy.
 * Contract: --json prints exactly one object; bad input or usage exits 2 with one `error:` line naming the file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, EXAMPLE } from '../../support/corpus.js';
import { python } from '../linalg/helpers.js';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'bin/svcca-studio.js');
let dir = '';

function run(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'compare', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[]): Record<string, unknown> {
  const r = run([...args, '--json']);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** Exit 2 and exactly one stderr line of the form `error: <what>`. */
function expectInputError(args: string[], pattern: RegExp): void {
  const r = run(args);
  expect(r.status, r.stdout + r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n').filter((l) => !/^Warning: vk|^\s+at CheckVk/.test(l));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stdout).toBe('');
}

const f = (name: string): string => join(dir, name);

/** Newest modification time of the TypeScript sources under `folder`. */
function newestSource(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

beforeAll(() => {
  const dist = join(ROOT, 'dist/native/cli/commands/compare.js');
  // `npm test` builds first; when run alone after editing native/, rebuild so the CLI under test is current.
  if (!existsSync(dist) || statSync(dist).mtimeMs < newestSource(join(ROOT, 'native'))) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.node.json')], { cwd: ROOT });
  }
  dir = mkdtempSync(join(tmpdir(), 'svcca-compare-'));
  python<null>(
    `import os
d = inp['dir']
rng = np.random.default_rng(7)
z = rng.standard_normal((200, 4))
a = z @ rng.standard_normal((4, 12)) + 0.5 * rng.standard_normal((200, 12))
b = z @ rng.standard_normal((4, 9)) + 0.8 * rng.standard_normal((200, 9))
np.save(os.path.join(d, 'a.npy'), a.astype(np.float32))
np.save(os.path.join(d, 'b.npy'), b)
np.save(os.path.join(d, 'a_t.npy'), np.ascontiguousarray(a.astype(np.float32).T))
np.save(os.path.join(d, 'short.npy'), b[:150])
bad = b.copy(); bad[17, 3] = np.nan
np.save(os.path.join(d, 'nan.npy'), bad)
np.save(os.path.join(d, 'constant.npy'), np.tile(np.array([[0.5, 0.0, 2.0]]), (200, 1)))
np.save(os.path.join(d, 'wide.npy'), rng.standard_normal((200, 220)))
np.savez(os.path.join(d, 'layers.npz'), fc=b.T)  # neurons first, like a_t.npy
out = None`,
    { dir },
  );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('svcca-studio compare --json', () => {
  it.each(['cca', 'svcca', 'svcca-weighted', 'pwcca', 'cka'])('%s prints one object with the contract fields', (method) => {
    const r = json([f('a.npy'), f('b.npy'), '--method', method]);
    expect(r).toMatchObject({ method, datapoints: 200, neurons: [12, 9], backend: 'cpu' });
    expect(typeof r['similarity']).toBe('number');
    expect(Array.isArray(r['coefficients'])).toBe(true);
    expect((r['dims'] as number[]).length).toBe(2);
    if (method === 'pwcca') {
      const w = r['weights'] as number[];
      expect(w).toHaveLength((r['coefficients'] as number[]).length);
      expect(w.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    }
  });

  it('reads --neurons-first and file.npz:array the same as the plain files', () => {
    const plain = json([f('a.npy'), f('b.npy'), '--method', 'pwcca']);
    const transposed = json([f('a_t.npy'), `${f('layers.npz')}:fc`, '--method', 'pwcca', '--neurons-first']);
    expect(transposed['similarity']).toBeCloseTo(plain['similarity'] as number, 12);
  });

  it('--dims, --keep, --epsilon and --pwcca-compat reach the measure', () => {
    expect(json([f('a.npy'), f('b.npy'), '--method', 'svcca', '--dims', '3'])['dims']).toEqual([3, 3]);
    expect(json([f('a.npy'), f('b.npy'), '--method', 'svcca', '--keep', '0.5'])['keep']).toBe(0.5);
    expect(json([f('a.npy'), f('b.npy'), '--method', 'cca', '--epsilon', '1e-6'])['epsilon']).toBe(1e-6);
    expect(json([f('a.npy'), f('b.npy'), '--method', 'pwcca', '--pwcca-compat', 'reference'])).toMatchObject({ compat: 'reference', weights_side: 'B' });
    // Non-zero neuron means: the result says the reference's own value depends on LAPACK's signs, in both outputs.
    expect(json([f('a.npy'), f('b.npy'), '--method', 'pwcca', '--pwcca-compat', 'reference'])['note']).toMatch(/depends on the sign its LAPACK build gives/);
    expect(run([f('a.npy'), f('b.npy'), '--method', 'pwcca', '--pwcca-compat', 'reference']).stdout).toMatch(/^note +the reference code adds the neuron means back/m);
  });

  it('--backend gpu without a GPU runs on the CPU and says so', () => {
    const r = json([f('a.npy'), f('b.npy'), '--method', 'cca', '--backend', 'gpu']);
    if (r['backend'] === 'cpu') expect(String(r['backend_note'])).toMatch(/no GPU/);
    else expect(r['backend']).toBe('gpu');
  });

  it('prints a compact table without --json', () => {
    const r = run([f('a.npy'), f('b.npy'), '--method', 'pwcca']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^method\s+pwcca$/m);
    expect(r.stdout).toMatch(/^similarity\s+0\.\d{4}$/m);
    expect(r.stdout).toMatch(/^weights/m);
  });

  it('compares conv layers of the example workspace (npz members) channel-wise, flattened and by DFT-CCA', () => {
    const a = `${join(EXAMPLE, 'true_lr0.01_seed2001/step-001260/activations.npz')}:conv2`;
    const b = `${join(EXAMPLE, 'true_lr0.01_seed2002/step-001260/activations.npz')}:conv2`;
    expect(json([a, b, '--method', 'svcca'])).toMatchObject({ datapoints: 500, rows: 8000, neurons: [16, 16] });
    expect(json([a, b, '--method', 'cca', '--conv', 'flatten', '--dims', '20'])).toMatchObject({ datapoints: 500, neurons: [256, 256], dims: [20, 20] });
    const dft = json([a, b, '--method', 'dft-cca']);
    expect(dft).toMatchObject({ method: 'dft-cca', backend: 'cpu', spatial_rule: 'same-size' });
    expect(dft['similarity']).toBeGreaterThan(0);
    const table = run([a, b, '--method', 'dft-cca']);
    expect(table.stdout).toMatch(/^spatial sizes\s+equal \(every circular shift\)$/m);
  });

  it.skipIf(!CORPUS)('compares conv1.npy of the shared corpus channel-wise, flattened and by DFT-CCA (extra)', () => {
    const a = join(CORPUS!, 'true_lr0.01_seed2001/step-001260/conv1.npy');
    const b = join(CORPUS!, 'true_lr0.01_seed2002/step-001260/conv1.npy');
    expect(json([a, b, '--method', 'svcca'])).toMatchObject({ datapoints: 500, rows: 32000, neurons: [8, 8] });
    expect(json([a, b, '--method', 'cca', '--conv', 'flatten', '--dims', '20'])).toMatchObject({ datapoints: 500, neurons: [512, 512], dims: [20, 20] });
    const dft = json([a, b, '--method', 'dft-cca']);
    expect(dft).toMatchObject({ method: 'dft-cca', backend: 'cpu', spatial_rule: 'same-size' });
    expect(dft['similarity']).toBeGreaterThan(0);
    const table = run([a, b, '--method', 'dft-cca']);
    expect(table.stdout).toMatch(/^spatial sizes\s+equal \(every circular shift\)$/m);
  });
});

describe('svcca-studio compare errors: exit 2, one line', () => {
  it('a missing file', () => expectInputError([f('missing.npy'), f('b.npy'), '--method', 'cca'], /missing\.npy/));
  it('unequal datapoints', () => expectInputError([f('a.npy'), f('short.npy'), '--method', 'cca'], /short\.npy: has 150 datapoints but .*a\.npy has 200/));
  it('NaN', () => expectInputError([f('a.npy'), f('nan.npy'), '--method', 'cca'], /nan\.npy: NaN/));
  it('an all-constant layer', () => expectInputError([f('constant.npy'), f('b.npy'), '--method', 'svcca'], /constant\.npy: every one of its 3 neurons is constant/));
  it('degenerate cca (more neurons than datapoints)', () =>
    expectInputError([f('wide.npy'), f('b.npy'), '--method', 'cca'], /wide\.npy: keeps 220 neurons for 200 datapoints.*degenerate.*svcca.*--dims/));
  it('degenerate pwcca on the B side', () => expectInputError([f('a.npy'), f('wide.npy'), '--method', 'pwcca'], /wide\.npy: .*degenerate/));
  it('--dims beyond the rank', () => expectInputError([f('a.npy'), f('b.npy'), '--method', 'svcca', '--dims', '10'], /b\.npy: --dims 10 exceeds/));
  it('usage: no --method, compat with another method, conv mismatch', () => {
    expectInputError([f('a.npy'), f('b.npy')], /--method is required/);
    expectInputError([f('a.npy'), f('b.npy'), '--method', 'cca', '--pwcca-compat', 'reference'], /--pwcca-compat applies to --method pwcca only/);
    expectInputError([f('a.npy')], /missing B/);
  });
});
