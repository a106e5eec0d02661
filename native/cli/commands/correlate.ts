import { runCorrelate } from '../../analyses/correlate.js';
import type { CorrelateResult } from '../../api/contract.js';
import { defineCommand } from '../command.js';
import { fixed, parseStepRef, requireOption, runAnalysis, table } from './analysis-args.js';
import { measureFields, measureOptionSpecs } from './measure-args.js';

const USAGE = 'svcca-studio correlate WORKSPACE --layer L --metric KEY [--step final|N] [--method M] [--runs A,B,…] [--json]';

export const correlateCommand = defineCommand({
  name: 'correlate',
  usage: USAGE,
  summary: "similarity against what a run achieved (Morcos et al. 2018, Fig. 4b): each run's mean similarity to the others at a layer against a metric (probe_acc, train_acc) or numeric run.json key; Pearson, Spearman, p-value",
  options: {
    layer: { type: 'string', description: 'the layer' },
    metric: { type: 'string', description: 'a metric at the checkpoint (probe_acc, train_acc, …) or a numeric run.json key (lr, width, …)' },
    step: { type: 'string', description: "checkpoint: 'final' (default: each run's last) or a step number" },
    runs: { type: 'string', description: 'comma-separated runs (default all)' },
    ...measureOptionSpecs,
    method: { ...measureOptionSpecs.method, description: 'the measure (default pwcca)' },
  },
  async run({ positionals, options }, io) {
    const layer = requireOption(options.layer, 'layer', USAGE);
    const metric = requireOption(options.metric, 'metric', USAGE);
    const step = parseStepRef(options.step, 'step');
    return runAnalysis(positionals, options.db, io, USAGE, async (index, context) => {
      const result = await runCorrelate(
        index,
        { layer, metric, ...(step !== undefined ? { step } : {}), ...(options.runs !== undefined ? { runs: options.runs.split(',').filter(Boolean) } : {}), ...measureFields(options) },
        context,
      );
      io.result(result, () => describe(result));
    });
  },
});

function describe(r: CorrelateResult): string {
  return [
    `${r.layer}: each run's mean ${r.method} similarity to the other ${r.runs.length - 1} against ${r.metric} (${r.source})`,
    table(['run', 'step', 'mean similarity', r.metric], r.runs.map((name, i) => [name, String(r.steps[i]), fixed(r.mean_similarity[i]), String(r.metric_values[i])])),
    '',
    `Pearson r = ${fixed(r.pearson)} (p = ${r.p_value === null ? '—' : r.p_value.toPrecision(3)}), Spearman ρ = ${fixed(r.spearman)} (p = ${r.spearman_p_value === null ? '—' : r.spearman_p_value.toPrecision(3)})`,
    ...(r.skipped.length > 0 ? [`left out (no ${r.metric}): ${r.skipped.join(', ')}`] : []),
  ].join('\n');
}
