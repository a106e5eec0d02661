/**
 * Generalizing vs memorizing per layer ([Morcos2018-PWCCA] Fig. 3) on the example workspace: every within- and between-group
 * distance with its SD equals an independent numpy PWCCA, and the true-label nets are closer to each other than the
 * random-label nets are in the later layers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGroups } from '../../../native/analyses/groups.js';
import type { GroupsResult } from '../../../native/domain/index.js';
import { InputError, UsageError } from '../../../native/errors.js';
import type { WorkspaceIndex } from '../../../native/index/index.js';
import { EXAMPLE, openIndexed, PWCCA_PY, python, tempDir } from './helpers.js';

let index: WorkspaceIndex;
let cleanup: () => void;
let result: GroupsResult;
beforeAll(async () => {
  const t = tempDir('svcca-groups-');
  cleanup = t.cleanup;
  index = await openIndexed(EXAMPLE, t.dir);
  result = await runGroups(index, { by: 'labels' });
});
afterAll(() => {
  index.close();
  cleanup();
});

describe('groups by labels on the example workspace', () => {
  it('has every layer and both groups; distances and SDs equal numpy', () => {
    expect(result.layers).toEqual(['conv2', 'fc', 'logits']);
    expect(Object.fromEntries(result.groups.map((g) => [g.value, [g.runs.length, g.pairs]]))).toEqual({ true: [8, 28], random: [2, 1] });
    expect(result.between_pairs).toBe(16);
    const runs = result.groups.flatMap((g) => g.runs);
    const ref = python<{ within: Record<string, number[][]>; between: number[][] }>(
      `${PWCCA_PY}
groups, layers = data['groups'], data['layers']
steps = {r: max(int(d[5:]) for d in os.listdir(f'{WORKSPACE}/{r}') if d.startswith('step-')) for g in groups for r in g['runs']}
within = {g['value']: [] for g in groups}; between = []
for l in layers:
    L = {r: rows(run_layer(r, steps[r], l)) for r in steps}
    d = lambda a, b: 1 - (pwcca(L[a], L[b]) + pwcca(L[b], L[a])) / 2
    for g in groups:
        rs = g['runs']; v = [d(rs[i], rs[j]) for i in range(len(rs)) for j in range(i + 1, len(rs))]
        within[g['value']].append([float(np.mean(v)), float(np.std(v))])
    cross = [d(a, b) for gi, g in enumerate(groups) for h in groups[gi + 1:] for a in g['runs'] for b in h['runs']]
    between.append([float(np.mean(cross)), float(np.std(cross))])
print(json.dumps({'within': within, 'between': between}))`,
      { groups: result.groups, layers: result.layers, runs },
    );
    result.layers.forEach((layer, l) => {
      for (const g of result.groups) {
        expect(g.within[l]!, `${g.value} ${layer}`).toBeCloseTo(ref.within[g.value]![l]![0]!, 9);
        expect(g.within_sd[l]!, `${g.value} ${layer} sd`).toBeCloseTo(ref.within[g.value]![l]![1]!, 9);
      }
      expect(result.between[l]!).toBeCloseTo(ref.between[l]![0]!, 9);
      expect(result.between_sd[l]!).toBeCloseTo(ref.between[l]![1]!, 9);
    });
  });

  it('true-label nets are more similar to each other than random-label nets (fc, logits)', () => {
    const t = result.groups.find((g) => g.value === 'true')!;
    const r = result.groups.find((g) => g.value === 'random')!;
    for (const layer of ['fc', 'logits']) {
      const l = result.layers.indexOf(layer);
      expect(t.within[l]!, layer).toBeLessThan(r.within[l]!);
      expect(t.within[l]!, layer).toBeLessThan(result.between[l]!);
    }
  });

  it('refuses a key with one value, an unknown layer, and no key', async () => {
    await expect(runGroups(index, { by: 'dataset' })).rejects.toThrow(InputError);
    await expect(runGroups(index, { by: 'labels', layers: ['conv9'] })).rejects.toThrow(UsageError);
    await expect(runGroups(index, { by: '' })).rejects.toThrow(/--by/);
  });
});
