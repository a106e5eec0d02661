/**
 * Similarity against what a run achieved ([Morcos2018-PWCCA] Fig. 4b): the statistics against scipy on small samples, and the
 * whole analysis against an independent numpy PWCCA on the example workspace, where nets that generalize (high probe
 * accuracy) are more similar to the others than nets that memorize: the correlation is positive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCorrelate } from '../../../native/analyses/correlate.js';
import { correlationStats, ranks } from '../../../native/analyses/correlation.js';
import { InputError } from '../../../native/errors.js';
import type { WorkspaceIndex } from '../../../native/index/index.js';
import { EXAMPLE, openIndexed, PWCCA_PY, python, tempDir } from './helpers.js';

describe('correlation statistics', () => {
  it('Pearson, Spearman (ties averaged) and their p-values equal scipy', () => {
    const cases = [
      [[1, 2, 3, 4, 5, 6], [2.1, 3.9, 6.2, 7.8, 10.1, 11.7]],
      [[0.3, 0.1, 0.4, 0.1, 0.5, 0.9, 0.2], [1, 1, 2, 3, 5, 8, 13]],
      [[5, 3, 8, 1], [0.2, 0.9, 0.4, 0.3]],
    ];
    const ref = python<Array<[number, number, number, number]>>(
      `from scipy import stats
print(json.dumps([[*stats.pearsonr(x, y), *stats.spearmanr(x, y)] for x, y in data]))`,
      cases,
    );
    cases.forEach(([x, y], k) => {
      const s = correlationStats(x!, y!);
      const [r, p, rho, ps] = ref[k]!;
      expect(s.pearson).toBeCloseTo(r, 12);
      expect(s.p_value!).toBeCloseTo(p, 10);
      expect(s.spearman).toBeCloseTo(rho, 12);
      expect(s.spearman_p_value!).toBeCloseTo(ps, 10);
    });
    expect(ranks([3, 1, 3, 2])).toEqual([3.5, 1, 3.5, 2]);
    expect(correlationStats([1, 2], [3, 4]).pearson).toBeNull();
    expect(correlationStats([1, 1, 1], [3, 4, 5]).pearson).toBeNull();
  });
});

describe('correlate on the example workspace', () => {
  let index: WorkspaceIndex;
  let cleanup: () => void;
  beforeAll(async () => {
    const t = tempDir('svcca-correlate-');
    cleanup = t.cleanup;
    index = await openIndexed(EXAMPLE, t.dir);
  });
  afterAll(() => {
    index.close();
    cleanup();
  });

  it('fc, probe_acc at each run\'s last checkpoint: PWCCA means equal numpy; the correlation is positive', async () => {
    const r = await runCorrelate(index, { layer: 'fc', metric: 'probe_acc' });
    expect(r.runs).toHaveLength(10);
    expect(r.source).toBe('metrics');
    expect(r.method).toBe('pwcca');
    const ref = python<{ mean: number[]; acc: number[]; r: number; p: number; rho: number }>(
      `${PWCCA_PY}
from scipy import stats
L = [run_layer(run, s, 'fc') for run, s in zip(data['runs'], data['steps'])]
n = len(L)
S = [[pwcca(L[i], L[j]) if i != j else 1.0 for j in range(n)] for i in range(n)]
mean = [sum((S[i][j] + S[j][i]) / 2 for j in range(n) if j != i) / (n - 1) for i in range(n)]
acc = [json.load(open(f'{WORKSPACE}/{run}/run.json'))['metrics'][-1]['probe_acc'] for run in data['runs']]
r, p = stats.pearsonr(mean, acc); rho, _ = stats.spearmanr(mean, acc)
print(json.dumps({'mean': mean, 'acc': acc, 'r': r, 'p': p, 'rho': rho}))`,
      r,
    );
    r.mean_similarity.forEach((v, i) => expect(v, r.runs[i]).toBeCloseTo(ref.mean[i]!, 9));
    expect(r.metric_values).toEqual(ref.acc);
    expect(r.pearson!).toBeCloseTo(ref.r, 9);
    expect(r.p_value!).toBeCloseTo(ref.p, 9);
    expect(r.spearman!).toBeCloseTo(ref.rho, 9);
    expect(r.pearson!).toBeGreaterThan(0.5);
    expect(r.p_value!).toBeLessThan(0.05);
  });

  it('a run.json key (lr) and a metric at a step only some runs have (skipped, then too few)', async () => {
    const lr = await runCorrelate(index, { layer: 'logits', metric: 'lr', method: 'svcca', runs: ['true_lr0.01_seed2000', 'true_lr0.01_seed2001', 'true_lr0.1_seed2004', 'true_lr0.1_seed2005'] });
    expect(lr.source).toBe('run.json');
    expect(lr.metric_values).toEqual([0.01, 0.01, 0.1, 0.1]);
    await expect(runCorrelate(index, { layer: 'fc', metric: 'probe_acc', step: 79, runs: ['true_lr0.01_seed2000', 'true_lr0.1_seed2004'] })).rejects.toThrow(InputError);
    await expect(runCorrelate(index, { layer: 'fc', metric: 'no_such_key' })).rejects.toThrow(/only 0 run/);
  });
});
