/**
 * Kornblith et al.'s layer-identification sanity check on nets of one group differing only in their seed: the
 * example workspace's 3 layers, and the shared corpus's 4 (conv1 too) when it is beside the repository. The matches
 * of the CKA family equal an independent numpy computation; CKA finds the corresponding layer far more often than
 * the CCA family does (the paper's finding).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerIdentification, type IdentificationResult } from '../../../native/analyses/layer-identification.js';
import { UsageError } from '../../../native/errors.js';
import type { WorkspaceIndex } from '../../../native/index/index.js';
import { CENTER_GRAM_PY, CORPUS, EXAMPLE, openIndexed, python, tempDir } from './helpers.js';

const RUNS = ['true_lr0.01_seed2000', 'true_lr0.01_seed2001', 'true_lr0.01_seed2002'];
/** `always`: the layer every CKA variant identifies in every case. */
const WORKSPACES = [
  { label: 'example workspace', root: EXAMPLE, layers: ['conv2', 'fc', 'logits'], always: 'conv2' },
  { label: 'shared corpus (extra: conv1)', root: CORPUS, layers: ['conv1', 'conv2', 'fc', 'logits'], always: 'conv1' },
];

for (const w of WORKSPACES) describe.skipIf(!w.root)(`layer identification on the ${w.label}`, () => {
  let index: WorkspaceIndex;
  let cleanup: () => void;
  let result: IdentificationResult;

  beforeAll(async () => {
    const t = tempDir('svcca-identify-');
    cleanup = t.cleanup;
    index = await openIndexed(w.root!, t.dir);
    // PWCCA is left out to keep this file fast: it costs what SVCCA does and fails the same way (see docs/analyses.md).
    result = await layerIdentification(index, { runs: RUNS, methods: ['cka', 'cka-debiased', 'cka-rbf', 'svcca'] });
  });
  afterAll(() => {
    index.close();
    cleanup();
  });

  it('reports accuracy per method and per layer over every ordered pair of runs', () => {
    expect(result.methods).toEqual(['cka', 'cka-debiased', 'cka-rbf', 'svcca']);
    expect(result.layers).toEqual(w.layers);
    const cases = 3 * 2 * w.layers.length;
    expect(result.cases).toBe(cases);
    for (const m of result.methods) {
      const matches = result.matches[m]!;
      expect(matches.flat().reduce((a, b) => a + b, 0)).toBe(cases);
      expect(result.accuracy[m]).toBeCloseTo(matches.reduce((s, row, i) => s + row[i]!, 0) / cases, 12);
    }
  });

  it('the CKA family\'s matches equal numpy (flattened layers; linear, debiased linear, RBF σ = 0.5)', () => {
    const ref = python<Record<string, number[][]>>(
      `
${CENTER_GRAM_PY}
def rbf(x):
    d = x @ x.T; n = np.diag(d); sq = -2 * d + n[:, None] + n[None, :]
    return np.exp(-sq / (2 * 0.25 * np.median(sq)))
grams = {'cka': lambda x: center(x @ x.T, False), 'cka-debiased': lambda x: center(x @ x.T, True), 'cka-rbf': lambda x: center(rbf(x), False)}
runs, layers = data['runs'], data['layers']
acts = [[run_layer(r, 1260, l).reshape(500, -1) for l in layers] for r in runs]
out = {}
for name, g in grams.items():
    G = [[g(x) for x in run] for run in acts]
    matches = np.zeros((len(layers), len(layers)), dtype=int)
    for a in range(len(runs)):
        for b in range(len(runs)):
            if a == b: continue
            for i in range(len(layers)):
                s = [(G[a][i] * G[b][j]).sum() / (np.linalg.norm(G[a][i]) * np.linalg.norm(G[b][j])) for j in range(len(layers))]
                matches[i, int(np.argmax(s))] += 1
    out[name] = matches.tolist()
print(json.dumps(out))`,
      { runs: RUNS, layers: result.layers },
      w.root!,
    );
    for (const m of ['cka', 'cka-debiased', 'cka-rbf']) expect(result.matches[m], m).toEqual(ref[m]);
  });

  it(`CKA identifies layers far better than SVCCA; ${w.always} always`, () => {
    for (const m of ['cka', 'cka-debiased', 'cka-rbf']) {
      expect(result.per_layer[m]![w.always], m).toBe(1);
      expect(result.accuracy[m]!, m).toBeGreaterThan(result.accuracy['svcca']! + 0.3);
    }
  });

  it('needs two runs of one architecture; RBF CKA needs datapoints as rows', async () => {
    await expect(layerIdentification(index, { runs: [RUNS[0]!] })).rejects.toThrow(/at least two runs/);
    await expect(layerIdentification(index, { runs: RUNS, conv: 'channels' })).rejects.toThrow(UsageError);
  });
});
