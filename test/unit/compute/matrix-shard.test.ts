/**
 * Sharded all-pairs (native/compute/matrix-shard.ts): the parts of `matrix --shard K/N` merge into exactly the
 * unsharded matrix — on the example workspace and on a 60-net synthetic one, for N = 1, 3, 7 and pwcca, svcca and
 * cka — every ordered pair is computed by exactly one shard, the work is balanced, a killed shard leaves no part and
 * its rerun merges the same, and a missing, duplicated or mismatched part is refused in one line naming it.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMatrix } from '../../../native/compute/matrix.js';
import { assignTiles, mergeParts, pairTiles, parseShard, runMatrixShard, writePart } from '../../../native/compute/matrix-shard.js';
import type { MatrixRequest } from '../../../native/domain/index.js';
import { InputError, UsageError } from '../../../native/errors.js';
import { WorkspaceIndex } from '../../../native/index/index.js';
import { EXAMPLE, REPO } from '../../support/corpus.js';

const execFileAsync = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'svcca-shard-'));
const CLI = join(REPO, 'bin', 'svcca-studio.js');
let example: WorkspaceIndex;
let synthetic: WorkspaceIndex;
let syntheticRoot: string;

/** 60 nets in 3 families (a shared signal, a family signal, noise) of one 24-unit layer over 300 datapoints. */
function writeSynthetic(root: string): void {
  execFileSync('python3', [
    '-c',
    `import json, os, sys, numpy as np
root = sys.argv[1]
rng = np.random.RandomState(7)
shared = rng.randn(300, 6)
family = [rng.randn(300, 6) for _ in range(3)]
for k in range(60):
    run = os.path.join(root, f'net{k:02d}', 'step-000100')
    os.makedirs(run)
    f = k % 3
    x = np.hstack([shared, family[f]]) @ rng.randn(12, 24) + 0.5 * rng.randn(300, 24)
    np.save(os.path.join(run, 'hidden.npy'), np.maximum(x, 0).astype('<f4'))
    with open(os.path.join(root, f'net{k:02d}', 'run.json'), 'w') as out:
        json.dump({'name': f'net{k:02d}', 'family': f'f{f}', 'seed': k}, out)`,
    root,
  ]);
}

beforeAll(async () => {
  example = WorkspaceIndex.open(EXAMPLE, { db: join(tmp, 'example.sqlite') });
  await example.index();
  syntheticRoot = join(tmp, 'synthetic');
  writeSynthetic(syntheticRoot);
  synthetic = WorkspaceIndex.open(syntheticRoot, { db: join(tmp, 'synthetic.sqlite') });
  await synthetic.index();
}, 120_000);
afterAll(() => {
  example.close();
  synthetic.close();
  rmSync(tmp, { recursive: true, force: true });
});

function maxDifference(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i]![j]!)))));
  return worst;
}

/** Every shard of N computed without caches (as on separate nodes), written, and merged. */
async function shardedMerge(index: WorkspaceIndex, request: MatrixRequest, shards: number, dir: string): Promise<ReturnType<typeof mergeParts>> {
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (let k = 1; k <= shards; k++) {
    const part = await runMatrixShard(index, request, { shard: k, shards }, { cache: false, workers: 0 });
    const path = join(dir, `part-${k}.json`);
    writePart(path, part);
    paths.push(path);
  }
  return mergeParts(paths);
}

describe('pair tiles and their assignment', () => {
  it('give every ordered pair to exactly one shard, balanced by work', () => {
    for (const n of [1, 2, 10, 60, 97]) {
      for (const shards of [1, 2, 3, 7, 16]) {
        const tiles = pairTiles(n, shards);
        const assigned = assignTiles(tiles, (t) => t.length, shards);
        const seen = new Set<number>();
        for (const pairs of assigned) for (const [i, j] of pairs) {
          expect(seen.has(i * n + j)).toBe(false);
          seen.add(i * n + j);
        }
        expect(seen.size).toBe(n * n);
        if (n >= 60) {
          const loads = assigned.map((p) => p.length);
          const mean = (n * n) / shards;
          expect(Math.max(...loads) / mean, `n=${n} N=${shards}`).toBeLessThan(1.35);
        }
      }
    }
  });

  it('are a function of the question alone (two computations agree)', () => {
    const a = assignTiles(pairTiles(60, 7), (t) => t.length * 3, 7);
    const b = assignTiles(pairTiles(60, 7), (t) => t.length * 3, 7);
    expect(a).toEqual(b);
  });

  it('--shard is K/N with 1 ≤ K ≤ N', () => {
    expect(parseShard('2/7')).toEqual({ shard: 2, shards: 7 });
    for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0', '-1/2']) expect(() => parseShard(bad)).toThrow(UsageError);
  });
});

describe('merged shards equal the unsharded matrix', () => {
  const requests: Array<[string, MatrixRequest]> = [
    ['pwcca fc', { layer: 'fc', method: 'pwcca', groupBy: 'labels' }],
    ['svcca conv2', { layer: 'conv2', method: 'svcca' }],
    ['cka logits', { layer: 'logits', method: 'cka' }],
  ];
  it.each(requests)('example workspace, %s, N = 1, 3, 7', async (label, request) => {
    const whole = await runMatrix(example, request, { cache: false, workers: 0 });
    for (const shards of [1, 3, 7]) {
      const merged = await shardedMerge(example, request, shards, join(tmp, `example-${label.replace(' ', '-')}-${shards}`));
      expect(maxDifference(merged.matrix, whole.matrix), `N=${shards}`).toBeLessThan(1e-12);
      expect(merged.runs).toEqual(whole.runs);
      expect(merged.order).toEqual(whole.order);
      expect(merged.linkage).toEqual(whole.linkage);
      expect(merged.stats).toEqual(whole.stats);
      expect(merged.files).toEqual(whole.files);
      expect(merged.pairs_computed).toBe(whole.pairs_computed);
      expect(Object.keys(merged).sort()).toEqual(Object.keys(whole).sort());
    }
  }, 120_000);

  it.each([['pwcca'], ['svcca'], ['cka']] as const)('60-net synthetic workspace, %s, N = 1, 3, 7', async (method) => {
    const request: MatrixRequest = { layer: 'hidden', method, groupBy: 'family' };
    const whole = await runMatrix(synthetic, request, { cache: false, workers: 0 });
    expect(whole.runs).toHaveLength(60);
    for (const shards of [1, 3, 7]) {
      const merged = await shardedMerge(synthetic, request, shards, join(tmp, `synthetic-${method}-${shards}`));
      expect(maxDifference(merged.matrix, whole.matrix), `N=${shards}`).toBeLessThan(1e-12);
      expect(merged.order).toEqual(whole.order);
      expect(merged.stats).toEqual(whole.stats);
    }
    // The families are real structure: within-family similarity exceeds between-family.
    expect(whole.stats!.within_mean!).toBeGreaterThan(whole.stats!.between_mean!);
  }, 300_000);
});

describe('the CLI: shards as separate processes with their own indexes, merge, and a killed shard', () => {
  // A slow question (weighted SVCCA over 16 000 conv rows), so that a shard can be killed while it computes.
  const args = (extra: string[]): string[] => [CLI, 'matrix', EXAMPLE, '--layer', 'conv2', '--method', 'svcca-weighted', '--group-by', 'labels', '--workers', '0', ...extra];
  // Asynchronous: a synchronous child of many seconds would stall this worker's event loop and with it vitest's
  // heartbeat to its workers (a "Timeout calling onTaskUpdate" on a loaded machine).
  const run = async (argv: string[]): Promise<string> => (await execFileAsync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 64 << 20 })).stdout;

  it('merge --json prints what the unsharded matrix --json prints; a shard killed mid-way leaves no part, and its rerun merges the same', async () => {
    const dir = join(tmp, 'cli');
    mkdirSync(dir);
    const whole = JSON.parse(await run([...args(['--db', join(dir, 'whole.sqlite')]), '--json']));
    const parts = [1, 2, 3].map((k) => join(dir, `part-${k}.json`));
    const started = performance.now();
    await run(args(['--shard', '1/3', '--out', parts[0]!, '--db', join(dir, 'node1.sqlite')]));
    const oneShard = performance.now() - started;
    await run(args(['--shard', '3/3', '--out', parts[2]!, '--db', join(dir, 'node3.sqlite')]));

    // Shard 2 (as much work as shard 1) is killed half-way through the time shard 1 took.
    const killed = spawn(process.execPath, args(['--shard', '2/3', '--out', parts[1]!, '--db', join(dir, 'node2.sqlite')]), { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => killed.once('exit', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, oneShard / 2));
    killed.kill('SIGKILL');
    await exited;
    expect(killed.signalCode, 'shard 2 was still running when killed').toBe('SIGKILL');
    expect(existsSync(parts[1]!)).toBe(false);
    // Without shard 2 the merge says which shard is missing.
    await expect(run([CLI, 'merge', parts[0]!, parts[2]!])).rejects.toThrow(/missing shard 2\/3/);
    await run(args(['--shard', '2/3', '--out', parts[1]!, '--db', join(dir, 'node2.sqlite')]));

    const merged = JSON.parse(await run([CLI, 'merge', ...parts, '--json']));
    expect(maxDifference(merged.matrix, whole.matrix)).toBeLessThan(1e-12);
    expect(Object.keys(merged).sort()).toEqual(Object.keys(whole).sort());
    for (const key of ['runs', 'layer', 'method', 'order', 'linkage', 'stats', 'backend', 'kernel_backend', 'precision', 'step', 'files']) expect(merged[key], key).toEqual(whole[key]);
  }, 300_000);
});

describe('merge refuses what does not belong together, naming the part', () => {
  let parts: string[];
  const dir = join(tmp, 'refusals');
  beforeAll(async () => {
    mkdirSync(dir);
    parts = [];
    for (let k = 1; k <= 3; k++) {
      const path = join(dir, `part-${k}.json`);
      writePart(path, await runMatrixShard(example, { layer: 'fc', method: 'pwcca' }, { shard: k, shards: 3 }, { workers: 0 }));
      parts.push(path);
    }
  }, 120_000);

  const refusal = (paths: string[]): string => {
    try {
      mergeParts(paths);
    } catch (err) {
      expect(err instanceof InputError || err instanceof UsageError).toBe(true);
      const message = (err as Error).message;
      expect(message.split('\n')).toHaveLength(1);
      return message;
    }
    throw new Error('merge accepted the parts');
  };

  it('a missing shard', () => {
    expect(refusal([parts[0]!, parts[2]!])).toMatch(/missing shard 2\/3/);
  });
  it('a duplicated shard', () => {
    const copy = join(dir, 'copy-of-1.json');
    writeFileSync(copy, readFileSync(parts[0]!));
    expect(refusal([parts[0]!, copy, parts[1]!, parts[2]!])).toMatch(/copy-of-1\.json.*shard 1\/3 again \(also .*part-1\.json\)/);
  });
  it('another layer, method, workspace or parameters', async () => {
    const other = async (name: string, index: WorkspaceIndex, request: MatrixRequest): Promise<string> => {
      const path = join(dir, name);
      writePart(path, await runMatrixShard(index, request, { shard: 2, shards: 3 }, { workers: 0 }));
      return path;
    };
    expect(refusal([parts[0]!, await other('layer.json', example, { layer: 'logits', method: 'pwcca' }), parts[2]!])).toMatch(/layer\.json.*layer logits, the others for fc/);
    expect(refusal([parts[0]!, await other('method.json', example, { layer: 'fc', method: 'cca' }), parts[2]!])).toMatch(/method\.json.*method cca, the others for pwcca/);
    expect(refusal([parts[0]!, await other('params.json', example, { layer: 'fc', method: 'pwcca', epsilon: 1e-6 }), parts[2]!])).toMatch(/params\.json.*other parameters/);
    expect(refusal([parts[0]!, await other('workspace.json', synthetic, { layer: 'hidden', method: 'pwcca' }), parts[2]!])).toMatch(/workspace\.json.*workspace .*synthetic/);
  }, 120_000);
  it('a file that is not a part, or a damaged one', () => {
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'hello');
    expect(refusal([notJson])).toMatch(/not\.json: is not JSON/);
    const result = join(dir, 'result.json');
    writeFileSync(result, JSON.stringify({ runs: [], matrix: [] }));
    expect(refusal([result])).toMatch(/result\.json: is not a matrix part/);
    const damaged = join(dir, 'damaged.json');
    const part = JSON.parse(readFileSync(parts[1]!, 'utf8'));
    part.pairs[0][2] = 'x';
    writeFileSync(damaged, JSON.stringify(part));
    expect(refusal([parts[0]!, damaged, parts[2]!])).toMatch(/damaged\.json: is a damaged matrix part: pairs/);
    expect(refusal([join(dir, 'absent.json')])).toMatch(/absent\.json: cannot be read \(ENOENT\)/);
  });
});
