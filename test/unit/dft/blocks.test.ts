/**
 * The bookkeeping of the frequency blocks: which classes exist and how often each counts (dft-spatial.ts), and how
 * many directions each block keeps (dft-select.ts). Expected values are worked out by hand in the comments.
 */
import { describe, expect, it } from 'vitest';
import { keptPerBlock } from '../../../native/measures/dft-select.js';
import { greatestCommonDivisor, shiftLattice } from '../../../native/measures/dft-spatial.js';

describe('shiftLattice', () => {
  it('same size 4×4: 16 frequencies = 4 self-conjugate + 6 conjugate pairs; members are the frequency itself', () => {
    const l = shiftLattice([4, 4], [4, 4]);
    expect(l.rule).toBe('same-size');
    expect(l.lattice).toEqual([4, 4]);
    expect(l.classes.length).toBe(10);
    expect(l.classes.reduce((s, c) => s + c.multiplicity, 0)).toBe(16);
    expect(l.classes.filter((c) => c.multiplicity === 1).map((c) => c.frequency)).toEqual([[0, 0], [0, 2], [2, 0], [2, 2]]);
    const c12 = l.classes.find((c) => c.frequency[0] === 1 && c.frequency[1] === 2)!;
    expect(c12.conjugate).toEqual([3, 2]);
    expect(Array.from(c12.a)).toEqual([1 * 4 + 2]);
    expect(l.classes[0]!.isZero).toBe(true);
  });

  it('odd 5×3: only (0,0) is self-conjugate; 15 = 1 + 2·7', () => {
    const l = shiftLattice([5, 3], [5, 3]);
    expect(l.classes.length).toBe(8);
    expect(l.classes.filter((c) => c.multiplicity === 1).length).toBe(1);
  });

  it('8×8 against 4×4: lattice 4×4, A holds the 4 aliases of each class, B one frequency', () => {
    const l = shiftLattice([8, 8], [4, 4]);
    expect(l.rule).toBe('common-shifts');
    expect(l.lattice).toEqual([4, 4]);
    expect(l.stepA).toEqual([2, 2]);
    expect(l.stepB).toEqual([1, 1]);
    const c = l.classes.find((x) => x.frequency[0] === 1 && x.frequency[1] === 3)!;
    // u ∈ {1, 5}, v ∈ {3, 7} of the 8×8 map.
    expect(Array.from(c.a)).toEqual([1 * 8 + 3, 1 * 8 + 7, 5 * 8 + 3, 5 * 8 + 7]);
    expect(Array.from(c.b)).toEqual([1 * 4 + 3]);
  });

  it('coprime 5×5 against 3×3: one class holding every frequency of both', () => {
    const l = shiftLattice([5, 5], [3, 3]);
    expect(l.lattice).toEqual([1, 1]);
    expect(l.classes.length).toBe(1);
    expect(l.classes[0]!.a.length).toBe(25);
    expect(l.classes[0]!.b.length).toBe(9);
    expect(greatestCommonDivisor(12, 18)).toBe(6);
  });
});

describe('keptPerBlock', () => {
  // Block 0 self-conjugate (multiplicity 1), block 1 a conjugate pair (2). σ = √λ.
  const values = [Float64Array.from([16, 4, 1e-20]), Float64Array.from([9, 1])];
  const mult = [1, 2];

  it('rank: everything above the cut-off', () => {
    expect(Array.from(keptPerBlock(values, mult, 1e-12, { kind: 'rank' }))).toEqual([2, 2]);
  });

  it('keep: σ sorted 4 | 3 3 | 2 | 1 1 (total 14); 0.5 → 4 + 3 + 3 = 10 ≥ 7 after the pair', () => {
    // Dense SVCCA would stop after 4 + 3 = 7 ≥ 7 — in the middle of the pair; the pair is kept whole.
    expect(Array.from(keptPerBlock(values, mult, 1e-12, { kind: 'keep', keep: 0.5 }))).toEqual([1, 1]);
    // 0.8 · 14 = 11.2: 4, 3, 3 (10), 2 (12) → blocks [2, 1].
    expect(Array.from(keptPerBlock(values, mult, 1e-12, { kind: 'keep', keep: 0.8 }))).toEqual([2, 1]);
    expect(Array.from(keptPerBlock(values, mult, 1e-12, { kind: 'keep', keep: 1 }))).toEqual([2, 2]);
  });

  it('dims: 2 would split the pair, so 3 directions are kept; 4 takes the next one', () => {
    expect(Array.from(keptPerBlock(values, mult, 1e-12, { kind: 'dims', dims: 2 }))).toEqual([1, 1]);
    expect(Array.from(keptPerBlock(values, mult, 1e-12, { kind: 'dims', dims: 4 }))).toEqual([2, 1]);
  });
});
