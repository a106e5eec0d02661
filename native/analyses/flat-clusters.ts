/**
 * Flat clusters from an average-linkage dendrogram (clustering.ts), as scipy.cluster.hierarchy.fcluster forms them:
 *  - by height (`criterion='distance'`): every merge at height ≤ t is made, so runs in one cluster are joined below t;
 *  - by count (`criterion='maxclust'`): the lowest cut among the merge heights that leaves at most k clusters (tied
 *    heights can leave fewer than k, as in scipy).
 * Clusters are numbered 0, 1, … in the order their first run appears in the dendrogram's leaf order, so
 * neighbouring blocks of the clustered matrix get neighbouring numbers; `members` lists each cluster's runs in that
 * order. [Morcos2018-PWCCA] sec. 3.3 reads its clusters of learning rates off such a cut.
 */
import type { LinkageRow } from './clustering.js';

export interface FlatClusters {
  /** Cluster of each run, in the matrix's run order. */
  readonly assignment: number[];
  /** Each cluster's runs (indices into the run order), in leaf order. */
  readonly members: number[][];
  /** The height the cut was made at: every merge at or below it is inside a cluster. */
  readonly height: number;
}

export function clustersAtHeight(linkage: readonly LinkageRow[], order: readonly number[], height: number): FlatClusters {
  const n = order.length;
  const parent = Array.from({ length: 2 * n - 1 }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  linkage.forEach(([a, b, h], k) => {
    // Cluster n + k always exists as a node; it joins its children only when the cut is above its height.
    if (h <= height) {
      parent[find(a)] = n + k;
      parent[find(b)] = n + k;
    }
  });
  const label = new Map<number, number>();
  const assignment = new Array<number>(n);
  const members: number[][] = [];
  for (const leaf of order) {
    const root = find(leaf);
    if (!label.has(root)) {
      label.set(root, members.length);
      members.push([]);
    }
    assignment[leaf] = label.get(root)!;
    members[label.get(root)!]!.push(leaf);
  }
  return { assignment, members, height };
}

export function clustersByCount(linkage: readonly LinkageRow[], order: readonly number[], count: number): FlatClusters {
  const n = order.length;
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`cluster count must be a whole number ≥ 1, got ${count}`);
  if (count >= n || linkage.length === 0) return clustersAtHeight(linkage, order, -Infinity);
  const heights = [...new Set(linkage.map((row) => row[2]))].sort((a, b) => a - b);
  for (const h of heights) {
    const cut = clustersAtHeight(linkage, order, h);
    if (cut.members.length <= count) return cut;
  }
  return clustersAtHeight(linkage, order, heights[heights.length - 1]!);
}
