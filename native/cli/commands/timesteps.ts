import { runTimesteps } from '../../analyses/timesteps.js';
import type { Layout, Method, TimestepsResult } from '../../api/contract.js';
import { BASIS_METHOD_NAMES } from '../../api/contract.js';
import { UsageError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { fixed, parseStepRef, requireOption, runAnalysis, table } from './analysis-args.js';

const USAGE = 'svcca-studio timesteps WORKSPACE --run R --layer L [--step final|N] [--timesteps 0,5,10] [--method M] [--json]';

export const timestepsCommand = defineCommand({
  name: 'timesteps',
  usage: USAGE,
  summary: 'sequence timesteps (Morcos et al. 2018, sec. 4, App. A.3): a (datapoints, timesteps, units) layer such as an RNN hidden state, timestep × timestep similarity',
  options: {
    run: { type: 'string', description: 'the run' },
    layer: { type: 'string', description: 'the sequence layer' },
    step: { type: 'string', description: "checkpoint (default the last)" },
    timesteps: { type: 'string', description: 'comma-separated timesteps, 0-based (default all)' },
    method: { type: 'string', choices: BASIS_METHOD_NAMES, description: 'the measure (default svcca)' },
    keep: { type: 'number', min: 0, max: 1 },
    dims: { type: 'number', integer: true, min: 1 },
    epsilon: { type: 'number', min: 0 },
    layout: { type: 'string', choices: ['ntc', 'nchw', 'nhwc'], description: 'ntc: (m, T, n) (default); nchw: (m, n, T); nhwc: a conv layer, its positions as the steps' },
    db: { type: 'string', description: 'index file' },
  },
  async run({ positionals, options }, io) {
    const run = requireOption(options.run, 'run', USAGE);
    const layer = requireOption(options.layer, 'layer', USAGE);
    const step = parseStepRef(options.step, 'step');
    const timesteps = options.timesteps?.split(',').map((t) => {
      if (!/^\d+$/.test(t.trim())) throw new UsageError(`--timesteps must be whole numbers like 0,5,10, got '${options.timesteps}'`);
      return Number(t);
    });
    return runAnalysis(positionals, options.db, io, USAGE, async (index, context) => {
      const result = await runTimesteps(
        index,
        {
          run,
          layer,
          ...(step !== undefined ? { step } : {}),
          ...(timesteps ? { timesteps } : {}),
          ...(options.method !== undefined ? { method: options.method as Method } : {}),
          ...(options.keep !== undefined ? { keep: options.keep } : {}),
          ...(options.dims !== undefined ? { dims: options.dims } : {}),
          ...(options.epsilon !== undefined ? { epsilon: options.epsilon } : {}),
          ...(options.layout !== undefined ? { layout: options.layout as Layout } : {}),
        },
        context,
      );
      io.result(result, () => describe(result));
    });
  },
});

function describe(r: TimestepsResult): string {
  return [
    `${r.run} ${r.layer} at step ${r.step}: ${r.method} similarity of the hidden state across timesteps (${r.datapoints} datapoints × ${r.units} units, ${r.length} timesteps)`,
    table(['', ...r.timesteps.map((t) => `t${t}`)], r.timesteps.map((t, a) => [`t${t}`, ...r.matrix[a]!.map((v) => fixed(v))])),
  ].join('\n');
}
