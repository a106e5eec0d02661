/**
 * Noise floors and bootstrap intervals: on the example workspace's random-label nets (reported), against numpy given the same
 * shuffles and resamples, and on small cases where the answer is known.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permutation, randomStream, resample } from '../../../native/analyses/sampling.js';
import { BOOTSTRAP_STREAM, quantile, runSignificance, significance } from '../../../native/analyses/significance.js';
import { UsageError } from '../../../native/errors.js';
import type { WorkspaceIndex } from '../../../native/index/index.js';
import { matrix } from '../../../native/linalg/matrix.js';
import { rng } from '../compute/npy.js';
import { EXAMPLE, openIndexed, python, tempDir } from './helpers.js';

let index: WorkspaceIndex;
let cleanup: () => void;
beforeAll(async () => {
  const t = tempDir('svcca-significance-');
  cleanup = t.cleanup;
  index = await openIndexed(EXAMPLE, t.dir);
});
afterAll(() => {
  index.close();
  cleanup();
});

const A = 'random_lr0.01_seed2008';
const B = 'random_lr0.01_seed2009';

/** The shuffles and resamples significance() draws for a seed (the documented streams). */
function draws(m: number, permutations: number, bootstrap: number, seed: number): { perms: number[][]; picks: number[][] } {
  const p = randomStream(seed);
  const b = randomStream((seed + BOOTSTRAP_STREAM) >>> 0);
  return {
    perms: Array.from({ length: permutations }, () => Array.from(permutation(m, p))),
    picks: Array.from({ length: bootstrap }, () => Array.from(resample(m, b))),
  };
}

const REFERENCE = String.raw`
x = run_layer(data['a'], 8400, data['layer'])
y = run_layer(data['b'], 8400, data['layer'])
def rows(z):
    return z.reshape(-1, z.shape[-1])            # channels: every position a row, datapoint-major
per = int(np.prod(x.shape[1:-1])) if x.ndim == 4 else 1
def take(z, idx):
    return rows(z[np.array(idx)])
def sim(u, v):
    return svcca_all(u, v)[1]
observed = sim(rows(x), rows(y))
null = np.array([sim(rows(x), take(y, p)) for p in data['perms']])
boot = np.array([sim(take(x, i), take(y, i)) for i in data['picks']])
print(json.dumps({'observed': observed, 'null': null.tolist(), 'boot': boot.tolist()}))`;

describe('significance on the random-label nets', () => {
  it('fc: observed, noise floor and interval equal numpy given the same shuffles and resamples', async () => {
    const r = await runSignificance(index, { layer: 'fc', runs: [A, B], method: 'svcca', permutations: 30, bootstrap: 30, seed: 3 });
    expect(r.pairs).toHaveLength(1);
    const pair = r.pairs[0]!;
    const { perms, picks } = draws(500, 30, 30, 3);
    const ref = python<{ observed: number; null: number[]; boot: number[] }>(REFERENCE, { a: A, b: B, layer: 'fc', perms, picks });
    expect(pair.similarity).toBeCloseTo(ref.observed, 10);
    const sortedNull = [...ref.null].sort((u, v) => u - v);
    const nf = pair.noise_floor!;
    expect(nf.similarity).toBeCloseTo(ref.null.reduce((s, v) => s + v, 0) / 30, 10);
    expect(nf.q95).toBeCloseTo(quantile(sortedNull, 0.95), 10);
    expect(nf.max).toBeCloseTo(sortedNull[29]!, 10);
    expect(nf.p_value).toBeCloseTo((1 + ref.null.filter((v) => v >= ref.observed).length) / 31, 12);
    const sortedBoot = [...ref.boot].sort((u, v) => u - v);
    const mean = ref.boot.reduce((s, v) => s + v, 0) / 30;
    const iv = pair.interval!;
    expect(iv.percentile[0]).toBeCloseTo(quantile(sortedBoot, 0.025), 10);
    expect(iv.percentile[1]).toBeCloseTo(quantile(sortedBoot, 0.975), 10);
    expect(iv.low).toBeCloseTo(ref.observed + quantile(sortedBoot, 0.025) - mean, 10);
    expect(iv.high).toBeCloseTo(ref.observed + quantile(sortedBoot, 0.975) - mean, 10);
    expect(iv.bootstrap_shift).toBeCloseTo(mean - ref.observed, 10);
    // What a user reads: the two random-label nets' fc layers are far above their noise floor.
    expect(pair.similarity).toBeGreaterThan(nf.q99 + 0.1);
    expect(iv.low).toBeLessThan(pair.similarity);
    expect(iv.high).toBeGreaterThan(pair.similarity);
  });

  it('conv2 compared channel-wise moves whole datapoints (all 16 positions together)', async () => {
    const r = await runSignificance(index, { layer: 'conv2', runs: [A, B], method: 'svcca', permutations: 4, bootstrap: 3, seed: 11 });
    const { perms, picks } = draws(500, 4, 3, 11);
    const ref = python<{ observed: number; null: number[]; boot: number[] }>(REFERENCE, { a: A, b: B, layer: 'conv2', perms, picks });
    const pair = r.pairs[0]!;
    expect(pair.similarity).toBeCloseTo(ref.observed, 10);
    expect(pair.noise_floor!.similarity).toBeCloseTo(ref.null.reduce((s, v) => s + v, 0) / 4, 10);
    expect(pair.interval!.bootstrap_mean).toBeCloseTo(ref.boot.reduce((s, v) => s + v, 0) / 3, 10);
  });

  it('defaults to every pair of the runs holding the layer in a group', async () => {
    const r = await runSignificance(index, { layer: 'fc', group: 'random_lr0.01', method: 'pwcca', permutations: 5, bootstrap: 0 });
    expect(r.runs).toEqual([A, B]);
    expect(r.pairs[0]!.interval).toBeNull();
    expect(r.pairs[0]!.noise_floor!.shuffles).toBe(5);
  });
});

describe('significance on small cases', () => {
  const gaussian = (rows: number, cols: number, seed: number) => {
    const g = rng(seed);
    return matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => g.normal()));
  };

  it('independent layers sit inside their noise floor; a rotated copy is far above it', async () => {
    const x = gaussian(200, 5, 1);
    const noise = await significance(x, gaussian(200, 5, 2), { method: 'svcca', permutations: 50, bootstrap: 0 });
    expect(noise.noise_floor!.p_value).toBeGreaterThan(0.05);
    // y = x·Q for an orthogonal Q: same subspace, similarity 1.
    const y = matrix(200, 5);
    for (let r = 0; r < 200; r++) for (let j = 0; j < 5; j++) y.data[r * 5 + j] = x.data[r * 5 + ((j + 1) % 5)]! * (j % 2 ? -1 : 1);
    const same = await significance(x, y, { method: 'cka-debiased', permutations: 50, bootstrap: 10 });
    expect(same.similarity).toBeCloseTo(1, 12);
    expect(same.noise_floor!.p_value).toBeCloseTo(1 / 51, 12);
  });

  it('every method of the family runs; cka-rbf needs datapoints as rows', async () => {
    const x = gaussian(60, 4, 3);
    const y = gaussian(60, 4, 4);
    for (const method of ['cca', 'svcca', 'svcca-weighted', 'pwcca', 'cka', 'cka-debiased', 'cka-rbf'] as const) {
      const r = await significance(x, y, { method, permutations: 3, bootstrap: 2 });
      expect(Number.isFinite(r.similarity), method).toBe(true);
      expect(Number.isFinite(r.noise_floor!.similarity), method).toBe(true);
    }
    await expect(significance(matrix(120, 4, new Float64Array(480).map((_, i) => Math.sin(i))), matrix(120, 4, new Float64Array(480).map((_, i) => Math.cos(i * 1.3))), { method: 'cka-rbf', rowsPerDatapoint: 2 })).rejects.toThrow(UsageError);
  });
});
