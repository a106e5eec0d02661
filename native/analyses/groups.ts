/**
 * Generalizing vs memorizing, layer by layer ([Morcos2018-PWCCA] sec. 3.1, Fig. 3): runs grouped by a run.json key (`labels`: true
 * vs random; `lr`, `group`, …), and for every layer the distance d = 1 − (S[i][j] + S[j][i]) / 2 over each unordered
 * pair of runs (PWCCA by default, as in the paper; the symmetric part, as group-stats.ts and the clustering take it):
 * each group's mean and standard deviation over its own pairs, and the same over the pairs from different groups.
 * Standard deviations are the population SD over pairs (numpy's np.std), what the paper's error bars show.
 */
import type { GroupsRequest, GroupsResult, Method } from '../domain/index.js';
import { InputError, UsageError } from '../errors.js';
import type { WorkspaceIndex } from '../index/index.js';
import { ProgressCounter, type AnalysisContext } from './context.js';
import { groupValue } from './group-stats.js';
import { measurerFor, pairCount, runsAt, sharedLayers, similarityMatrix } from './run-similarity.js';

export const DEFAULT_GROUPS_METHOD: Method = 'pwcca';

export async function runGroups(store: WorkspaceIndex, request: GroupsRequest, context: AnalysisContext = {}): Promise<GroupsResult> {
  const method = request.method ?? DEFAULT_GROUPS_METHOD;
  const { measurer, conv } = measurerFor({ ...request, method });
  if (!request.by) throw new UsageError('groups needs a run.json key to group by (--by KEY)');
  const step = request.step ?? 'final';
  const runs = runsAt(store, request.runs, step, { layout: request.layout, neuronsFirst: request.neuronsFirst });
  if (runs.length < 2) throw new InputError(store.root, `groups needs at least 2 runs, got ${runs.length}`);
  const shared = sharedLayers(runs);
  const layers = request.layers ?? shared;
  for (const l of layers) if (!shared.includes(l)) throw new UsageError(`layer "${l}" is not in every run (shared layers: ${shared.join(', ')})`);
  if (layers.length === 0) throw new InputError(store.root, 'the runs share no layer');

  const labels = runs.map((r) => groupValue(r.run.info.meta, request.by));
  const values = [...new Set(labels)];
  if (values.length < 2) throw new InputError(store.root, `every run has ${request.by} = ${values[0]}; grouping needs at least 2 values`);
  const members = values.map((value) => labels.flatMap((l, i) => (l === value ? [i] : [])));

  const progress = new ProgressCounter(context, 'groups', layers.length * pairCount(runs.length, method));
  const within = values.map(() => [] as Array<number | null>);
  const withinSd = values.map(() => [] as Array<number | null>);
  const between: Array<number | null> = [];
  const betweenSd: Array<number | null> = [];
  for (const layer of layers) {
    const s = await similarityMatrix(runs, layer, measurer, method, progress);
    const distance = (i: number, j: number): number => 1 - (s[i]![j]! + s[j]![i]!) / 2;
    members.forEach((group, g) => {
      const d = pairsOf(group).map(([i, j]) => distance(i, j));
      within[g]!.push(meanOf(d));
      withinSd[g]!.push(sdOf(d));
    });
    const cross: number[] = [];
    for (let i = 0; i < runs.length; i++) for (let j = i + 1; j < runs.length; j++) if (labels[i] !== labels[j]) cross.push(distance(i, j));
    between.push(meanOf(cross));
    betweenSd.push(sdOf(cross));
  }
  const crossPairs = labels.reduce((sum, l, i) => sum + labels.slice(i + 1).filter((m) => m !== l).length, 0);
  return {
    by: request.by,
    method,
    step,
    layers,
    groups: values.map((value, g) => ({
      value,
      runs: members[g]!.map((i) => runs[i]!.run.name),
      within: within[g]!,
      within_sd: withinSd[g]!,
      pairs: pairsOf(members[g]!).length,
    })),
    between,
    between_sd: betweenSd,
    between_pairs: crossPairs,
    conv,
  };
}

function pairsOf(members: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let a = 0; a < members.length; a++) for (let b = a + 1; b < members.length; b++) out.push([members[a]!, members[b]!]);
  return out;
}

function meanOf(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

function sdOf(values: readonly number[]): number | null {
  const mu = meanOf(values);
  if (mu === null) return null;
  return Math.sqrt(values.reduce((s, v) => s + (v - mu) ** 2, 0) / values.length);
}
