/**
 * Intrinsic dimensionality on the example workspace (and on the shared corpus, conv1 included, when it is beside the
 * repository): spectra and the k for 90/99% against numpy's SVD.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dimsFor, runSpectrum } from '../../../native/analyses/intrinsic-dim.js';
import type { WorkspaceIndex } from '../../../native/index/index.js';
import { CORPUS, EXAMPLE, openIndexed, python, tempDir } from './helpers.js';

describe('spectra and intrinsic dimensionality', () => {
  it('dimsFor: SVCCA\'s sum of singular values and the share of variance', () => {
    expect(dimsFor([4, 3, 2, 1], 0.7, 'sum')).toBe(2); // 4+3 = 7 of 10 reaches 0.7
    expect(dimsFor([4, 3, 2, 1], 0.71, 'sum')).toBe(3);
    expect(dimsFor([4, 3, 2, 1], 0.8, 'variance')).toBe(2); // 16+9 = 25 of 30 ≥ 24
    expect(dimsFor([], 0.9, 'sum')).toBe(0);
  });
});

/** Neurons per layer: channels, then flattened. The example leaves conv1 out; the corpus has it. */
const WORKSPACES = [
  { label: 'example workspace', root: EXAMPLE, channels: { conv2: 16, fc: 32, logits: 10 }, flatten: { conv2: 256, fc: 32, logits: 10 } },
  {
    label: 'shared corpus (extra: conv1)',
    root: CORPUS,
    channels: { conv1: 8, conv2: 16, fc: 32, logits: 10 },
    flatten: { conv1: 512, conv2: 256, fc: 32, logits: 10 },
  },
];

for (const w of WORKSPACES) describe.skipIf(!w.root)(`spectra on the ${w.label}`, () => {
  let index: WorkspaceIndex;
  let cleanup: () => void;
  beforeAll(async () => {
    const t = tempDir('svcca-spectrum-');
    cleanup = t.cleanup;
    index = await openIndexed(w.root!, t.dir);
  });
  afterAll(() => {
    index.close();
    cleanup();
  });

  it('every layer and checkpoint equals numpy (channels: positions as rows; flatten: datapoints as rows)', async () => {
    for (const conv of ['channels', 'flatten'] as const) {
      // Flattened conv layers are 500 × 512: two checkpoints keep the numpy side quick.
      const r = await runSpectrum(index, { run: 'random_lr0.01_seed2008', conv, ...(conv === 'flatten' ? { steps: [0, 'last' as const] } : {}) });
      expect(r.steps).toEqual(conv === 'channels' ? [0, 33, 131, 525, 2100, 8400] : [0, 8400]);
      expect(r.neurons).toEqual(w[conv]);
      const ref = python<Record<string, Array<{ s: number[]; k: number[]; kv: number[] }>>>(
        `
out = {}
for layer in data['layers']:
    out[layer] = []
    for step in data['steps']:
        x = run_layer(data['run'], step, layer)
        x = x.reshape(-1, x.shape[-1]) if data['conv'] == 'channels' else x.reshape(x.shape[0], -1)
        _, s = basis(x)
        c, v = np.cumsum(s), np.cumsum(s ** 2)
        out[layer].append({'s': s.tolist(), 'k': [int(np.searchsorted(c, f * c[-1]) + 1) for f in (0.9, 0.99)],
                           'kv': [int(np.searchsorted(v, f * v[-1]) + 1) for f in (0.9, 0.99)]})
print(json.dumps(out))`,
        { run: r.run, steps: r.steps, layers: r.layers, conv },
        w.root!,
      );
      for (const layer of r.layers) {
        r.steps.forEach((_, i) => {
          const mine = r.spectra[layer]![i]!;
          const theirs = ref[layer]![i]!;
          expect(mine.length, `${conv} ${layer}`).toBe(theirs.s.length);
          mine.forEach((v, j) => expect(Math.abs(v - theirs.s[j]!)).toBeLessThan(1e-9 * theirs.s[0]!));
          expect([r.k['0.9']![layer]![i], r.k['0.99']![layer]![i]]).toEqual(theirs.k);
          expect([r.k_variance['0.9']![layer]![i], r.k_variance['0.99']![layer]![i]]).toEqual(theirs.kv);
        });
      }
    }
  });
});
