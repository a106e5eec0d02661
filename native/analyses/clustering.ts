/**
 * Average-linkage (UPGMA) hierarchical clustering of runs from a similarity matrix, in scipy's conventions so a
 * user can check any figure against `scipy.cluster.hierarchy.linkage(y, method='average')` and `leaves_list`.
 *
 * Distance: d(i, j) = 1 − (S[i][j] + S[j][i]) / 2. Similarity measures like PWCCA are not symmetric
 * ([Morcos2018-PWCCA], footnote 6: a pseudo-distance); averaging both directions is the symmetric part, and a
 * clustering needs one distance per pair. The diagonal is never read.
 *
 * Algorithm: the nearest-neighbour chain (Murtagh 1983; Müllner, "Modern hierarchical, agglomerative clustering
 * algorithms", 2011), exactly as scipy runs it for 'average': O(n²) time on a condensed distance array, merges
 * recorded in chain order, then stably sorted by height and relabelled with a union-find so that merge k creates
 * cluster n + k and each row lists the smaller cluster id first. Following the same steps (including which element
 * the chain prefers on ties) is what makes the output identical to scipy's even when heights tie.
 */

/** One merge: [left cluster, right cluster, height, size of the new cluster]; ids ≥ n are earlier merges. */
export type LinkageRow = [number, number, number, number];

export interface Clustering {
  /** n − 1 merges in increasing height (scipy's linkage matrix Z). */
  readonly linkage: LinkageRow[];
  /** Leaves in dendrogram order (scipy's leaves_list(Z)): similar runs sit next to each other. */
  readonly order: number[];
}

/** The symmetric distance 1 − (S + Sᵀ)/2 as scipy's condensed vector (pairs i < j, row by row). */
export function condensedDistances(similarity: readonly (readonly number[])[]): Float64Array {
  const n = similarity.length;
  const out = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const row = similarity[i]!;
    if (row.length !== n) throw new RangeError(`similarity matrix row ${i} has ${row.length} entries, expected ${n}`);
    for (let j = i + 1; j < n; j++) {
      const d = 1 - (row[j]! + similarity[j]![i]!) / 2;
      if (!Number.isFinite(d)) throw new RangeError(`similarity[${i}][${j}] is not finite`);
      out[k++] = d;
    }
  }
  return out;
}

export function averageLinkageFromSimilarity(similarity: readonly (readonly number[])[]): Clustering {
  return averageLinkage(condensedDistances(similarity), similarity.length);
}

/** UPGMA on a condensed distance vector of n points. */
export function averageLinkage(condensed: Float64Array, n: number): Clustering {
  if (condensed.length !== (n * (n - 1)) / 2) throw new RangeError(`condensed distances: ${condensed.length} values for ${n} points`);
  if (n === 0) return { linkage: [], order: [] };
  if (n === 1) return { linkage: [], order: [0] };
  const d = Float64Array.from(condensed);
  const at = (i: number, j: number): number => {
    // scipy's condensed_index: pairs (i < j) row by row.
    const [a, b] = i < j ? [i, j] : [j, i];
    return n * a - (a * (a + 1)) / 2 + (b - a - 1);
  };
  const size = new Int32Array(n).fill(1);
  const chain = new Int32Array(n);
  let chainLength = 0;
  const merges: LinkageRow[] = [];

  for (let k = 0; k < n - 1; k++) {
    if (chainLength === 0) {
      chainLength = 1;
      for (let i = 0; i < n; i++) {
        if (size[i]! > 0) {
          chain[0] = i;
          break;
        }
      }
    }
    let x = 0;
    let y = 0;
    let currentMin = Infinity;
    // Walk nearest neighbours until two clusters are each other's nearest.
    for (;;) {
      x = chain[chainLength - 1]!;
      // Prefer the previous chain element on ties, so the chain cannot cycle.
      if (chainLength > 1) {
        y = chain[chainLength - 2]!;
        currentMin = d[at(x, y)]!;
      } else {
        currentMin = Infinity;
      }
      for (let i = 0; i < n; i++) {
        if (size[i] === 0 || i === x) continue;
        const dist = d[at(x, i)]!;
        if (dist < currentMin) {
          currentMin = dist;
          y = i;
        }
      }
      if (chainLength > 1 && y === chain[chainLength - 2]) break;
      chain[chainLength++] = y;
    }
    chainLength -= 2;
    if (x > y) [x, y] = [y, x];
    const nx = size[x]!;
    const ny = size[y]!;
    merges.push([x, y, currentMin, nx + ny]);
    size[x] = 0;
    size[y] = nx + ny;
    // Lance–Williams update for average linkage: the size-weighted mean of the two old distances.
    for (let i = 0; i < n; i++) {
      const ni = size[i]!;
      if (ni === 0 || i === y) continue;
      d[at(i, y)] = (nx * d[at(i, x)]! + ny * d[at(i, y)]!) / (nx + ny);
    }
  }

  // Stable sort by height (scipy: argsort kind='mergesort'), then relabel merges as clusters n, n+1, …
  const sorted = merges.map((row, index) => ({ row, index })).sort((a, b) => a.row[2] - b.row[2] || a.index - b.index);
  const linkage = relabel(sorted.map((s) => s.row), n);
  return { linkage, order: leavesList(linkage, n) };
}

/** Union-find relabelling (scipy's `label`): each row gets the current roots, smaller id first, and its size. */
function relabel(rows: LinkageRow[], n: number): LinkageRow[] {
  const parent = new Int32Array(2 * n - 1);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const sizes = new Int32Array(2 * n - 1).fill(1);
  const find = (x: number): number => {
    let root = x;
    while (parent[root] !== root) root = parent[root]!;
    while (parent[x] !== root) {
      const next = parent[x]!;
      parent[x] = root;
      x = next;
    }
    return root;
  };
  let next = n;
  return rows.map(([a, b, height]) => {
    const ra = find(a);
    const rb = find(b);
    const merged = next++;
    parent[ra] = merged;
    parent[rb] = merged;
    sizes[merged] = sizes[ra]! + sizes[rb]!;
    return [Math.min(ra, rb), Math.max(ra, rb), height, sizes[merged]!];
  });
}

/** Pre-order leaves of the dendrogram, left child first (scipy's leaves_list). */
export function leavesList(linkage: readonly LinkageRow[], n: number): number[] {
  if (n === 1) return [0];
  const order: number[] = [];
  const stack = [n + linkage.length - 1];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node < n) {
      order.push(node);
      continue;
    }
    const [left, right] = linkage[node - n]!;
    stack.push(right, left);
  }
  return order;
}
