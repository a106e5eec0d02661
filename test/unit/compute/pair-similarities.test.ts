import { describe, expect, it } from 'vitest';
import { pairSimilarities } from '../../../native/compute/jobs.js';
import { compareBases, type CompareOptions } from '../../../native/measures/compare.js';
import { prepareBasis } from '../../../native/measures/prepare.js';
import { randomMatrix } from '../linalg/helpers.js';

describe('pairSimilarities (one cross product per unordered pair)', async () => {
  // Three layers of different widths over the same 120 datapoints; the third shares directions with the first.
  const x = randomMatrix(120, 9, 71);
  const y = randomMatrix(120, 6, 72);
  const z = randomMatrix(120, 7, 73);
  for (let r = 0; r < 120; r++) for (let j = 0; j < 4; j++) z.data[r * 7 + j]! += x.data[r * 9 + j]!;
  // Two more of x's width (equal widths: B's directions come from the pair's one decomposition), one of them
  // holding five of x's neurons slightly perturbed (five correlations near 1). Not exact copies: tied correlations
  // leave PWCCA's weights depending on which basis of their common subspace a solver returns (the paper's
  // definition sums |projections|, which no rotation preserves), so no two routes need agree there.
  const w = randomMatrix(120, 9, 74);
  const v = randomMatrix(120, 9, 75);
  for (let r = 0; r < 120; r++) for (let j = 0; j < 5; j++) v.data[r * 9 + j] = x.data[r * 9 + j]! + 0.05 * v.data[r * 9 + j]!;
  const bases = await Promise.all([x, y, z, w, v].map((m, i) => prepareBasis(m, { ref: `layer ${i}` })));
  const all: number[] = [];
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) all.push(i, j);
  // Reverse pairs far apart, a lone pair without its reverse, and the diagonal.
  const scattered = [0, 1, 2, 2, 1, 2, 2, 0, 1, 0, 0, 2, 1, 1, 3, 0, 4, 3, 0, 4, 3, 4, 0, 3];

  it.each<[string, CompareOptions]>([
    ['pwcca (asymmetric)', { method: 'pwcca' }],
    ['svcca keep 0.8 (each side truncated differently)', { method: 'svcca', keep: 0.8 }],
    ['svcca-weighted dims 3', { method: 'svcca-weighted', dims: 3 }],
    ['cca', { method: 'cca' }],
    ['cka', { method: 'cka' }],
    ['svcca-weighted (default keep)', { method: 'svcca-weighted' }],
  ])('%s: every entry equals the pair compared on its own', async (_label, options) => {
    for (const list of [all, scattered]) {
      const pairs = Int32Array.from(list);
      const got = await pairSimilarities({ bases, pairs, options }, { signal: new AbortController().signal, progress: () => undefined });
      for (let t = 0; t < pairs.length / 2; t++) {
        const alone = await compareBases(bases[pairs[2 * t]!]!, bases[pairs[2 * t + 1]!]!, options);
        expect(got[t]).toBeCloseTo(alone.similarity, 13);
      }
    }
  });
});

describe('pairSimilarities: a layer with itself', async () => {
  const x = randomMatrix(60, 5, 81);
  const bases = [await prepareBasis(x, { ref: 'x' })];
  it('is exactly 1, and the checks the pair step makes still run', async () => {
    const context = { signal: new AbortController().signal, progress: () => undefined };
    for (const method of ['cca', 'svcca', 'svcca-weighted', 'pwcca', 'cka'] as const) {
      const got = await pairSimilarities({ bases, pairs: Int32Array.of(0, 0), options: { method } }, context);
      expect(got[0]).toBe(1);
    }
    await expect(pairSimilarities({ bases, pairs: Int32Array.of(0, 0), options: { method: 'svcca', dims: 6 } }, context)).rejects.toThrow(/--dims 6 exceeds/);
  });
});
