import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { layoutDendrogram } from '../../../renderer/src/shaping/dendrogram.js';
import type { Linkage } from '../../../renderer/src/shaping/dendrogram.js';

/** scipy's own linkage and dendrogram layout for random points: the independent reference. */
function scipyReference(n: number, seed: number): { linkage: Linkage; leaves: number[]; icoord: number[][]; dcoord: number[][] } {
  const script = `
import json, numpy as np
from scipy.cluster.hierarchy import linkage, dendrogram
rng = np.random.default_rng(${seed})
Z = linkage(rng.normal(size=(${n}, 4)), method='average')
d = dendrogram(Z, no_plot=True)
print(json.dumps({"linkage": Z.tolist(), "leaves": d["leaves"], "icoord": d["icoord"], "dcoord": d["dcoord"]}))
`;
  return JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8' }));
}

describe('layoutDendrogram', () => {
  it('gives scipy dendrogram leaf order and link coordinates for an average-linkage tree of 40 points', () => {
    const ref = scipyReference(40, 7);
    const layout = layoutDendrogram(ref.linkage, 40);
    expect(layout.order).toEqual(ref.leaves);
    // scipy draws leaf i at 10·i + 5; links are [x1, x1, x2, x2] and heights [y1, h, h, y2].
    const ours = layout.links.map((l) => [l.x1 * 10, l.x2 * 10, l.y1, l.height, l.y2].map((v) => Number(v.toFixed(9))));
    const theirs = ref.icoord.map((ic, i) => [ic[0]!, ic[2]!, ref.dcoord[i]![0]!, ref.dcoord[i]![1]!, ref.dcoord[i]![3]!].map((v) => Number(v.toFixed(9))));
    expect(new Set(ours.map((l) => JSON.stringify(l)))).toEqual(new Set(theirs.map((l) => JSON.stringify(l))));
    expect(layout.maxHeight).toBeCloseTo(Math.max(...ref.linkage.map((r) => r[2])), 12);
  });

  it('walks a 3000-leaf chain without recursion', () => {
    const n = 3000;
    const chain: Array<[number, number, number, number]> = [[0, 1, 1, 2]];
    for (let i = 2; i < n; i++) chain.push([n + i - 2, i, i, i + 1]);
    const layout = layoutDendrogram(chain, n);
    expect(layout.order).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('refuses a linkage of the wrong size or one that misses leaves', () => {
    expect(() => layoutDendrogram([[0, 1, 1, 2]], 3)).toThrow(/2 rows/);
    expect(() => layoutDendrogram([[0, 0, 1, 2], [3, 1, 2, 3]], 3)).toThrow(/every leaf/);
  });
});
