/**
 * Small synthetic workspaces written by numpy, where the answers are known: a dense net whose layers follow from
 * its saved weights (ReLU inferred), a head named by --next-weights, weights that do not match the activations,
 * a group of two runs, and a `final` checkpoint folder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCompress } from '../../../native/analyses/compression.js';
import { runDynamics } from '../../../native/analyses/dynamics.js';
import { runGroupDynamics } from '../../../native/analyses/group-dynamics.js';
import type { WorkspaceIndex } from '../../../native/index/index.js';
import { openIndexed, python, tempDir } from './helpers.js';

let root: string;
let cleanup: () => void;
let index: WorkspaceIndex;
let truth: { accuracy: Record<string, number>; head_accuracy: number };

beforeAll(async () => {
  const t = tempDir('svcca-analyses-synthetic-');
  root = t.dir;
  cleanup = t.cleanup;
  truth = python(
    String.raw`
import os
root = data['root']
rs = np.random.RandomState(3)
m = 120
labels = rs.randint(0, 3, size=m)
np.save(f'{root}/probe_labels.npy', labels.astype(np.int64))
def save_st(path, tensors):
    header, blobs, off = {}, [], 0
    for k, v in tensors.items():
        b = np.ascontiguousarray(v, dtype='<f8').tobytes()
        header[k] = {'dtype': 'F64', 'shape': list(v.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b); off += len(b)
    h = json.dumps(header).encode()
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h))); f.write(h); f.write(b''.join(blobs))
acc = {}
x = rs.randn(m, 4) + np.eye(3)[labels] @ rs.randn(3, 4) * 2
for run, seed, steps, broken in [('r1', 1, ['step-000000', 'step-000010', 'step-000100'], False),
                                 ('r2', 2, ['step-000000', 'step-000010', 'step-000100'], False),
                                 ('bad', 3, ['step-000005'], True),
                                 ('fin', 4, ['step-000000', 'final'], False)]:
    r = np.random.RandomState(seed)
    meta = {'name': run, 'group': 'g' if run in ('r1', 'r2') else 'other', 'layers': ['h1', 'h2', 'out'], 'metrics': []}
    for i, step in enumerate(steps):
        d = f'{root}/{run}/{step}'; os.makedirs(d)
        w1 = r.randn(6, 4) * (1 + i); h1 = x @ w1.T
        w2 = r.randn(5, 6); b2 = r.randn(5); h2 = np.maximum(h1 @ w2.T + b2, 0)
        w3 = r.randn(3, 5); b3 = r.randn(3); out = h2 @ w3.T + b3
        head_w = r.randn(3, 5); head_b = r.randn(3)
        for name, a in (('h1', h1), ('h2', h2), ('out', out)):
            np.save(f'{d}/{name}.npy', a)
        save_st(f'{d}/weights.safetensors', {'h1.weight': w1, 'h2.weight': w2, 'h2.bias': b2, 'out.weight': (w3 + 1 if broken else w3), 'out.bias': b3,
                                             'head.weight': head_w, 'head.bias': head_b})
        a = float(np.mean(out.argmax(1) == labels))
        acc[f'{run}/{step}'] = a
        s = 1000 if step == 'final' else int(step[5:])
        meta['metrics'].append({'step': s, 'probe_acc': a})
        if run == 'r1' and step == 'step-000100':
            head = float(np.mean((h2 @ head_w.T + head_b).argmax(1) == labels))
    with open(f'{root}/{run}/run.json', 'w') as f:
        json.dump(meta, f)
print(json.dumps({'accuracy': acc, 'head_accuracy': head}))`,
    { root },
  );
  index = await openIndexed(root, root, 'synthetic');
});
afterAll(() => {
  index.close();
  cleanup();
});

describe('compression preview on a synthetic dense net', () => {
  it('rebuilds h2 = ReLU(h1·W2ᵀ + b2) and out = h2·W3ᵀ + b3 from the weights; k = n is the net itself', async () => {
    const r = await runCompress(index, { run: 'r1', layer: 'h1', draws: 2 });
    expect(r.next_layers.map((s) => [s.name, s.activation])).toEqual([['h2', 'relu'], ['out', 'identity']]);
    expect(r.next_layers.every((s) => s.mismatch! < 1e-12)).toBe(true);
    expect(r.full_accuracy).toBe(truth.accuracy['r1/step-000100']);
    expect(r.run_json_accuracy).toBe(truth.accuracy['r1/step-000100']);
    expect(r.n).toBe(6);
    // h1 = x·W1ᵀ has rank 4: four directions already carry everything.
    for (const name of ['svd', 'svcca']) expect(r.accuracy[name]![3]).toBe(r.full_accuracy);
  });

  it('--next-weights names a head that is not a layer: its output is the prediction', async () => {
    const r = await runCompress(index, { run: 'r1', layer: 'h2', nextWeights: 'head', draws: 1 });
    expect(r.next_layers.map((s) => [s.name, s.activation, s.mismatch])).toEqual([['head', 'identity', null]]);
    expect(r.full_accuracy).toBe(truth.head_accuracy);
  });

  it('weights that do not produce the saved activations are reported, not guessed around', async () => {
    await expect(runCompress(index, { run: 'bad', layer: 'h2' })).rejects.toThrow(/out\.npy: cannot rebuild this layer/);
  });
});

describe('dynamics on synthetic runs', () => {
  it('a group averages its runs checkpoint by checkpoint', async () => {
    const [a, b] = await Promise.all([runDynamics(index, { run: 'r1' }), runDynamics(index, { run: 'r2' })]);
    const g = await runGroupDynamics(index, { group: 'g' });
    expect(g.runs).toEqual(['r1', 'r2']);
    expect(g.steps).toEqual([0, 10, 100]);
    for (const layer of g.layers) {
      g.to_final[layer]!.forEach((v, s) => expect(v).toBeCloseTo((a.to_final[layer]![s]! + b.to_final[layer]![s]!) / 2, 14));
      g.to_final_sd[layer]!.forEach((v, s) => expect(v).toBeCloseTo(Math.abs(a.to_final[layer]![s]! - b.to_final[layer]![s]!) / Math.SQRT2, 14));
    }
    g.tensor[0]!.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo((a.tensor[0]![i]![j]! + b.tensor[0]![i]![j]!) / 2, 14)));
  });

  it('a `final` folder is the last checkpoint; the freeze hint counts training to run.json\'s last step', async () => {
    const r = await runDynamics(index, { run: 'fin', threshold: 0.01 });
    expect(r.steps).toEqual([0, 'final']);
    expect(r.reference).toBe('final');
    expect(r.freeze_hint!.total_steps).toBe(1000);
    expect(r.converged_at['h1']).toBe(0);
  });
});
