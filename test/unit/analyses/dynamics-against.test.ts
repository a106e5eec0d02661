/**
 * Learning dynamics against another net's final checkpoint ([Raghu2017-BottomUp] sec. 1) and the representation crawl ([Raghu2017-BottomUp] Fig. 3) on
 * the example workspace: the tensor equals numpy SVCCA, the crawl is the tensor's argmax both ways, and under CKA the
 * logits layer early in training is most like the final fc layer (a lower one) before it settles on the final logits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDynamics } from '../../../native/analyses/dynamics.js';
import type { WorkspaceIndex } from '../../../native/index/index.js';
import { EXAMPLE, openIndexed, python, tempDir } from './helpers.js';

let index: WorkspaceIndex;
let cleanup: () => void;
beforeAll(async () => {
  const t = tempDir('svcca-dynamics-against-');
  cleanup = t.cleanup;
  index = await openIndexed(EXAMPLE, t.dir);
});
afterAll(() => {
  index.close();
  cleanup();
});

describe('dynamics --against and the crawl', () => {
  it('against another seed: tensor[s][i][j] equals numpy SVCCA with the other run\'s last checkpoint; crawl = argmax', async () => {
    const r = await runDynamics(index, { run: 'true_lr0.01_seed2000', against: 'true_lr0.01_seed2001' });
    expect(r.against).toBe('true_lr0.01_seed2001');
    expect(r.reference).toBe(1260);
    expect(r.reference_layers).toEqual(['conv2', 'fc', 'logits']);
    expect(r.freeze_hint).toBeNull();
    expect(r.class_sensitivity).toBeUndefined();
    const ref = python<number[][][]>(
      `out = []
for s in data['steps']:
    out.append([[svcca_all(*pair_rows(run_layer('true_lr0.01_seed2000', s, a), run_layer('true_lr0.01_seed2001', 1260, b)))[1] for b in data['layers']] for a in data['layers']])
print(json.dumps(out))`,
      r,
    );
    r.tensor.forEach((pane, s) => pane.forEach((row, i) => row.forEach((v, j) => expect(v, `${r.steps[s]} ${r.layers[i]}×${r.layers[j]}`).toBeCloseTo(ref[s]![i]![j]!, 9))));
    // Against another net no layer reaches 1 at the last step, and to_final is the same-named diagonal.
    expect(r.to_final['fc']).toEqual(r.tensor.map((pane) => pane[1]![1]));
    expect(r.to_final['fc']![5]!).toBeLessThan(0.9);
    const argmax = (v: number[]): number => v.indexOf(Math.max(...v));
    for (const [j, final] of r.layers.entries()) expect(r.crawl!.final_to_checkpoint[final]).toEqual(r.tensor.map((pane) => r.layers[argmax(pane.map((row) => row[j]!))]));
    for (const [i, layer] of r.layers.entries()) expect(r.crawl!.checkpoint_to_final[layer]).toEqual(r.tensor.map((pane) => r.layers[argmax(pane[i]!)]));
  });

  it('the crawl under CKA: early logits are most like the final fc, later the final logits', async () => {
    const r = await runDynamics(index, { run: 'true_lr0.01_seed2000', method: 'cka' });
    expect(r.crawl!.checkpoint_to_final['logits']).toEqual(['fc', 'fc', 'fc', 'logits', 'logits', 'logits']);
    expect(r.crawl!.checkpoint_to_final['conv2']).toEqual(Array(6).fill('conv2'));
  });

  it('an unknown run to compare against is refused', async () => {
    await expect(runDynamics(index, { run: 'true_lr0.01_seed2000', against: 'nope' })).rejects.toThrow();
  });
});
