import { describe, expect, it } from 'vitest';
import { groupStats, groupValue, MISSING_VALUE } from '../../../native/analyses/group-stats.js';
import { mulberry32 } from '../../../native/analyses/sampling.js';
import { runPython } from './python.js';

/** Exact permutation p by brute force over all label permutations (itertools), deduplicated as assignments. */
const EXACT = `
import json, sys, itertools
import numpy as np
d = json.load(sys.stdin)
S = np.array(d['S']); lab = d['labels']; n = len(lab)
P = (S + S.T) / 2
iu = np.triu_indices(n, 1)
def stat(l):
    l = np.array(l)
    same = (l[iu[0]] == l[iu[1]])
    return P[iu][same].mean() - P[iu][~same].mean(), P[iu][same].mean(), P[iu][~same].mean()
t0, w, b = stat(lab)
seen = set(itertools.permutations(lab))
hits = sum(1 for p in seen if stat(p)[0] >= t0 - 1e-12)
print(json.dumps({'p': hits / len(seen), 'count': len(seen), 'within': w, 'between': b}))
`;

function planted(groups: number[], strength: number, seed: number): number[][] {
  const rand = mulberry32(seed);
  const n = groups.length;
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0.4 + (groups[i] === groups[j] ? strength : 0) + 0.2 * rand())),
  );
}

describe('within/between group statistics with a permutation test', () => {
  it('enumerates small designs exactly and matches a brute-force python count', () => {
    const labels = ['true', 'true', 'true', 'true', 'true', 'random', 'random', 'lr', 'lr'];
    const groups = labels.map((l) => ['true', 'random', 'lr'].indexOf(l));
    const S = planted(groups, 0.15, 7);
    const runs = labels.map((_, i) => `run${i}`);
    const ours = groupStats(runs, labels, S, 'labels', { permutations: 9999 });
    const ref = runPython<{ p: number; count: number; within: number; between: number }>(EXACT, { S, labels });
    expect(ours.exact).toBe(true);
    expect(ours.permutations).toBe(ref.count); // 9! / (5! 2! 2!) = 756
    expect(ours.p_value).toBeCloseTo(ref.p, 12);
    expect(ours.within_mean).toBeCloseTo(ref.within, 12);
    expect(ours.between_mean).toBeCloseTo(ref.between, 12);
    expect(ours.groups.map((g) => g.value)).toEqual(['lr', 'random', 'true']);
    expect(ours.groups.find((g) => g.value === 'random')!.runs).toEqual(['run5', 'run6']);
  });

  it('finds planted groups significant and exchangeable ones not', () => {
    const groups = Array.from({ length: 30 }, (_, i) => i % 3);
    const labels = groups.map(String);
    const runs = labels.map((_, i) => `r${i}`);
    const strong = groupStats(runs, labels, planted(groups, 0.2, 1), 'g', { permutations: 999 });
    expect(strong.exact).toBe(false);
    expect(strong.permutations).toBe(1000);
    expect(strong.p_value).toBe(1 / 1000); // nothing beats the planted labeling
    const none = groupStats(runs, labels, planted(groups, 0, 1), 'g', { permutations: 999 });
    expect(none.p_value!).toBeGreaterThan(0.05);
  });

  it('is reproducible for a seed and a Monte Carlo p close to the exact one', () => {
    const labels = ['a', 'a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b', 'b'];
    const S = planted(labels.map((l) => (l === 'a' ? 0 : 1)), 0.03, 11);
    const runs = labels.map((_, i) => `r${i}`);
    const exact = groupStats(runs, labels, S, 'k', { permutations: 5000 }); // 12!/(6!6!) = 924 ≤ 5000
    const mc1 = groupStats(runs, labels, S, 'k', { permutations: 400, seed: 3 });
    const mc2 = groupStats(runs, labels, S, 'k', { permutations: 400, seed: 3 });
    expect(exact.exact).toBe(true);
    expect(mc1.exact).toBe(false);
    expect(mc1.p_value).toBe(mc2.p_value);
    // Binomial standard error at 401 draws is at most 0.025; allow 4 of them.
    expect(Math.abs(mc1.p_value! - exact.p_value!)).toBeLessThan(0.1);
  });

  it('reports null statistics when there is no between (or no within) pair', () => {
    const one = groupStats(['a', 'b', 'c'], ['x', 'x', 'x'], planted([0, 0, 0], 0, 1), 'k');
    expect(one.between_mean).toBeNull();
    expect(one.p_value).toBeNull();
    const singletons = groupStats(['a', 'b'], ['x', 'y'], planted([0, 1], 0, 1), 'k');
    expect(singletons.within_mean).toBeNull();
    expect(singletons.p_value).toBeNull();
  });

  it('labels runs by a run.json value, missing keys as their own group', () => {
    expect(groupValue({ labels: 'random' }, 'labels')).toBe('random');
    expect(groupValue({ lr: 0.01 }, 'lr')).toBe('0.01');
    expect(groupValue({}, 'lr')).toBe(MISSING_VALUE);
  });
});
