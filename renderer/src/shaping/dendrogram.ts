/**
 * Dendrogram layout from a scipy-style linkage (rows [left, right, height, size]; ids < n are leaves, id n + i is
 * the cluster made at row i). Returns the leaf order (left to right, as scipy's `dendrogram` draws it) and the
 * U-shaped links in leaf-position units, so the same layout can be drawn on a canvas or as SVG paths.
 */
export type Linkage = ReadonlyArray<readonly [number, number, number, number]>;

export interface DendrogramLink {
  /** Positions of the two children along the leaf axis (leaf i of the order sits at i + 0.5). */
  x1: number;
  x2: number;
  /** Heights of the two children (0 for leaves) and of the merge. */
  y1: number;
  y2: number;
  height: number;
}

export interface DendrogramLayout {
  order: number[];
  links: DendrogramLink[];
  maxHeight: number;
}

export function layoutDendrogram(linkage: Linkage, n: number): DendrogramLayout {
  if (linkage.length !== Math.max(0, n - 1)) throw new RangeError(`a linkage of ${n} leaves has ${n - 1} rows, got ${linkage.length}`);
  if (n === 0) return { order: [], links: [], maxHeight: 0 };
  if (n === 1) return { order: [0], links: [], maxHeight: 0 };
  // Leaf order by an explicit-stack depth-first walk from the root (recursion could overflow on chains of 1000s).
  const order: number[] = [];
  const stack = [2 * n - 2];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id < n) {
      order.push(id);
      continue;
    }
    const row = linkage[id - n];
    if (!row) throw new RangeError(`linkage refers to cluster ${id}, which does not exist`);
    stack.push(row[1], row[0]);
  }
  if (order.length !== n || new Set(order).size !== n) throw new RangeError('linkage does not cover every leaf exactly once');
  const position = new Float64Array(2 * n - 1);
  const height = new Float64Array(2 * n - 1);
  order.forEach((leaf, i) => (position[leaf] = i + 0.5));
  const links: DendrogramLink[] = [];
  let maxHeight = 0;
  linkage.forEach(([left, right, h], i) => {
    const id = n + i;
    position[id] = (position[left]! + position[right]!) / 2;
    height[id] = h;
    maxHeight = Math.max(maxHeight, h);
    links.push({ x1: position[left]!, x2: position[right]!, y1: height[left]!, y2: height[right]!, height: h });
  });
  return { order, links, maxHeight };
}
