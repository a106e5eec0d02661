import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BasisSpool, isSpooled, readSpooled, unspool } from '../../../native/compute/spool.js';
import { matrix } from '../../../native/linalg/matrix.js';
import { prepareBasis } from '../../../native/measures/prepare.js';
import { rng } from './npy.js';

describe('BasisSpool (bases handed to workers as files)', () => {
  it('writes each basis once, reads it back bit for bit, and removes its directory on dispose', async () => {
    const r = rng(5);
    const bases = await Promise.all([0, 1].map(async (i) => prepareBasis(matrix(30, 4, Float64Array.from({ length: 120 }, () => r.normal())), { ref: `layer ${i}` })));
    const spool = new BasisSpool();
    const [first, again, second] = await Promise.all([spool.entry(bases[0]!), spool.entry(bases[0]!), spool.entry(bases[1]!)]);
    expect(again).toBe(first);
    expect(second!.spooled).not.toBe(first!.spooled);
    expect(isSpooled(first)).toBe(true);
    expect(isSpooled(bases[0])).toBe(false);
    const back = readSpooled(first!);
    expect(back.ref).toBe('layer 0');
    expect(Array.from(back.basis)).toEqual(Array.from(bases[0]!.basis));
    expect(Array.from(back.coordinates)).toEqual(Array.from(bases[0]!.coordinates));
    const mixed = unspool([second!, bases[0]!]);
    expect(mixed[0]!.ref).toBe('layer 1');
    expect(mixed[1]).toBe(bases[0]);
    const directory = dirname(first!.spooled);
    await spool.dispose();
    expect(existsSync(directory)).toBe(false);
    expect(() => readSpooled(first!)).toThrow(/ENOENT/);
  });
});
