import { describe, expect, it } from 'vitest';
import { clusterBlocks } from '../../../renderer/src/shaping/clusterBlocks.js';

describe('clusterBlocks', () => {
  it('one block per run of equal clusters in the display order', () => {
    // Runs 0..5; shown in the order 4 0 2 | 1 5 | 3.
    const assignment = [1, 2, 1, 3, 1, 2];
    expect(clusterBlocks(assignment, [4, 0, 2, 1, 5, 3])).toEqual([
      { from: 0, to: 3, cluster: 1 },
      { from: 3, to: 5, cluster: 2 },
      { from: 5, to: 6, cluster: 3 },
    ]);
  });

  it('a cluster the order splits gives two blocks; singletons are blocks of one', () => {
    expect(clusterBlocks([1, 2, 1], [0, 1, 2])).toEqual([
      { from: 0, to: 1, cluster: 1 },
      { from: 1, to: 2, cluster: 2 },
      { from: 2, to: 3, cluster: 1 },
    ]);
    expect(clusterBlocks([], [])).toEqual([]);
  });
});
