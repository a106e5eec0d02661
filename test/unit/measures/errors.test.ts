import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../../native/errors.js';
import { compareMatrices } from '../../../native/measures/compare.js';
import { randomMatrix } from '../linalg/helpers.js';

const refs = { refA: 'a.npy', refB: 'b.npy' };

describe('compare errors', () => {
  it('unequal datapoints name the second file', async () => {
    await expect(compareMatrices(randomMatrix(30, 4, 1), randomMatrix(31, 4, 2), { method: 'cca', ...refs })).rejects.toThrow(
      /^b\.npy: has 31 datapoints but a\.npy has 30/,
    );
    await expect(compareMatrices(randomMatrix(30, 4, 1), randomMatrix(31, 4, 2), { method: 'pwcca', pwccaCompat: 'reference', ...refs })).rejects.toThrow(InputError);
  });

  it.each(['cca', 'pwcca'] as const)('%s is degenerate when a layer keeps ≥ as many neurons as datapoints (or spans all m − 1 dimensions)', async (method) => {
    const wide = randomMatrix(20, 25, 3);
    const full = randomMatrix(20, 19, 4); // rank 19 = m − 1 after centering
    const other = randomMatrix(20, 5, 5);
    for (const [a, b] of [[wide, other], [other, wide], [full, other]]) {
      const err = await compareMatrices(a!, b!, { method, ...refs }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect(String((err as Error).message)).toMatch(/degenerate.*every coefficient is 1.*--method svcca.*--dims/);
    }
    // reducing with --dims, or svcca, is fine
    expect((await compareMatrices(wide, other, { method, dims: 5, ...refs })).dims).toEqual([5, 5]);
    expect(Number.isFinite((await compareMatrices(wide, other, { method: 'svcca', ...refs })).similarity)).toBe(true);
  });

  it('--dims beyond a layer’s numerical rank is an input error naming that layer', async () => {
    await expect(compareMatrices(randomMatrix(50, 8, 6), randomMatrix(50, 3, 7), { method: 'svcca', dims: 4, ...refs })).rejects.toThrow(
      /^b\.npy: --dims 4 exceeds the layer's numerical rank 3/,
    );
  });

  it('rejects option combinations that mean nothing', async () => {
    const a = randomMatrix(30, 4, 8);
    const b = randomMatrix(30, 3, 9);
    const bad = [
      { method: 'cca', keep: 0.9, dims: 2 },
      { method: 'cca', pwccaCompat: 'reference' },
      { method: 'pwcca', pwccaCompat: 'reference', dims: 2 },
      { method: 'cka', dims: 2 },
      { method: 'svcca', keep: 1.5 },
      { method: 'nope' },
    ] as const;
    for (const options of bad) await expect(compareMatrices(a, b, options as never)).rejects.toThrow(UsageError);
  });
});
