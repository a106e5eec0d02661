/**
 * `--conv mean` ([Morcos2018-PWCCA] sec. 3.1: each channel averaged over its positions) in compare, dynamics and the layer rows,
 * against numpy on the example workspace's conv2 (500 × 4 × 4 × 16).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDynamics } from '../../../native/analyses/dynamics.js';
import type { WorkspaceIndex } from '../../../native/index/index.js';
import { asDense, loadLayer } from '../../../native/layers/index.js';
import { loadLayerPair, measureLayers, planComparison } from '../../../native/measures/compare-layers.js';
import { EXAMPLE, openIndexed, python, tempDir } from './helpers.js';

let index: WorkspaceIndex;
let cleanup: () => void;
beforeAll(async () => {
  const t = tempDir('svcca-conv-mean-');
  cleanup = t.cleanup;
  index = await openIndexed(EXAMPLE, t.dir);
});
afterAll(() => {
  index.close();
  cleanup();
});

describe('--conv mean', () => {
  it('a conv layer becomes (m, c): each channel\'s mean over positions', async () => {
    const spec = index.resolveLayer('true_lr0.01_seed2000', 1260, 'conv2').spec;
    const x = asDense(await loadLayer(spec), 'mean');
    expect([x.rows, x.cols]).toEqual([500, 16]);
    const ref = python<number[]>(`print(json.dumps(run_layer('true_lr0.01_seed2000', 1260, 'conv2').mean(axis=(1, 2))[:3].ravel().tolist()))`);
    Array.from(x.data.subarray(0, 48)).forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 12));
  });

  it('compare --conv mean --method svcca equals numpy SVCCA of the position means', async () => {
    const a = index.resolveLayer('true_lr0.01_seed2000', 1260, 'conv2').spec;
    const b = index.resolveLayer('true_lr0.1_seed2004', 1260, 'conv2').spec;
    const plan = planComparison({ method: 'svcca', conv: 'mean' });
    const [la, lb] = await loadLayerPair(a, b, plan);
    const r = await measureLayers(la, lb, plan);
    const ref = python<number>(`m = lambda r: run_layer(r, 1260, 'conv2').mean(axis=(1, 2))
print(json.dumps(svcca_all(m('true_lr0.01_seed2000'), m('true_lr0.1_seed2004'))[1]))`);
    expect(r.similarity).toBeCloseTo(ref, 9);
    expect(r.datapoints).toBe(500);
  });

  it('dynamics --conv mean: conv2 against its last checkpoint equals numpy on the position means', async () => {
    const r = await runDynamics(index, { run: 'true_lr0.01_seed2000', conv: 'mean', classSensitivity: false });
    expect(r.conv).toBe('mean');
    const ref = python<number[]>(`m = lambda s: run_layer('true_lr0.01_seed2000', s, 'conv2').mean(axis=(1, 2))
print(json.dumps([svcca_all(m(s), m(1260))[1] for s in [0, 5, 20, 79, 315, 1260]]))`);
    r.to_final['conv2']!.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 9));
  });
});
