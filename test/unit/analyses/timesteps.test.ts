/**
 * Sequence layers ([Morcos2018-PWCCA] sec. 4, App. A.3): a (datapoints, timesteps, units) hidden state read with --layout ntc,
 * its timestep × timestep similarity against numpy, and the same array through dynamics (every timestep a row).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDynamics } from '../../../native/analyses/dynamics.js';
import { runTimesteps } from '../../../native/analyses/timesteps.js';
import { InputError, UsageError } from '../../../native/errors.js';
import type { WorkspaceIndex } from '../../../native/index/index.js';
import { loadLayer } from '../../../native/layers/index.js';
import { EXAMPLE, openIndexed, python, tempDir } from './helpers.js';

let index: WorkspaceIndex;
let cleanup: () => void;
let root: string;
beforeAll(async () => {
  const t = tempDir('svcca-timesteps-');
  cleanup = t.cleanup;
  root = t.dir;
  // A small tanh RNN over 8 timesteps, 150 sequences, 12 hidden units, saved at three training steps.
  python(`
rng = np.random.default_rng(11)
m, T, n, d = 150, 8, 12, 5
x = rng.standard_normal((m, T, d))
for s in [0, 50, 100]:
    W = rng.standard_normal((n, n)) * (0.3 + s / 200); U = rng.standard_normal((d, n))
    h = np.zeros((m, n)); hs = []
    for t in range(T):
        h = np.tanh(h @ W + x[:, t] @ U); hs.append(h)
    dd = f'${root}/rnn/step-{s:06d}'; os.makedirs(dd)
    np.save(f'{dd}/hidden.npy', np.stack(hs, axis=1).astype(np.float32))
print('null')`);
  index = await openIndexed(root, root, 'timesteps');
});
afterAll(() => {
  index.close();
  cleanup();
});

describe('sequence layers', () => {
  it('--layout ntc reads (m, T, n)', async () => {
    const spec = index.resolveLayer('rnn', 100, 'hidden').spec;
    const layer = await loadLayer(spec, { layout: 'ntc' });
    expect([layer.datapoints, layer.spatial, layer.channels]).toEqual([150, [1, 8], 12]);
  });

  it('timestep × timestep SVCCA and PWCCA equal numpy', async () => {
    for (const method of ['svcca', 'pwcca'] as const) {
      const r = await runTimesteps(index, { run: 'rnn', layer: 'hidden', method });
      expect(r.timesteps).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect([r.datapoints, r.units, r.length, r.step]).toEqual([150, 12, 8, 100]);
      const ref = python<number[][]>(
        `h = load(f'${root}/rnn/step-000100/hidden.npy')
def pw(x, y):
    xc = x - x.mean(0); qa, _ = basis(x); qb, _ = basis(y)
    u, rho, _ = np.linalg.svd(qa.T @ qb, full_matrices=False); a = np.abs((qa @ u).T @ xc).sum(1)
    return float((a / a.sum()) @ np.clip(rho, 0, 1))
f = (lambda x, y: svcca_all(x, y)[1]) if data == 'svcca' else pw
print(json.dumps([[1.0 if a == b else f(h[:, a], h[:, b]) for b in range(8)] for a in range(8)]))`,
        method,
      );
      r.matrix.forEach((row, a) => row.forEach((v, b) => expect(v, `${method} t${a} × t${b}`).toBeCloseTo(ref[a]![b]!, 9)));
    }
  });

  it('a subset of timesteps; errors for a timestep past the end and a dense layer', async () => {
    const r = await runTimesteps(index, { run: 'rnn', layer: 'hidden', timesteps: [0, 7], method: 'cka' });
    expect(r.matrix).toHaveLength(2);
    expect(r.matrix[0]![1]).toBeCloseTo(r.matrix[1]![0]!, 12);
    await expect(runTimesteps(index, { run: 'rnn', layer: 'hidden', timesteps: [8] })).rejects.toThrow(UsageError);
    const t = tempDir('svcca-timesteps-example-');
    const example = await openIndexed(EXAMPLE, t.dir);
    try {
      await expect(runTimesteps(example, { run: 'true_lr0.01_seed2000', layer: 'fc' })).rejects.toThrow(InputError);
      await expect(runTimesteps(example, { run: 'true_lr0.01_seed2000', layer: 'conv2', layout: 'ntc' })).rejects.toThrow(/4-D; a sequence layer/);
    } finally {
      example.close();
      t.cleanup();
    }
  });

  it('dynamics over training takes the sequence layer with every timestep as a row (numpy)', async () => {
    const r = await runDynamics(index, { run: 'rnn', layout: 'ntc', classSensitivity: false });
    const ref = python<number[]>(`L = lambda s: load(f'${root}/rnn/step-{s:06d}/hidden.npy').reshape(-1, 12)
print(json.dumps([svcca_all(L(s), L(100))[1] for s in [0, 50, 100]]))`);
    r.to_final['hidden']!.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 9));
  });
});
