/**
 * The measure descriptors (native/domain/measures.ts) state facts about each measure that all-pairs jobs and option
 * checks rely on: each fact is checked here against the measure itself, computed in full.
 */
import { describe, expect, it } from 'vitest';
import { checkMeasureChoice, MEASURES, METHODS } from '../../../native/domain/index.js';
import { matrix, type Matrix } from '../../../native/linalg/matrix.js';
import { compareMatrices, type BasisMethod } from '../../../native/measures/compare.js';
import { randomMatrix } from '../linalg/helpers.js';

/** B: a noisy linear mix of A plus its own directions, so no measure is trivially 1 or symmetric by accident. */
function related(a: Matrix, width: number, seed: number): Matrix {
  const mix = randomMatrix(a.cols, width, seed);
  const noise = randomMatrix(a.rows, width, seed + 1);
  const b = matrix(a.rows, width);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < width; j++) {
      let s = 0.8 * noise.data[i * width + j]!;
      for (let k = 0; k < a.cols; k++) s += a.data[i * a.cols + k]! * mix.data[k * width + j]!;
      b.data[i * width + j] = s;
    }
  }
  return b;
}

const basisMethods = METHODS.filter((m): m is BasisMethod => m !== 'dft-cca');
const a = randomMatrix(300, 12, 11);
const b = related(a, 9, 21);

describe('measure descriptors', () => {
  it.each(basisMethods)('%s: `symmetric` says whether value(A, B) = value(B, A)', async (method) => {
    const ab = (await compareMatrices(a, b, { method })).similarity;
    const ba = (await compareMatrices(b, a, { method })).similarity;
    if (MEASURES[method].symmetric) expect(ba).toBeCloseTo(ab, 12);
    else expect(Math.abs(ba - ab)).toBeGreaterThan(1e-4);
  });

  it.each(basisMethods)('%s: `selfValue` is what the full computation gives for a layer against itself', async (method) => {
    const copy = matrix(a.rows, a.cols, Float64Array.from(a.data));
    expect((await compareMatrices(a, copy, { method })).similarity).toBeCloseTo(MEASURES[method].selfValue, 10);
  });

  it.each(basisMethods)('%s: `truncatable` says whether --dims is taken', async (method) => {
    const run = compareMatrices(a, b, { method, dims: 5 });
    if (MEASURES[method].truncatable) expect((await run).dims).toEqual([5, 5]);
    else await expect(run).rejects.toThrow(/do not apply/);
  });

  it('`dftCapable` and truncation rules are refused in one wording', () => {
    for (const method of METHODS) {
      const check = (): void => checkMeasureChoice({ method, conv: 'dft' });
      if (MEASURES[method].dftCapable) expect(check).not.toThrow();
      else expect(check).toThrow(/--conv dft runs cca, svcca, pwcca on the frequency blocks/);
    }
    expect(() => checkMeasureChoice({ method: 'svcca', keep: 0.9, dims: 3 })).toThrow('give either --keep or --dims, not both');
    expect(() => checkMeasureChoice({ method: 'dft-cca', conv: 'channels' })).toThrow(/--method dft-cca .* not --conv channels/);
  });
});
