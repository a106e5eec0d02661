/**
 * `--pwcca-compat reference` pinned against a step-by-step numpy re-implementation of the public reference code's
 * compute_pwcca (reference_measures.reference_pwcca), where the reference is well-defined (nonsingular covariances).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { centerColumns } from '../../../native/linalg/util.js';
import type { Matrix } from '../../../native/linalg/matrix.js';
import { compareMatrices } from '../../../native/measures/compare.js';
import { pwccaReference, SIGN_NOTE } from '../../../native/measures/pwcca-reference.js';
import { maxAbs, python, toNested } from '../linalg/helpers.js';
import { layerPairs } from './cases.js';

interface Ref {
  similarity: number;
  weights: number[];
  coefficients: number[];
  side: 'A' | 'B';
}

interface Job {
  readonly a: Matrix;
  readonly b: Matrix;
  readonly eps: number;
  readonly flip: boolean;
}

/** Every reference computation of this file in one python run (its start-up costs a second). */
function references(jobs: readonly Job[]): Ref[] {
  return python<Ref[]>(
    `import sys; sys.path.insert(0, 'test/unit/measures'); import reference_measures as R
out = [R.reference_pwcca(np.array(j['a']), np.array(j['b']), j['eps'], flip=j['flip']) for j in inp['jobs']]`,
    { jobs: jobs.map((j) => ({ a: toNested(j.a), b: toNested(j.b), eps: j.eps, flip: j.flip })) },
  );
}

const [random, , , dead] = layerPairs();
const cases: Array<[string, Matrix, Matrix]> = [
  ['A narrower: weights from A', random!.b, random!.a],
  ['A wider: weights from B (the else-branch)', random!.a, random!.b],
  ['dead and near-constant neurons', dead!.a, dead!.b],
];

const EPSILONS = [1e-10, 1e-3];
const centeredJobs = cases.flatMap(([, a, b]) => EPSILONS.map((eps) => ({ a: centerColumns(a), b: centerColumns(b), eps, flip: false })));
const rawJobs = cases.map(([, a, b]) => ({ a, b, eps: 1e-10, flip: true }));

describe('pwcca --pwcca-compat reference', () => {
  let refs: Ref[] = [];
  beforeAll(() => {
    refs = references([...centeredJobs, ...rawJobs]);
  });

  it.each(cases.map((c, i) => [c[0], i] as const))('zero-mean neurons, %s: equals the reference exactly (epsilon 1e-10 and 1e-3)', async (_label, i) => {
    for (let e = 0; e < EPSILONS.length; e++) {
      const job = centeredJobs[i * EPSILONS.length + e]!;
      const ours = await pwccaReference(job.a, job.b, { epsilon: job.eps });
      const ref = refs[i * EPSILONS.length + e]!;
      expect(ours['weights_side']).toBe(ref.side);
      expect(Math.abs(ours.similarity - ref.similarity)).toBeLessThan(1e-9);
      expect(maxAbs(ours['weights'] as number[], ref.weights)).toBeLessThan(1e-9);
      expect(maxAbs(ours.coefficients, ref.coefficients)).toBeLessThan(1e-9);
    }
  });

  it.each(cases.map((c, i) => [c[0], i] as const))('raw activations, %s: equals the reference under svd_flip signs', async (_label, i) => {
    const { a, b } = rawJobs[i]!;
    const ours = await compareMatrices(a, b, { method: 'pwcca', pwccaCompat: 'reference' });
    const ref = refs[centeredJobs.length + i]!;
    expect(Math.abs(ours.similarity - ref.similarity)).toBeLessThan(1e-9);
    expect(maxAbs(ours['weights'] as number[], ref.weights)).toBeLessThan(1e-9);
  });

  it('differs from the paper definition (that is why it is opt-in) and stays finite where the reference is NaN', async () => {
    const { a, b } = random!;
    const paper = await compareMatrices(a, b, { method: 'pwcca' });
    const compat = await compareMatrices(a, b, { method: 'pwcca', pwccaCompat: 'reference' });
    expect(Math.abs(paper.similarity - compat.similarity)).toBeGreaterThan(1e-4);
    const dup = layerPairs()[1]!;
    const nan = python<number>(
      `import sys, warnings; sys.path.insert(0, 'test/unit/measures'); import reference_measures as R
warnings.simplefilter('ignore')
try:
    out = R.reference_pwcca(np.array(inp['a']), np.array(inp['b']), 0.0)['similarity']
except np.linalg.LinAlgError:
    out = float('nan')`,
      { a: toNested(dup.a), b: toNested(dup.b) },
    );
    expect(Number.isNaN(nan)).toBe(true);
    const ours = await pwccaReference(dup.a, dup.b, { epsilon: 0 });
    expect(Number.isFinite(ours.similarity)).toBe(true);
    expect((ours['weights'] as number[]).every(Number.isFinite)).toBe(true);
  });

  it('says when its value depends on the signs LAPACK gives the singular vectors (non-zero neuron means), and only then', async () => {
    const { a, b } = random!;
    const values = python<{ raw: number[]; centered: number[] }>(
      `import sys; sys.path.insert(0, 'test/unit/measures'); import reference_measures as R
a, b, ac, bc = (np.array(inp[k]) for k in ('a', 'b', 'ac', 'bc'))
out = {'raw': [R.reference_pwcca(b, a, 1e-10, flip=True, negate_first=n)['similarity'] for n in (False, True)],
       'centered': [R.reference_pwcca(bc, ac, 1e-10, flip=True, negate_first=n)['similarity'] for n in (False, True)]}`,
      { a: toNested(a), b: toNested(b), ac: toNested(centerColumns(a)), bc: toNested(centerColumns(b)) },
    );
    // The reference itself: one flipped singular-vector pair moves its value when the means are not zero.
    expect(Math.abs(values.raw[0]! - values.raw[1]!)).toBeGreaterThan(1e-4);
    expect(Math.abs(values.centered[0]! - values.centered[1]!)).toBeLessThan(1e-12);
    const raw = await compareMatrices(b, a, { method: 'pwcca', pwccaCompat: 'reference' });
    expect(raw.note).toBe(SIGN_NOTE);
    expect(Math.abs(raw.similarity - values.raw[0]!)).toBeLessThan(1e-9);
    const centered = await compareMatrices(centerColumns(b), centerColumns(a), { method: 'pwcca', pwccaCompat: 'reference' });
    expect(centered.note).toBeUndefined();
  });
});
