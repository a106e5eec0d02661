import type { Method } from '../../api/contract.js';
import { METHODS } from '../../api/contract.js';
import { runDynamics, type RunDynamicsResult } from '../../analyses/dynamics.js';
import { runGroupDynamics, type GroupDynamicsResult } from '../../analyses/group-dynamics.js';
import { UsageError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { fixed, parseStepRef, runAnalysis, table } from './analysis-args.js';

const USAGE =
  'svcca-studio dynamics WORKSPACE (--run R | --group G) [--method M] [--reference final|N] [--threshold T] [--conv channels|flatten|dft] [--keep F | --dims K] [--against RUN] [--json]';

export const dynamicsCommand = defineCommand({
  name: 'dynamics',
  usage: USAGE,
  summary:
    'learning dynamics: every layer at every checkpoint against every layer of the final one (layers × layers × checkpoints tensor, SVCCA coefficients and summaries), similarity to final, convergence steps, a Freeze Training hint, class sensitivity',
  options: {
    db: { type: 'string', description: 'index file' },
    run: { type: 'string', description: 'the run' },
    group: { type: 'string', description: 'a group (run.json "group"): mean over its runs with several checkpoints' },
    method: { type: 'string', choices: METHODS, description: 'headline similarity (default svcca)' },
    reference: { type: 'string', description: 'checkpoint compared against (default the last)' },
    threshold: { type: 'number', min: 0, max: 1, description: 'convergence threshold on similarity to final (default 0.9)' },
    conv: { type: 'string', choices: ['channels', 'flatten', 'dft', 'mean'], description: 'conv layers (default channels)' },
    keep: { type: 'number', description: 'SVCCA: fraction of singular values kept (default 0.99)' },
    dims: { type: 'number', integer: true, min: 1, description: 'SVCCA: directions kept' },
    epsilon: { type: 'number', min: 0, description: 'relative variance below which a neuron is dropped' },
    layout: { type: 'string', choices: ['nhwc', 'nchw', 'ntc'] },
    'neurons-first': { type: 'boolean' },
    'no-classes': { type: 'boolean', description: 'leave out class sensitivity' },
    against: { type: 'string', description: "compare against another run's checkpoint (--reference, default its last) instead of the run's own" },
  },
  async run({ positionals, options }, io) {
    if ((options.run === undefined) === (options.group === undefined)) throw new UsageError(`give --run or --group; usage: ${USAGE}`);
    const request = {
      method: options.method as Method | undefined,
      reference: parseStepRef(options.reference, 'reference'),
      threshold: options.threshold,
      conv: options.conv as 'channels' | 'flatten' | 'dft' | 'mean' | undefined,
      keep: options.keep,
      dims: options.dims,
      epsilon: options.epsilon,
      layout: options.layout as 'nhwc' | 'nchw' | 'ntc' | undefined,
      neuronsFirst: options['neurons-first'],
      classSensitivity: !options['no-classes'],
      ...(options.against !== undefined ? { against: options.against } : {}),
    };
    return runAnalysis(positionals, options.db, io, USAGE, async (index, context) => {
      if (options.run !== undefined) {
        const result = await runDynamics(index, { ...request, run: options.run }, context);
        io.result(result, () => describeRun(result));
      } else {
        const result = await runGroupDynamics(index, { ...request, group: options.group! }, context);
        io.result(result, () => describeGroup(result));
      }
    });
  },
});

function timelineTable(layers: string[], steps: Array<number | 'final'>, toFinal: Record<string, number[]>, convergedAt: Record<string, unknown>): string {
  return table(
    ['layer', ...steps.map((s) => `step ${s}`), 'converged at'],
    layers.map((l) => [l, ...toFinal[l]!.map((v) => fixed(v)), String(convergedAt[l] ?? '—')]),
  );
}

function describeRun(r: RunDynamicsResult): string {
  const target = r.against ? `the same-named layer of ${r.against} at step ${r.reference}` : `itself at step ${r.reference}`;
  const known = r.layers.filter((l) => r.to_final[l] !== undefined);
  const lines = [
    `${r.run}: ${r.method} similarity of each layer with ${target} (conv ${r.conv}; converged = stays ≥ ${r.threshold})`,
    timelineTable(known, r.steps, r.to_final, r.converged_at),
  ];
  const hint = r.freeze_hint;
  if (hint) {
    lines.push(
      '',
      `Freeze Training hint (${hint.cost_model} cost model, ${hint.total_steps} steps): ` +
        hint.schedule.map((e) => `${e.layer} ${e.freeze_at === null ? 'never' : `@${e.freeze_at}`}`).join(', '),
      `  saves ${(100 * hint.backward_saved).toFixed(1)}% of backward, ${(100 * hint.training_saved).toFixed(1)}% of training compute ` +
        `(the paper's linear schedule: ${(100 * hint.linear_schedule.backward_saved).toFixed(1)}% / ${(100 * hint.linear_schedule.training_saved).toFixed(1)}%)`,
    );
  }
  const columns = r.reference_layers ?? r.layers;
  // The pane just before the reference (against another run: the run's last checkpoint).
  const at = r.against ? r.steps.length - 1 : Math.max(0, r.steps.indexOf(r.reference) - 1);
  if (r.tensor.length > 1 || r.against) {
    const pane = r.tensor[at]!;
    lines.push('', `layers at step ${r.steps[at]} (rows) × layers${r.against ? ` of ${r.against}` : ''} at step ${r.reference} (columns):`);
    lines.push(table(['', ...columns], r.layers.map((l, i) => [l, ...pane[i]!.map((v) => fixed(v))])));
  }
  if (r.crawl) {
    lines.push('', 'most similar reference layer at each step (representation crawl, Raghu et al. 2017, bottom-up, Fig. 3):');
    lines.push(table(['layer', ...r.steps.map((s) => `step ${s}`)], r.layers.map((l) => [l, ...r.crawl!.checkpoint_to_final[l]!])));
  }
  return lines.join('\n');
}

function describeGroup(r: GroupDynamicsResult): string {
  return [
    `group ${r.group}: mean ${r.method} similarity to final over ${r.runs.length} run(s) (${r.runs.join(', ')})`,
    timelineTable(r.layers, r.steps, r.to_final, r.converged_at),
  ].join('\n');
}
