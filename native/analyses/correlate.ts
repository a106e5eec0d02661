/**
 * Similarity against what a run achieved ([Morcos2018-PWCCA] sec. 3.2, Fig. 4b): each run's mean similarity to every other run at
 * one layer and checkpoint, against a number the run recorded — a metric at that checkpoint (`probe_acc`,
 * `train_acc`, any key of run.json's `metrics` rows) or a numeric run.json key (`lr`, `width`, …). Pearson and
 * Spearman correlations with two-sided p-values (correlation.ts).
 *
 * Mean similarity of run i: the mean over j ≠ i of the symmetric (S[i][j] + S[j][i]) / 2 — the same symmetric part
 * the clustering and the group statistics use, since PWCCA (the default, as in the paper) is not symmetric. Runs
 * without a value for the metric are left out before anything is compared, and listed in `skipped`.
 */
import type { CorrelateRequest, CorrelateResult, Method, RunInfo } from '../domain/index.js';
import { InputError, UsageError } from '../errors.js';
import type { WorkspaceIndex } from '../index/index.js';
import { ProgressCounter, type AnalysisContext } from './context.js';
import { correlationStats } from './correlation.js';
import { measurerFor, pairCount, runsAt, similarityMatrix } from './run-similarity.js';
import { stepValue, type Step } from './run-layers.js';

export const DEFAULT_CORRELATE_METHOD: Method = 'pwcca';

export async function runCorrelate(store: WorkspaceIndex, request: CorrelateRequest, context: AnalysisContext = {}): Promise<CorrelateResult> {
  const method = request.method ?? DEFAULT_CORRELATE_METHOD;
  const { measurer } = measurerFor({ ...request, method });
  if (!request.metric) throw new UsageError('correlate needs a metric (--metric KEY)');
  const step = request.step ?? 'final';
  const all = runsAt(store, request.runs, step, { layout: request.layout, neuronsFirst: request.neuronsFirst });
  const source = all.some((r) => r.run.info.metrics.some((row) => row[request.metric] !== undefined)) ? 'metrics' : 'run.json';
  const valued = all.map((r) => ({ ...r, value: metricValue(r.run.info, r.step, request.metric, source) }));
  const kept = valued.filter((r) => r.value !== null);
  const skipped = valued.filter((r) => r.value === null).map((r) => r.run.name);
  if (kept.length < 3) {
    throw new InputError(store.root, `only ${kept.length} run(s) have a numeric "${request.metric}"${source === 'metrics' ? ' at the checkpoint compared' : ' in run.json'}; a correlation needs at least 3`);
  }
  const progress = new ProgressCounter(context, 'correlate', pairCount(kept.length, method));
  const s = await similarityMatrix(kept, request.layer, measurer, method, progress);
  const n = kept.length;
  const meanSimilarity = s.map((row, i) => row.reduce((sum, v, j) => (j === i ? sum : sum + (v + s[j]![i]!) / 2), 0) / (n - 1));
  const metricValues = kept.map((r) => r.value!);
  const stats = correlationStats(meanSimilarity, metricValues);
  // The contract's fields first, in its order; then this project's.
  return {
    layer: request.layer,
    metric: request.metric,
    runs: kept.map((r) => r.run.name),
    mean_similarity: meanSimilarity,
    metric_values: metricValues,
    pearson: stats.pearson,
    spearman: stats.spearman,
    p_value: stats.p_value,
    method,
    step,
    steps: kept.map((r) => r.step),
    spearman_p_value: stats.spearman_p_value,
    skipped,
    source,
  };
}

/** A run's value of `key`: its metrics row at the checkpoint (the last row for `final`), or its run.json key. */
export function metricValue(info: RunInfo, step: Step, key: string, source: 'metrics' | 'run.json'): number | null {
  if (source === 'run.json') {
    const v = info.meta[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  }
  const at = step === 'final' ? stepValue(step, info) : step;
  const row = info.metrics.find((m) => m.step === at) ?? (step === 'final' ? info.metrics[info.metrics.length - 1] : undefined);
  const v = row?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
