/**
 * `compare` for the app: the `compare` command's own pipeline (measures/compare-layers.ts), so the UI shows the
 * numbers the CLI prints, plus, on request, the significance analysis of the same pair (analyses/significance.ts):
 * a noise floor (B's datapoints shuffled) and a bootstrap interval — exactly what `svcca-studio significance A B
 * --permutations N --bootstrap K --seed S` prints for the same layers, since both call the one analysis.
 */
import { checkAnalysisMethod, type AnalysisMethod } from '../analyses/measure-kinds.js';
import { significance, significanceRows } from '../analyses/significance.js';
import { DEFAULT_SEED } from '../analyses/sampling.js';
import { CancelledError, UsageError } from '../errors.js';
import type { LayerData } from '../layers/index.js';
import { backendFields, loadLayerPair, measureLayers, planComparison, type ComparisonPlan } from '../measures/compare-layers.js';
import type { CompareRequest, CompareResult } from './contract.js';

export interface CompareContext {
  signal: AbortSignal;
  progress(done: number, total: number, label?: string): void;
}

export async function compareForStudio(request: CompareRequest, context: CompareContext): Promise<CompareResult> {
  const plan = planComparison(request);
  const shuffles = request.noiseFloor ?? 0;
  const resamples = request.bootstrap ?? 0;
  const extra = shuffles + resamples > 0 ? 1 + shuffles + resamples : 0;
  const total = 3 + extra;
  context.progress(0, total, 'Loading layers');
  const [a, b] = await loadLayerPair(request.a, request.b, plan);
  checkNotCancelled(context.signal);
  context.progress(2, total, 'Comparing');

  const result = await measureLayers(a, b, plan);
  checkNotCancelled(context.signal);
  const output: Record<string, unknown> = { ...result, ...(await backendFields(plan.choice)) };

  if (extra > 0) {
    const seed = request.seed ?? DEFAULT_SEED;
    const stats = await pairSignificance(a, b, plan, { permutations: shuffles, bootstrap: resamples, level: request.level, seed }, {
      signal: context.signal,
      onProgress: (done, _total, label) => context.progress(3 + done, total, `Significance: ${label}`),
    });
    if (stats.noise_floor) output['noise_floor'] = stats.noise_floor;
    if (stats.interval) output['interval'] = stats.interval;
    output['seed'] = seed;
  }
  context.progress(total, total, 'Done');
  return output as unknown as CompareResult;
}

/** The significance analysis on the pair as `compare` planned it; refuses the comparisons the analysis has no rows for. */
function pairSignificance(
  a: LayerData,
  b: LayerData,
  plan: ComparisonPlan,
  counts: { permutations: number; bootstrap: number; level: number | undefined; seed: number },
  context: { signal: AbortSignal; onProgress(done: number, total: number, label: string): void },
): ReturnType<typeof significance> {
  if (plan.conv === 'dft') throw new UsageError('a noise floor or bootstrap interval is measured on the layers themselves: use --conv channels or flatten, not dft');
  if (plan.options.pwccaCompat !== undefined) throw new UsageError('a noise floor or bootstrap interval uses the paper\'s PWCCA: drop --pwcca-compat reference');
  const method: AnalysisMethod = checkAnalysisMethod(plan.options.method);
  const conv = plan.conv;
  const ra = significanceRows(a, conv);
  const rb = significanceRows(b, conv);
  if (ra.rowsPerDatapoint !== rb.rowsPerDatapoint) throw new UsageError('the two conv layers have different grids; compare them with --conv flatten');
  const { keep, dims, epsilon } = plan.options;
  return significance(ra.matrix, rb.matrix, { method, keep, dims, epsilon, ...counts, rowsPerDatapoint: ra.rowsPerDatapoint }, context, [a.ref, b.ref]);
}

function checkNotCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError('compare');
}
