/**
 * The compression preview on the example workspace: the full network reproduces run.json's probe accuracy, every
 * projection is the identity at k = n, and every curve equals an independent numpy computation of
 * (W Pᵀ)(P x) through the rest of the network.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCompress, savingsAt, smallestKWithin, type RunCompressResult } from '../../../native/analyses/compression.js';
import { permutation, randomStream } from '../../../native/analyses/sampling.js';
import { InputError, UsageError } from '../../../native/errors.js';
import type { WorkspaceIndex } from '../../../native/index/index.js';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE, openIndexed, python, tempDir } from './helpers.js';

let index: WorkspaceIndex;
let cleanup: () => void;
let scratch: string;
const RUN = 'true_lr0.01_seed2000';
let fc: RunCompressResult;
let conv2: RunCompressResult;

beforeAll(async () => {
  const t = tempDir('svcca-compress-');
  cleanup = t.cleanup;
  scratch = t.dir;
  index = await openIndexed(EXAMPLE, t.dir);
  fc = await runCompress(index, { run: RUN, layer: 'fc', draws: 3, seed: 7, against: 'true_lr0.01_seed2001' });
  conv2 = await runCompress(index, { run: RUN, layer: 'conv2', draws: 2, seed: 5 });
});
afterAll(() => {
  index.close();
  conv1Index?.close();
  cleanup();
});

/** numpy: accuracy of (W Pᵀ)(P x) at the k in `ks`, each projection built its own way (SVD of the spans). */
const REFERENCE = String.raw`
run, step, layer, rest, KS = data['run'], data['step'], data['layer'], data['rest'], data['ks']
w = safetensors(f'{WORKSPACE}/{run}/step-{step:06d}/weights.safetensors')
labels = np.load(f'{WORKSPACE}/probe_labels.npy')
x = run_layer(run, step, layer)
m = x.shape[0]
x = x.reshape(m, -1)
n = x.shape[1]
def finish(z):
    out = np.maximum(z, 0) if rest[0][1] == 'relu' else z
    for name, act in rest[1:]:
        out = out @ w[name + '.weight'].T + w[name + '.bias']
        out = np.maximum(out, 0) if act == 'relu' else out
    return out
first = rest[0][0]
W, b = w[first + '.weight'], w[first + '.bias']
full = finish(x @ W.T + b).argmax(axis=1)
mu = x.mean(axis=0)
xc = x - mu
def accuracy(h):
    xk = mu + h @ (h.T @ xc)
    return float(np.mean(finish(xk @ W.T + b).argmax(axis=1) == labels))
def orth(cols):
    if cols.shape[1] == 0:
        return cols
    u, s, _ = np.linalg.svd(cols, full_matrices=False)
    return u[:, : int(np.sum(s > 1e-9 * s[0]))]
out = {'full': float(np.mean(full == labels))}
# SVD: the top-k left singular vectors of the centered layer.
u, s, _ = np.linalg.svd(xc, full_matrices=False)
r = int(np.sum(s ** 2 > EPS * max(xc.shape) * s[0] ** 2))
out['svd'] = [accuracy(u[:, :min(k, r)]) for k in KS]
# Neuron subsets: the span of the first k centered neurons of an order (least-squares reconstruction of the rest).
def neuron_curve(order):
    return [accuracy(orth(xc[:, order[:k]])) for k in KS]
score = np.abs(x).mean(axis=0)
out['max_activation'] = neuron_curve(sorted(range(n), key=lambda j: (-score[j], j)))
out['random'] = list(np.mean([neuron_curve(p) for p in data['perms']], axis=0))
# SVCCA against the logits: canonical variates of the layer by correlation, then its singular directions.
logits = finish(x @ W.T + b)
qa, sa = basis(x, epsilon=0)
qb, sb = basis(logits)
ka, kb = keep_dims(sa), keep_dims(sb)
uu, rho, _ = np.linalg.svd(qa[:, :ka].T @ qb[:, :kb], full_matrices=False)
variates = qa[:, :ka] @ uu
# Tied correlations (within 1e-6): the group's directions by the layer's variance inside their span.
start = 0
while start < len(rho):
    end = start + 1
    while end < len(rho) and rho[end - 1] - rho[end] <= 1e-6:
        end += 1
    if end - start > 1:
        g = variates[:, start:end]
        rot, _, _ = np.linalg.svd(g.T @ xc, full_matrices=False)
        variates[:, start:end] = g @ rot
    start = end
candidates = np.hstack([variates, qa])
taken = np.zeros((m, 0))
for j in range(candidates.shape[1]):
    c = candidates[:, j:j+1]
    resid = c - taken @ (taken.T @ c)
    if np.linalg.norm(resid) > 1e-9 * np.linalg.norm(c):
        taken = np.hstack([taken, resid / np.linalg.norm(resid)])
out['svcca'] = [accuracy(taken[:, :min(k, taken.shape[1])]) for k in KS]
out['rho'] = rho.tolist()
print(json.dumps(out))`;

/**
 * The example leaves conv1's activations out; for a layer whose next layer is a conv layer, a copy of the run's last
 * checkpoint gets a conv1.npy of the right shape (numpy noise: only the refusal is tested) and conv1 in run.json.
 */
let conv1Index: WorkspaceIndex | undefined;
async function withConv1(): Promise<WorkspaceIndex> {
  if (conv1Index) return conv1Index;
  const root = join(scratch, 'with-conv1');
  cpSync(join(EXAMPLE, 'probe_labels.npy'), join(root, 'probe_labels.npy'));
  cpSync(join(EXAMPLE, RUN, 'step-001260'), join(root, RUN, 'step-001260'), { recursive: true });
  const meta = JSON.parse(readFileSync(join(EXAMPLE, RUN, 'run.json'), 'utf8')) as { layers: string[]; steps_saved: number[] };
  writeFileSync(join(root, RUN, 'run.json'), JSON.stringify({ ...meta, layers: ['conv1', ...meta.layers], steps_saved: [1260] }));
  execFileSync('python3', ['-c', 'import sys, numpy as np; np.save(sys.argv[1], np.random.RandomState(0).rand(500, 8, 8, 8).astype("<f4"))', join(root, RUN, 'step-001260', 'conv1.npy')]);
  conv1Index = await openIndexed(root, scratch, 'with-conv1');
  return conv1Index;
}

function permutationsOf(n: number, draws: number, seed: number): number[][] {
  const random = randomStream(seed);
  return Array.from({ length: draws }, () => Array.from(permutation(n, random)));
}

describe('compression preview on the example workspace', () => {
  it('has the contract fields; the full network reproduces the probe accuracy run.json stores', () => {
    for (const r of [fc, conv2]) {
      expect(Object.keys(r).slice(0, 8)).toEqual(['run', 'layer', 'step', 'n', 'full_accuracy', 'k', 'accuracy', 'smallest_k_within_half_point']);
      expect(r.full_accuracy).toBe(0.926);
      expect(r.run_json_accuracy).toBe(0.926);
      expect(r.k).toEqual(Array.from({ length: r.n }, (_, i) => i + 1));
      for (const curve of Object.values(r.accuracy)) expect(curve).toHaveLength(r.n);
    }
    expect(fc.n).toBe(32);
    expect(Object.keys(fc.accuracy)).toEqual(['svcca', 'svd', 'random', 'max_activation', 'svcca_net']);
    expect(fc.next_layers.map((s) => [s.name, s.activation])).toEqual([['logits', 'identity']]);
    expect(conv2.n).toBe(4 * 4 * 16);
    expect(conv2.flattened).toBe(true);
    expect(conv2.next_layers.map((s) => [s.name, s.activation])).toEqual([['fc', 'relu'], ['logits', 'identity']]);
  });

  it('at k = n every projection is the identity: accuracy and agreement are the full network\'s', () => {
    for (const r of [fc, conv2]) {
      for (const [name, curve] of Object.entries(r.accuracy)) {
        expect(curve[r.n - 1], name).toBe(r.full_accuracy);
        expect(r.agreement[name]![r.n - 1], name).toBe(1);
      }
    }
  });

  it('every curve equals numpy float64 (fc → logits, and conv2 → fc → ReLU → logits)', () => {
    const cases: Array<[RunCompressResult, string[][], number, number]> = [
      [fc, [['logits', 'identity']], 3, 7],
      [conv2, [['fc', 'relu'], ['logits', 'identity']], 2, 5],
    ];
    for (const [r, rest, draws, seed] of cases) {
      // Every k for fc; for conv2 (256 neurons) a spread of k, to keep the reference fast.
      const ks = r.n <= 32 ? r.k : [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 26, 32, 40, 50, 64, 100, 128, 200, 256];
      const ref = python<Record<string, number[]> & { full: number; rho: number[] }>(REFERENCE, {
        run: RUN,
        step: 1260,
        layer: r.layer,
        rest,
        ks,
        perms: permutationsOf(r.n, draws, seed),
      });
      expect(r.full_accuracy).toBe(ref.full);
      const at = (curve: number[]): number[] => ks.map((k) => curve[k - 1]!);
      for (const name of ['svd', 'svcca', 'max_activation']) expect(at(r.accuracy[name]!), `${r.layer} ${name}`).toEqual(ref[name]);
      at(r.accuracy['random']!).forEach((v, i) => expect(v).toBeCloseTo(ref['random']![i]!, 12));
      r.svcca_correlations['svcca']!.forEach((v, i) => expect(v).toBeCloseTo(ref.rho[i]!, 9));
    }
  });

  it('SVCCA against the logits needs few directions: with the logits\' 9 kept directions fc agrees with the full net on 99%', () => {
    expect(fc.svcca_dims['svcca']).toEqual([24, 9]);
    expect(fc.agreement['svcca']![8]).toBeGreaterThanOrEqual(0.99);
    expect(fc.smallest_k_within_half_point).toBe(fc.smallest_k['svcca']);
    expect(fc.smallest_k_within_half_point).toBeLessThanOrEqual(9);
    // The paper's baselines need more: k random neurons and the k most active ones.
    expect(fc.smallest_k['random']!).toBeGreaterThan(fc.smallest_k_within_half_point);
    expect(fc.smallest_k['max_activation']!).toBeGreaterThan(fc.smallest_k_within_half_point);
    expect(conv2.smallest_k['random']!).toBeGreaterThan(conv2.smallest_k_within_half_point);
  });

  it('savings: the next layer\'s n·out weights become k·(n + out)', () => {
    const s = savingsAt(26, 256, 32);
    expect(s).toEqual({
      k: 26,
      n: 256,
      out: 32,
      params_full: 8192,
      params_compressed: 26 * 288,
      params_saved_fraction: 1 - (26 * 288) / 8192,
      flops_full: 16384,
      flops_compressed: 2 * 26 * 288,
      flops_saved_fraction: 1 - (26 * 288) / 8192,
      break_even_k: 28,
    });
    expect(conv2.savings.k).toBe(conv2.smallest_k_within_half_point);
    expect(smallestKWithin([0.5, 0.921, 0.93], 0.926)).toBe(2);
    expect(smallestKWithin([0.5, 0.92, 0.93], 0.926)).toBe(3);
  });

  it('names what is missing: the output layer, a conv next layer, unknown weights, an earlier --next-weights', async () => {
    await expect(runCompress(index, { run: RUN, layer: 'logits' })).rejects.toThrow(/is the run's output layer/);
    await expect(runCompress(await withConv1(), { run: RUN, layer: 'conv1' })).rejects.toThrow(/"conv2" is not a dense layer/);
    await expect(runCompress(index, { run: RUN, layer: 'fc', nextWeights: 'head' })).rejects.toThrow(InputError);
    await expect(runCompress(index, { run: RUN, layer: 'fc', nextWeights: 'conv2' })).rejects.toThrow(UsageError);
    await expect(runCompress(index, { run: RUN, layer: 'nope' })).rejects.toThrow(/no layer "nope"/);
  });
});
