/**
 * Class sensitivity on the example workspace (and, when it is there, the shared corpus with conv1): every layer × class × checkpoint value against numpy (the multiple
 * correlation of a class's logit with the layer's kept SVD directions, conv maps globally pooled), and the derived
 * findings (when classes are learned, which behave alike) recomputed from those values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classFindings, pearson, runClassSensitivity, type ClassSensitivityResult } from '../../../native/analyses/class-sensitivity.js';
import { UsageError } from '../../../native/errors.js';
import type { WorkspaceIndex } from '../../../native/index/index.js';
import { CORPUS, EXAMPLE, openIndexed, python, tempDir } from './helpers.js';

let index: WorkspaceIndex;
let cleanup: () => void;
let logits: ClassSensitivityResult;
let labels: ClassSensitivityResult;
/** --dims K: the layer's top K directions against a one-column target (which has one direction whatever K is). */
let leading: ClassSensitivityResult;

beforeAll(async () => {
  const t = tempDir('svcca-sensitivity-');
  cleanup = t.cleanup;
  index = await openIndexed(EXAMPLE, t.dir);
  logits = await runClassSensitivity(index, { run: 'true_lr0.01_seed2000' });
  labels = await runClassSensitivity(index, { run: 'true_lr0.01_seed2000', target: 'labels', method: 'cca' });
  leading = await runClassSensitivity(index, { run: 'true_lr0.01_seed2000', method: 'cca', dims: 4 });
});
afterAll(() => {
  index.close();
  cleanup();
});

const REFERENCE = String.raw`
run, steps, layers, target, method, dims = data['run'], data['steps'], data['layers'], data['target'], data['method'], data.get('dims')
if target == 'logits':
    y = run_layer(run, steps[-1], layers[-1])
else:
    lab = np.load(f'{WORKSPACE}/probe_labels.npy')
    y = np.stack([(lab == c).astype(np.float64) for c in range(10)], axis=1)
out = []
for s in steps:
    per_class = [[] for _ in range(y.shape[1])]
    for layer in layers:
        x = run_layer(run, s, layer)
        if x.ndim == 4:
            x = x.mean(axis=(1, 2))          # global average pooling
        q, sv = basis(x)
        k = dims if dims is not None else keep_dims(sv) if method == 'svcca' else len(sv)
        q = q[:, :k]
        for c in range(y.shape[1]):
            t = y[:, c] - y[:, c].mean()
            per_class[c].append(float(np.linalg.norm(q.T @ t) / np.linalg.norm(t)))
    out.append(per_class)
print(json.dumps(out))`;

describe('class sensitivity', () => {
  it('equals numpy at every checkpoint, layer and class (logit targets, svcca; label targets, cca; cca --dims 4)', () => {
    for (const r of [logits, labels, leading]) {
      const ref = python<number[][][]>(REFERENCE, { run: r.run, steps: r.steps, layers: r.layers, target: r.target, method: r.method, dims: r === leading ? 4 : null });
      let worst = 0;
      r.similarity.forEach((perClass, s) => perClass.forEach((row, c) => row.forEach((v, l) => (worst = Math.max(worst, Math.abs(v - ref[s]![c]![l]!))))));
      expect(worst, r.target).toBeLessThan(1e-9);
    }
  });

  it('reports classes, steps, and [step][class][layer] values in [0, 1]', () => {
    expect(logits.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(logits.steps).toEqual([0, 5, 20, 79, 315, 1260]);
    expect(logits.hidden_layers).toEqual(['conv2', 'fc']); // the example workspace leaves conv1 out
    expect(logits.similarity).toHaveLength(6);
    expect(logits.similarity[0]).toHaveLength(10);
    expect(logits.similarity[0]![0]).toHaveLength(3);
    // The logits layer holds each class logit itself at the reference checkpoint (up to SVCCA's dropped 1%).
    for (const row of logits.similarity[5]!) expect(row[2]).toBeGreaterThan(0.99);
    for (const perClass of logits.similarity) for (const row of perClass) for (const v of row) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('derives the findings from the values: timelines, learned_at, early order, class correlation and order', () => {
    const refIndex = logits.steps.indexOf(logits.reference);
    const again = classFindings(logits.similarity, logits.layers, logits.steps, logits.classes, refIndex, 0.9);
    expect(again.learned_at).toEqual(logits.learned_at);
    for (const c of logits.classes) {
      const i = logits.classes.indexOf(c);
      const t = logits.timeline[c]!;
      t.forEach((v, s) => expect(v).toBeCloseTo((logits.similarity[s]![i]![0]! + logits.similarity[s]![i]![1]!) / 2, 12)); // mean over conv2, fc
      const at = logits.learned_at[c];
      if (at !== null && at !== undefined) {
        const from = logits.steps.indexOf(at);
        for (let s = from; s < refIndex; s++) expect(t[s]! / t[refIndex]!).toBeGreaterThanOrEqual(0.9);
        if (from > 0) expect(t[from - 1]! / t[refIndex]!).toBeLessThan(0.9);
      }
    }
    const earliness = logits.early_order.map((c) => logits.timeline[c]!.slice(0, refIndex).reduce((a, b) => a + b, 0));
    for (let i = 1; i < earliness.length; i++) expect(earliness[i - 1]!).toBeGreaterThanOrEqual(earliness[i]!);
    expect(logits.class_correlation[0]![0]).toBe(1);
    expect(logits.class_correlation[1]![2]).toBeCloseTo(logits.class_correlation[2]![1]!, 15);
    expect([...logits.class_order].sort()).toEqual(logits.classes);
  });

  it('pearson correlation, and 0 for a constant profile', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 15);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 15);
    expect(pearson([1, 1, 1], [3, 2, 1])).toBe(0);
  });

  it('rejects methods without a single-coefficient form', async () => {
    await expect(runClassSensitivity(index, { run: 'true_lr0.01_seed2000', method: 'dft-cca' })).rejects.toThrow(UsageError);
  });
});

describe.skipIf(!CORPUS)('class sensitivity on the shared corpus (extra: conv1)', () => {
  it('equals numpy at every checkpoint, layer and class, conv1 included', async () => {
    const t = tempDir('svcca-sensitivity-corpus-');
    const corpus = await openIndexed(CORPUS!, t.dir);
    try {
      const r = await runClassSensitivity(corpus, { run: 'true_lr0.01_seed2000' });
      expect(r.hidden_layers).toEqual(['conv1', 'conv2', 'fc']);
      expect(r.similarity[0]![0]).toHaveLength(4);
      const ref = python<number[][][]>(REFERENCE, { run: r.run, steps: r.steps, layers: r.layers, target: r.target, method: r.method }, CORPUS!);
      let worst = 0;
      r.similarity.forEach((perClass, s) => perClass.forEach((row, c) => row.forEach((v, l) => (worst = Math.max(worst, Math.abs(v - ref[s]![c]![l]!))))));
      expect(worst).toBeLessThan(1e-9);
      for (const row of r.similarity[5]!) expect(row[3]).toBeGreaterThan(0.99);
    } finally {
      corpus.close();
      t.cleanup();
    }
  });
});
