import type { Method } from '../../api/contract.js';
import { METHODS } from '../../api/contract.js';
import { runDynamics } from '../../analyses/dynamics.js';
import { InputError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { requireOption, runAnalysis, table } from './analysis-args.js';

const USAGE = 'svcca-studio freeze WORKSPACE --run R [--method M] [--threshold T] [--conv channels|flatten|dft] [--json]';

export const freezeCommand = defineCommand({
  name: 'freeze',
  usage: USAGE,
  summary: 'Freeze Training hint (Raghu et al. 2017, SVCCA, sec. 4.2): from when each layer settles to its final form, a freeze schedule and the share of backward computation it saves',
  options: {
    db: { type: 'string', description: 'index file' },
    run: { type: 'string', description: 'the run (needs several checkpoints)' },
    method: { type: 'string', choices: METHODS, description: 'default svcca' },
    threshold: { type: 'number', min: 0, max: 1, description: 'convergence threshold (default 0.9)' },
    conv: { type: 'string', choices: ['channels', 'flatten', 'dft', 'mean'] },
    keep: { type: 'number' },
    epsilon: { type: 'number', min: 0 },
  },
  async run({ positionals, options }, io) {
    const run = requireOption(options.run, 'run', USAGE);
    return runAnalysis(positionals, options.db, io, USAGE, async (index, context) => {
      const d = await runDynamics(
        index,
        {
          run,
          method: options.method as Method | undefined,
          threshold: options.threshold,
          conv: options.conv as 'channels' | 'flatten' | 'dft' | 'mean' | undefined,
          keep: options.keep,
          epsilon: options.epsilon,
          classSensitivity: false,
        },
        context,
      );
      const hint = d.freeze_hint;
      if (!hint) throw new InputError(index.root, `run "${run}" has no numeric training steps to schedule against (its checkpoints: ${d.steps.join(', ')})`);
      const result = { run: d.run, method: d.method, threshold: d.threshold, layers: d.layers, converged_at: d.converged_at, ...hint };
      io.result(result, () =>
        [
          `${d.run}: freeze each layer once it and every layer below it stay ≥ ${d.threshold} ${d.method}-similar to their final form (${hint.total_steps} steps, ${hint.cost_model} cost model)`,
          table(
            ['layer', 'forward flops', 'converged at', 'freeze at', 'frozen'],
            hint.schedule.map((e) => [e.layer, String(hint.layer_flops[e.layer]), String(e.converged_at ?? '—'), String(e.freeze_at ?? 'never'), `${(100 * e.frozen_fraction).toFixed(1)}%`]),
          ),
          `saves ${(100 * hint.backward_saved).toFixed(1)}% of backward and ${(100 * hint.training_saved).toFixed(1)}% of all training computation`,
          `the paper's linear schedule (${hint.linear_schedule.freeze_at.map((s) => s ?? 'never').join(', ')}): ${(100 * hint.linear_schedule.backward_saved).toFixed(1)}% / ${(100 * hint.linear_schedule.training_saved).toFixed(1)}%`,
        ].join('\n'),
      );
    });
  },
});
