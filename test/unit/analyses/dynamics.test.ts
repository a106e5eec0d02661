/**
 * Learning dynamics on the example workspace (the shared corpus adds conv1 when present): the contract's fields, agreement with an independent numpy computation
 * of every tensor entry and summary, the bottom-up ordering of [Raghu2017-SVCCA] Fig. 4 / [Raghu2017-BottomUp] Fig. 2,
 * and the group form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDynamics, type RunDynamicsResult } from '../../../native/analyses/dynamics.js';
import { runGroupDynamics } from '../../../native/analyses/group-dynamics.js';
import { CancelledError, InputError, UsageError } from '../../../native/errors.js';
import type { WorkspaceIndex } from '../../../native/index/index.js';
import { CORPUS, EXAMPLE, openIndexed, python, tempDir } from './helpers.js';

/** One layer's similarity to its own final checkpoint at every step, from a [step][layer][final layer] tensor. */
const diagonal = (r: RunDynamicsResult, tensor: number[][][], layer: string): number[] => tensor.map((pane) => pane[r.layers.indexOf(layer)]![r.layers.indexOf(layer)]!);

let index: WorkspaceIndex;
let cleanup: () => void;
const results = new Map<string, RunDynamicsResult>();

beforeAll(async () => {
  const t = tempDir('svcca-dynamics-');
  cleanup = t.cleanup;
  index = await openIndexed(EXAMPLE, t.dir);
  for (const run of ['true_lr0.01_seed2000', 'true_lr0.1_seed2004', 'random_lr0.01_seed2008']) results.set(run, await runDynamics(index, { run }));
});
afterAll(() => {
  index.close();
  cleanup();
});

describe('dynamics on the example workspace (conv2, fc, logits)', () => {
  it('has the contract fields: run, layers input to output, steps, method, to_final, tensor[step][layer][final layer], converged_at', () => {
    const r = results.get('true_lr0.01_seed2000')!;
    expect(r.run).toBe('true_lr0.01_seed2000');
    expect(r.layers).toEqual(['conv2', 'fc', 'logits']); // the example workspace leaves conv1 out
    expect(r.steps).toEqual([0, 5, 20, 79, 315, 1260]);
    expect(r.method).toBe('svcca');
    expect(r.tensor).toHaveLength(6);
    for (const pane of r.tensor) {
      expect(pane).toHaveLength(3);
      for (const row of pane) {
        expect(row).toHaveLength(3);
        for (const v of row) expect(v >= 0 && v <= 1 + 1e-12).toBe(true);
      }
    }
    for (const layer of r.layers) {
      expect(r.to_final[layer]).toEqual(r.tensor.map((pane) => pane[r.layers.indexOf(layer)]![r.layers.indexOf(layer)]));
      expect(r.to_final[layer]![5]).toBeCloseTo(1, 12); // each layer equals itself at the reference
    }
    expect(Object.keys(r.converged_at)).toEqual(r.layers);
  });

  it('every tensor entry, its SVCCA coefficients and the three summaries equal numpy float64 (pooling rule included)', () => {
    const r = results.get('true_lr0.01_seed2000')!;
    const ref = python<{ coefficients: number[][][][]; mean: number[][][]; ms: number[][][]; weighted: number[][][] }>(
      `
run, steps, layers = data['run'], data['steps'], data['layers']
out = {'coefficients': [], 'mean': [], 'ms': [], 'weighted': []}
finals = {l: run_layer(run, steps[-1], l) for l in layers}
for s in steps:
    rows = {k: [] for k in out}
    for a in layers:
        x = run_layer(run, s, a)
        r = {k: [] for k in out}
        for b in layers:
            xa, xb = pair_rows(x, finals[b])
            rho, mean, ms, w = svcca_all(xa, xb)
            r['coefficients'].append(rho.tolist()); r['mean'].append(mean); r['ms'].append(ms); r['weighted'].append(w)
        for k in out: rows[k].append(r[k])
    for k in out: out[k].append(rows[k])
print(json.dumps(out))`,
      { run: r.run, steps: r.steps, layers: r.layers },
    );
    let worst = 0;
    r.tensor.forEach((pane, s) =>
      pane.forEach((row, i) =>
        row.forEach((v, j) => {
          worst = Math.max(worst, Math.abs(v - ref.mean[s]![i]![j]!));
          worst = Math.max(worst, Math.abs(r.summaries.mean[s]![i]![j]! - ref.mean[s]![i]![j]!));
          worst = Math.max(worst, Math.abs(r.summaries.mean_square[s]![i]![j]! - ref.ms[s]![i]![j]!));
          worst = Math.max(worst, Math.abs(r.summaries.weighted![s]![i]![j]! - ref.weighted[s]![i]![j]!));
          const c = r.coefficients[s]![i]![j]!;
          expect(c).toHaveLength(ref.coefficients[s]![i]![j]!.length);
          c.forEach((x, k) => (worst = Math.max(worst, Math.abs(x - ref.coefficients[s]![i]![j]![k]!))));
        }),
      ),
    );
    expect(worst).toBeLessThan(1e-9);
  });

  it('converges bottom up: at every intermediate checkpoint conv2 > fc in similarity to final ([Raghu2017-BottomUp] Fig. 2, [Raghu2017-SVCCA] Fig. 4)', () => {
    for (const r of results.values()) {
      // [Raghu2017-BottomUp]'s own summary, the mean-square CCA similarity: the ordering holds at every checkpoint of
      // every run.
      const [c2, fc] = ['conv2', 'fc'].map((l) => diagonal(r, r.summaries.mean_square, l));
      for (let s = 0; s < r.steps.length - 1; s++) expect(c2![s]!, `${r.run} step ${r.steps[s]}`).toBeGreaterThan(fc![s]!);
    }
    // The headline mean ([Raghu2017-SVCCA] eq. 1) too, except one near-tie: lr 0.1 at step 79, conv2 0.8124 vs fc
    // 0.8134.
    for (const r of results.values()) {
      const t = r.to_final;
      for (let s = 0; s < r.steps.length - 1; s++) {
        if (r.run === 'true_lr0.1_seed2004' && r.steps[s] === 79) {
          expect(Math.abs(t['conv2']![s]! - t['fc']![s]!)).toBeLessThan(0.002);
          continue;
        }
        expect(t['conv2']![s]!, `${r.run} step ${r.steps[s]}`).toBeGreaterThan(t['fc']![s]!);
      }
    }
  });

  it('the top logits layer is the exception: in the true-label nets it overtakes fc before the end', () => {
    for (const run of ['true_lr0.01_seed2000', 'true_lr0.1_seed2004']) {
      const t = results.get(run)!.to_final;
      const above = t['logits']!.slice(0, -1).map((v, s) => v > t['fc']![s]!);
      expect(above.some(Boolean), run).toBe(true);
    }
  });

  it('converged_at is the first checkpoint from which to_final stays at or above the threshold', () => {
    const r = results.get('true_lr0.01_seed2000')!;
    expect(r.threshold).toBe(0.9);
    expect(r.converged_at).toEqual({ conv2: 79, fc: 315, logits: 315 });
    const strict = results.get('random_lr0.01_seed2008')!;
    expect(strict.converged_at['logits']).toBeNull(); // 0.78 at step 2100: never settles before the end
  });

  it('reports a Freeze Training hint from the convergence steps, with savings on the weights cost model', () => {
    const hint = results.get('true_lr0.01_seed2000')!.freeze_hint!;
    expect(hint.cost_model).toBe('weights');
    expect(hint.total_steps).toBe(1260);
    // conv 3x3: out·in·9 per position; dense out·in.
    expect(hint.layer_flops).toEqual({ conv2: 16 * 8 * 9 * 16, fc: 32 * 256, logits: 10 * 32 });
    expect(hint.schedule.map((e) => e.freeze_at)).toEqual([79, 315, null]);
    expect(hint.backward_saved).toBeGreaterThan(hint.linear_schedule.backward_saved);
  });

  it('includes class sensitivity at the reference checkpoint: fc predicts every logit linearly (similarity ≈ 1)', () => {
    const cs = results.get('true_lr0.01_seed2000')!.class_sensitivity!;
    expect(cs.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    for (const row of cs.similarity) {
      expect(row).toHaveLength(3);
      // SVCCA keeps 99% of fc's singular values; the logits lie in fc's span up to the dropped 1%.
      expect(row[1]).toBeGreaterThan(0.999);
    }
  });

  it('takes a reference checkpoint and other methods; pwcca rows carry the checkpoint layer as side A', async () => {
    const r = await runDynamics(index, { run: 'true_lr0.01_seed2000', reference: 79, method: 'pwcca', classSensitivity: false });
    expect(r.reference).toBe(79);
    expect(r.to_final['fc']![3]).toBeCloseTo(1, 12);
    expect(r.to_final['fc']!.slice(0, 3).every((v) => v < 1)).toBe(true);
    expect(r.class_sensitivity).toBeUndefined();
  });

  it('rejects what it cannot do in one line', async () => {
    await expect(runDynamics(index, { run: 'nope' })).rejects.toThrow(InputError);
    await expect(runDynamics(index, { run: 'true_lr0.01_seed2000', reference: 7 })).rejects.toThrow(/no checkpoint for step 7/);
    await expect(runDynamics(index, { run: 'true_lr0.01_seed2000', threshold: 0 })).rejects.toThrow(UsageError);
    await expect(runDynamics(index, { run: 'true_lr0.01_seed2000', method: 'cka', conv: 'dft' })).rejects.toThrow(UsageError);
  });

  it('stops when cancelled, with progress reported up to then', async () => {
    const controller = new AbortController();
    let last = 0;
    const run = runDynamics(index, { run: 'true_lr0.01_seed2000' }, {
      signal: controller.signal,
      onProgress: (done, total) => {
        expect(total).toBe(6 * 3 * 3);
        last = done;
        if (done === 10) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(CancelledError);
    expect(last).toBe(10);
  });
});

describe('dynamics for a group', () => {
  it('averages the runs of the group that have several checkpoints (here one per group)', async () => {
    const g = await runGroupDynamics(index, { group: 'true_lr0.01' });
    const single = results.get('true_lr0.01_seed2000')!;
    expect(g.runs).toEqual(['true_lr0.01_seed2000']);
    expect(g.steps).toEqual(single.steps);
    expect(g.to_final).toEqual(single.to_final);
    expect(g.converged_at).toEqual(single.converged_at);
    expect(g.to_final_sd['fc']!.every((v) => v === 0)).toBe(true);
    await expect(runGroupDynamics(index, { group: 'nope' })).rejects.toThrow(/no run has group "nope"/);
  });
});

describe.skipIf(!CORPUS)('dynamics on the shared corpus (extra: conv1)', () => {
  const corpusResults = new Map<string, RunDynamicsResult>();
  let corpus: WorkspaceIndex;
  let done: () => void;
  beforeAll(async () => {
    const t = tempDir('svcca-dynamics-corpus-');
    done = t.cleanup;
    corpus = await openIndexed(CORPUS!, t.dir);
    for (const run of ['true_lr0.01_seed2000', 'true_lr0.1_seed2004', 'random_lr0.01_seed2008']) corpusResults.set(run, await runDynamics(corpus, { run }));
  });
  afterAll(() => {
    corpus.close();
    done();
  });

  it('conv1 > conv2 at every intermediate checkpoint, in mean-square and mean similarity to final', () => {
    for (const r of corpusResults.values()) {
      expect(r.layers).toEqual(['conv1', 'conv2', 'fc', 'logits']);
      const [c1, c2] = ['conv1', 'conv2'].map((l) => diagonal(r, r.summaries.mean_square, l));
      for (let s = 0; s < r.steps.length - 1; s++) {
        expect(c1![s]!, `${r.run} step ${r.steps[s]}`).toBeGreaterThan(c2![s]!);
        expect(r.to_final['conv1']![s]!, `${r.run} step ${r.steps[s]}`).toBeGreaterThan(r.to_final['conv2']![s]!);
      }
    }
  });

  it('the layers the example shares give the example\'s values; conv1 settles at 79', () => {
    const r = corpusResults.get('true_lr0.01_seed2000')!;
    // conv1: 0.904 0.902 0.899 0.944 … — dips below 0.9 at step 20, so it settles at 79.
    expect(r.converged_at).toEqual({ conv1: 79, conv2: 79, fc: 315, logits: 315 });
    const example = results.get('true_lr0.01_seed2000')!;
    for (const layer of example.layers) expect(r.to_final[layer]).toEqual(example.to_final[layer]);
    const hint = r.freeze_hint!;
    expect(hint.layer_flops).toEqual({ conv1: 8 * 1 * 9 * 64, conv2: 16 * 8 * 9 * 16, fc: 32 * 256, logits: 10 * 32 });
    expect(hint.schedule.map((e) => e.freeze_at)).toEqual([79, 79, 315, null]);
  });
});
