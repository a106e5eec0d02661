/**
 * Flat clusters from the dendrogram against scipy's fcluster (maxclust and distance), ties included, and `matrix
 * --clusters / --cut` on the example workspace, where four clusters of fc are the two learning rates and the two
 * random-label nets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { averageLinkageFromSimilarity } from '../../../native/analyses/clustering.js';
import { clustersAtHeight, clustersByCount } from '../../../native/analyses/flat-clusters.js';
import { runMatrix } from '../../../native/compute/matrix.js';
import { UsageError } from '../../../native/errors.js';
import type { WorkspaceIndex } from '../../../native/index/index.js';
import { EXAMPLE, openIndexed, python, tempDir } from './helpers.js';

function similarity(n: number, seed: number, decimals: number): number[][] {
  let s = seed;
  const rand = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const group = Array.from({ length: n }, () => Math.floor(rand() * 3));
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : Number(((group[i] === group[j] ? 0.7 : 0.3) + 0.25 * rand()).toFixed(decimals)))));
}

/** Same partition: equal up to renumbering, and numbered in order of first appearance along `order`. */
function samePartition(a: number[], b: number[]): boolean {
  const map = new Map<number, number>();
  return a.every((x, i) => (map.has(x) ? map.get(x) === b[i] : (map.set(x, b[i]!), true))) && new Set(map.values()).size === map.size;
}

describe('flat clusters', () => {
  it('equal scipy fcluster by count and by height, tied heights included', () => {
    const cases = [
      { s: similarity(9, 1, 6), ks: [1, 2, 3, 4, 9, 12], ts: [0, 0.3, 0.45, 0.6, 2] },
      { s: similarity(12, 5, 1), ks: [2, 3, 5], ts: [0.35, 0.5] },
    ];
    for (const { s, ks, ts } of cases) {
      const { linkage, order } = averageLinkageFromSimilarity(s);
      const ref = python<{ k: number[][]; t: number[][] }>(
        `from scipy.cluster.hierarchy import fcluster
Z = np.array(data['Z'], dtype=float)
print(json.dumps({'k': [fcluster(Z, k, 'maxclust').tolist() for k in data['ks']], 't': [fcluster(Z, t, 'distance').tolist() for t in data['ts']]}))`,
        { Z: linkage, ks, ts },
      );
      ks.forEach((k, i) => {
        const got = clustersByCount(linkage, order, k);
        expect(samePartition(got.assignment, ref.k[i]!), `k=${k}: ${got.assignment} vs ${ref.k[i]}`).toBe(true);
        expect(got.members.length).toBeLessThanOrEqual(k);
      });
      ts.forEach((t, i) => expect(samePartition(clustersAtHeight(linkage, order, t).assignment, ref.t[i]!), `t=${t}`).toBe(true));
      // Numbered in leaf order.
      const flat = clustersByCount(linkage, order, 3);
      const firstSeen = order.map((leaf) => flat.assignment[leaf]!).filter((c, i, all) => all.indexOf(c) === i);
      expect(firstSeen).toEqual(firstSeen.map((_, i) => i));
    }
  });
});

describe('matrix --clusters / --cut on the example workspace', () => {
  let index: WorkspaceIndex;
  let cleanup: () => void;
  beforeAll(async () => {
    const t = tempDir('svcca-clusters-');
    cleanup = t.cleanup;
    index = await openIndexed(EXAMPLE, t.dir);
  });
  afterAll(() => {
    index.close();
    cleanup();
  });

  it('four clusters of fc (PWCCA): the true-label nets split by learning rate ([Morcos2018-PWCCA] sec. 3.3), each random-label net alone; a cut at that height agrees', async () => {
    const r = await runMatrix(index, { layer: 'fc', method: 'pwcca', clusters: 4 }, { cache: false });
    const c = r.clusters!;
    expect(c.by).toBe('count');
    const sets = c.members.map((m) => [...m].sort().join(' ')).sort();
    const names = (prefix: string, seeds: number[]): string => seeds.map((s) => `${prefix}_seed${s}`).join(' ');
    expect(sets).toEqual(
      [names('random_lr0.01', [2008]), names('random_lr0.01', [2009]), names('true_lr0.01', [2000, 2001, 2002, 2003]), names('true_lr0.1', [2004, 2005, 2006, 2007])].sort(),
    );
    c.assignment.forEach((k, i) => expect(c.members[k]).toContain(r.runs[i]));
    const cut = await runMatrix(index, { layer: 'fc', method: 'pwcca', cut: c.height }, { cache: false });
    expect(cut.clusters!.members).toEqual(c.members);
    expect(cut.clusters!.by).toBe('height');
    await expect(runMatrix(index, { layer: 'fc', method: 'pwcca', cut: 0.5, clusters: 2 })).rejects.toThrow(UsageError);
  });

  it('--conv mean: conv2 averaged over positions equals numpy CKA of the position means', async () => {
    const runs = ['true_lr0.01_seed2000', 'true_lr0.01_seed2001', 'random_lr0.01_seed2009'];
    const r = await runMatrix(index, { layer: 'conv2', method: 'cka', conv: 'mean', runs }, { cache: false });
    const ref = python<number[][]>(
      `steps = {'true_lr0.01_seed2000': 1260, 'true_lr0.01_seed2001': 1260, 'random_lr0.01_seed2009': 8400}
X = [run_layer(r, steps[r], 'conv2').mean(axis=(1, 2)) for r in data]
X = [x - x.mean(0) for x in X]
print(json.dumps([[float(np.linalg.norm(b.T @ a) ** 2 / (np.linalg.norm(a.T @ a) * np.linalg.norm(b.T @ b))) for b in X] for a in X]))`,
      runs,
    );
    r.matrix.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(ref[i]![j]!, 9)));
  });
});
