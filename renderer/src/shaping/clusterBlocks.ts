/**
 * Flat clusters as boxes on an ordered matrix: the runs of one cluster that sit next to each other in the display
 * order form one block [from, to) along the diagonal. A cluster split by the order (never for clusters cut from the
 * same tree that orders the matrix) gives several blocks.
 */
export interface Block {
  from: number;
  to: number;
  cluster: number;
}

/** `assignment[run]`: the run's cluster; `order[k]`: the run shown at position k. */
export function clusterBlocks(assignment: readonly number[], order: readonly number[]): Block[] {
  const blocks: Block[] = [];
  order.forEach((run, k) => {
    const cluster = assignment[run];
    if (cluster === undefined) return;
    const last = blocks[blocks.length - 1];
    if (last && last.cluster === cluster && last.to === k) last.to = k + 1;
    else blocks.push({ from: k, to: k + 1, cluster });
  });
  return blocks;
}
