/**
 * Stable vs unstable directions ([Morcos2018-PWCCA] Fig. 1): every value against an independent float64 numpy computation, on a
 * small synthetic run and on the example workspace, where the directions that converged early stay above the ones
 * that did not after the middle checkpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStability } from '../../../native/analyses/stability.js';
import { InputError, UsageError } from '../../../native/errors.js';
import type { WorkspaceIndex } from '../../../native/index/index.js';
import type { StabilityResult } from '../../../native/domain/index.js';
import { EXAMPLE, openIndexed, python, tempDir } from './helpers.js';

/** numpy: rank early's variates against mid, then S / B against every step, and every step against the last. */
const REFERENCE = `
def rows(x):
    return x.reshape(-1, x.shape[-1]) if x.ndim == 4 else x
steps, top = data['steps'], data['top']
L = {s: rows(layer_at(s)) for s in steps}
qa, _ = basis(L[data['early']]); qb, _ = basis(L[data['mid']])
u, rho, _ = np.linalg.svd(qa.T @ qb, full_matrices=False)
h = qa @ u; c = len(rho)
S, B = h[:, :top], h[:, c - top:]
Q = {s: basis(L[s])[0] for s in steps}
sv = lambda m: np.clip(np.linalg.svd(m, compute_uv=False), 0, 1)
print(json.dumps({'ranking': rho.tolist(), 'stable': [float(sv(S.T @ Q[s]).mean()) for s in steps],
  'unstable': [float(sv(B.T @ Q[s]).mean()) for s in steps], 'coefficients': [sv(Q[s].T @ Q[steps[-1]]).tolist() for s in steps]}))`;

function expectMatches(r: StabilityResult, ref: { ranking: number[]; stable: number[]; unstable: number[]; coefficients: number[][] }): void {
  expect(r.ranking.length).toBe(ref.ranking.length);
  r.ranking.forEach((v, i) => expect(v).toBeCloseTo(ref.ranking[i]!, 9));
  r.stable.forEach((v, i) => expect(v, `stable at ${r.steps[i]}`).toBeCloseTo(ref.stable[i]!, 8));
  r.unstable.forEach((v, i) => expect(v, `unstable at ${r.steps[i]}`).toBeCloseTo(ref.unstable[i]!, 8));
  r.coefficients.forEach((row, t) => {
    expect(row.length).toBe(ref.coefficients[t]!.length);
    row.forEach((v, i) => expect(v).toBeCloseTo(ref.coefficients[t]![i]!, 8));
  });
}

describe('stability on a small synthetic run', () => {
  let index: WorkspaceIndex;
  let cleanup: () => void;
  let root: string;
  beforeAll(async () => {
    const t = tempDir('svcca-stability-');
    cleanup = t.cleanup;
    root = t.dir;
    // A layer of 12 units over 4 checkpoints: 4 directions shared by every checkpoint, the rest redrawn each time.
    python(`
rng = np.random.default_rng(7)
m = 150
signal = rng.standard_normal((m, 4))
for s in [0, 10, 20, 40]:
    d = f'${root}/net/step-{s:06d}'; os.makedirs(d)
    x = np.hstack([signal @ rng.standard_normal((4, 4)), rng.standard_normal((m, 8))]) @ rng.standard_normal((12, 12))
    np.save(f'{d}/h.npy', x)
print('null')`);
    index = await openIndexed(root, root, 'stability');
  });
  afterAll(() => {
    index.close();
    cleanup();
  });

  it('defaults: early = second checkpoint, mid nearest T/2, K = a quarter; values equal numpy', async () => {
    const r = await runStability(index, { run: 'net', layer: 'h' });
    expect([r.early, r.mid, r.top, r.final]).toEqual([10, 20, 3, 40]);
    expect(r.steps).toEqual([0, 10, 20, 40]);
    const ref = python<Parameters<typeof expectMatches>[1]>(`layer_at = lambda s: load(f'${root}/net/step-{s:06d}/h.npy')\n${REFERENCE}`, r);
    expectMatches(r, ref);
    // The shared directions correlate fully with every checkpoint; the worst ones do not.
    for (let t = 0; t < r.steps.length; t++) expect(r.stable[t]!).toBeGreaterThan(0.99);
    expect(r.unstable[3]!).toBeLessThan(0.6);
  });

  it('refuses a --top larger than half the directions and a mid before early', async () => {
    await expect(runStability(index, { run: 'net', layer: 'h', top: 7 })).rejects.toThrow(UsageError);
    await expect(runStability(index, { run: 'net', layer: 'h', early: 20, mid: 10 })).rejects.toThrow(/must come after/);
    await expect(runStability(index, { run: 'net', layer: 'h', early: 11 })).rejects.toThrow(InputError);
  });
});

describe('stability on the example workspace', () => {
  let index: WorkspaceIndex;
  let cleanup: () => void;
  beforeAll(async () => {
    const t = tempDir('svcca-stability-example-');
    cleanup = t.cleanup;
    index = await openIndexed(EXAMPLE, t.dir);
  });
  afterAll(() => {
    index.close();
    cleanup();
  });

  for (const [run, layer, conv] of [
    ['true_lr0.01_seed2000', 'fc', 'channels'],
    ['true_lr0.01_seed2000', 'conv2', 'channels'],
    ['random_lr0.01_seed2008', 'fc', 'channels'],
  ] as const) {
    it(`${run} ${layer}: equals numpy, and stable directions stay above unstable ones after the middle step`, async () => {
      const r = await runStability(index, { run, layer, conv });
      const ref = python<Parameters<typeof expectMatches>[1]>(`layer_at = lambda s: run_layer(data['run'], s, data['layer'])\n${REFERENCE}`, r);
      expectMatches(r, ref);
      const mid = r.steps.indexOf(r.mid);
      for (let t = mid + 1; t < r.steps.length; t++) expect(r.stable[t]!, `step ${r.steps[t]}`).toBeGreaterThan(r.unstable[t]!);
      expect(r.stable[r.steps.indexOf(r.early)]).toBeCloseTo(1, 9);
    });
  }

  it('--conv mean and flatten are accepted; a layer with one checkpoint is refused', async () => {
    const r = await runStability(index, { run: 'true_lr0.01_seed2000', layer: 'conv2', conv: 'mean', top: 2 });
    expect(r.ranking).toHaveLength(16);
    await expect(runStability(index, { run: 'true_lr0.01_seed2001', layer: 'fc' })).rejects.toThrow(/at least 3/);
  });
});
