/**
 * The cross-network layers × layers grid ([Raghu2017-SVCCA] Fig. 7, [Raghu2017-SVCCA-ICMLW] Fig. 6): nets of different depths against numpy SVCCA on
 * a synthetic workspace, and the example workspace's nets, where each row's largest entry sits on the matching layer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGrid } from '../../../native/analyses/grid.js';
import { UsageError } from '../../../native/errors.js';
import type { WorkspaceIndex } from '../../../native/index/index.js';
import { EXAMPLE, openIndexed, PWCCA_PY, python, tempDir } from './helpers.js';

const GRID_PY = `${PWCCA_PY}
A = [layer_a(l) for l in data['layers_a']]; B = [layer_b(l) for l in data['layers_b']]
def cka(x, y):
    x = x - x.mean(0); y = y - y.mean(0)
    return float(np.linalg.norm(y.T @ x) ** 2 / (np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y)))
measure = {'pwcca': lambda x, y: pwcca(*pair_rows(x, y)), 'cka': lambda x, y: cka(*pair_rows(x, y)), 'svcca': lambda x, y: svcca_all(*pair_rows(x, y))[1]}[data['method']]
print(json.dumps([[measure(x, y) for y in B] for x in A]))`;

describe('grid on nets of different depths', () => {
  let index: WorkspaceIndex;
  let cleanup: () => void;
  let root: string;
  beforeAll(async () => {
    const t = tempDir('svcca-grid-');
    cleanup = t.cleanup;
    root = t.dir;
    // A: 3 dense layers; B: a conv layer (4×4 grid) and a dense one; all functions of the same 120 inputs.
    python(`
rng = np.random.default_rng(3)
x = rng.standard_normal((120, 10))
relu = lambda v: np.maximum(v, 0)
h1 = relu(x @ rng.standard_normal((10, 16))); h2 = relu(h1 @ rng.standard_normal((16, 12))); h3 = h2 @ rng.standard_normal((12, 6))
c = relu(np.einsum('md,dhwc->mhwc', x, rng.standard_normal((10, 4, 4, 5)))); g = relu(c.reshape(120, -1) @ rng.standard_normal((80, 8)))
for run, layers in [('a', {'h1': h1, 'h2': h2, 'h3': h3}), ('b', {'c': c, 'g': g})]:
    d = f'${root}/{run}/step-000010'; os.makedirs(d)
    json.dump({'layers': list(layers)}, open(f'${root}/{run}/run.json', 'w'))
    for k, v in layers.items(): np.save(f'{d}/{k}.npy', v)
print('null')`);
    index = await openIndexed(root, root, 'grid');
  });
  afterAll(() => {
    index.close();
    cleanup();
  });

  it('3 × 2 grid with relative depths; every entry equals numpy SVCCA (pooling rule included)', async () => {
    const r = await runGrid(index, { runs: ['a', 'b'], method: 'svcca' });
    expect(r.layers_a).toEqual(['h1', 'h2', 'h3']);
    expect(r.layers_b).toEqual(['c', 'g']);
    expect(r.depth_a).toEqual([1 / 3, 2 / 3, 1]);
    expect(r.depth_b).toEqual([0.5, 1]);
    const ref = python<number[][]>(`layer_a = lambda l: load(f'${root}/a/step-000010/{l}.npy')\nlayer_b = lambda l: load(f'${root}/b/step-000010/{l}.npy')\n${GRID_PY}`, r);
    r.grid.forEach((row, i) => row.forEach((v, j) => expect(v, `${r.layers_a[i]} × ${r.layers_b[j]}`).toBeCloseTo(ref[i]![j]!, 9)));
    expect(r.best_b).toEqual(r.grid.map((row) => row.indexOf(Math.max(...row))));
  });

  it('a net against itself is a grid with ones on the diagonal; a step it lacks is refused', async () => {
    const r = await runGrid(index, { runs: ['a', 'a'] });
    r.grid.forEach((row, i) => expect(row[i]).toBeCloseTo(1, 12));
    await expect(runGrid(index, { runs: ['a', 'nope'] })).rejects.toThrow(UsageError);
  });
});

describe('grid on the example workspace', () => {
  let index: WorkspaceIndex;
  let cleanup: () => void;
  beforeAll(async () => {
    const t = tempDir('svcca-grid-example-');
    cleanup = t.cleanup;
    index = await openIndexed(EXAMPLE, t.dir);
  });
  afterAll(() => {
    index.close();
    cleanup();
  });

  for (const [a, b] of [
    ['true_lr0.01_seed2000', 'true_lr0.01_seed2001'],
    ['true_lr0.01_seed2000', 'true_lr0.1_seed2004'],
  ] as const) {
    it(`${a} × ${b}: CKA (the default) and PWCCA equal numpy; CKA's conv row peaks on the matching layer`, async () => {
      const r = await runGrid(index, { runs: [a, b] });
      expect(r.method).toBe('cka');
      for (const grid of [r, await runGrid(index, { runs: [a, b], method: 'pwcca' })]) {
        const ref = python<number[][]>(`layer_a = lambda l: run_layer('${a}', 1260, l)\nlayer_b = lambda l: run_layer('${b}', 1260, l)\n${GRID_PY}`, grid);
        grid.grid.forEach((row, i) => row.forEach((v, j) => expect(v, `${grid.method} ${grid.layers_a[i]} × ${grid.layers_b[j]}`).toBeCloseTo(ref[i]![j]!, 9)));
      }
      expect(r.best_b[0]).toBe(0);
    });
  }

  it('over all 45 pairs of the example\'s nets, the conv row\'s largest CKA entry is conv2', async () => {
    const names = index.listRuns().map((r) => r.name);
    expect(names).toHaveLength(10);
    const misses: string[] = [];
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        const r = await runGrid(index, { runs: [names[i]!, names[j]!] });
        if (r.best_b[0] !== 0) misses.push(`${names[i]} × ${names[j]}`);
      }
    }
    expect(misses).toEqual([]);
  }, 120_000);
});
