import { describe, expect, it } from 'vitest';
import { averageLinkage, averageLinkageFromSimilarity, condensedDistances, leavesList } from '../../../native/analyses/clustering.js';
import { runPython } from './python.js';
import { mulberry32 } from '../../../native/analyses/sampling.js';

/** scipy's own answer for the same condensed distances. */
const SCIPY = `
import json, sys
import numpy as np
from scipy.cluster.hierarchy import linkage, leaves_list
cases = json.load(sys.stdin)
out = []
for y in cases:
    Z = linkage(np.array(y, dtype=float), method='average')
    out.append({'Z': Z.tolist(), 'leaves': leaves_list(Z).tolist()})
print(json.dumps(out))
`;

const seeded = mulberry32;

/** An asymmetric similarity matrix with a few planted clusters, optionally rounded to force tied heights. */
function similarity(n: number, seed: number, decimals?: number): number[][] {
  const rand = seeded(seed);
  const group = Array.from({ length: n }, () => Math.floor(rand() * 3));
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      if (i === j) return 1;
      const v = (group[i] === group[j] ? 0.7 : 0.3) + 0.25 * rand();
      return decimals === undefined ? v : Number(v.toFixed(decimals));
    }),
  );
}

describe('average linkage (UPGMA) against scipy.cluster.hierarchy', () => {
  const cases = [
    { n: 2, seed: 1 },
    { n: 3, seed: 2 },
    { n: 10, seed: 3 },
    { n: 37, seed: 4 },
    { n: 60, seed: 5, decimals: 1 }, // many tied distances: the chain's tie rule decides the merges
    { n: 25, seed: 6, decimals: 2 },
  ];
  const matrices = cases.map((c) => similarity(c.n, c.seed, c.decimals));
  const condensed = matrices.map((s) => Array.from(condensedDistances(s)));
  const expected = runPython<Array<{ Z: number[][]; leaves: number[] }>>(SCIPY, condensed);

  cases.forEach((c, k) => {
    it(`n = ${c.n}${c.decimals === undefined ? '' : `, ties (${c.decimals} decimals)`}: same merges, heights and leaf order`, () => {
      const ours = averageLinkageFromSimilarity(matrices[k]!);
      const ref = expected[k]!;
      expect(ours.linkage.length).toBe(c.n - 1);
      ours.linkage.forEach((row, r) => {
        const z = ref.Z[r]!;
        expect([row[0], row[1], row[3]]).toEqual([z[0], z[1], z[3]]);
        expect(Math.abs(row[2] - z[2]!)).toBeLessThan(1e-12);
      });
      expect(ours.order).toEqual(ref.leaves);
    });
  });

  it('symmetrizes an asymmetric similarity by averaging both directions', () => {
    const s = [
      [1, 0.9, 0.1],
      [0.5, 1, 0.2],
      [0.3, 0.4, 1],
    ];
    expect(Array.from(condensedDistances(s))).toEqual([1 - 0.7, 1 - 0.2, 1 - 0.3]);
    const { linkage } = averageLinkageFromSimilarity(s);
    expect(linkage[0]).toEqual([0, 1, 1 - 0.7, 2]);
    // Second merge: {0,1} with 2 at the mean of d(0,2) = 0.8 and d(1,2) = 0.7.
    expect(linkage[1]![0]).toBe(2);
    expect(linkage[1]![1]).toBe(3);
    expect(linkage[1]![2]).toBeCloseTo(0.75, 15);
  });

  it('handles one and zero runs, and rejects a non-finite similarity', () => {
    expect(averageLinkage(new Float64Array(0), 1)).toEqual({ linkage: [], order: [0] });
    expect(averageLinkage(new Float64Array(0), 0)).toEqual({ linkage: [], order: [] });
    expect(leavesList([[0, 1, 0.5, 2]], 2)).toEqual([0, 1]);
    expect(() => condensedDistances([[1, Number.NaN], [0.5, 1]])).toThrow(/not finite/);
  });
});
