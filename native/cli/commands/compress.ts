import { runCompress, type RunCompressResult } from '../../analyses/compression.js';
import { defineCommand } from '../command.js';
import { fixed, parseStepRef, requireOption, runAnalysis, table } from './analysis-args.js';

const USAGE = 'svcca-studio compress WORKSPACE --run R --layer L [--step final|N] [--next-weights NAME] [--against RUN] [--draws D] [--seed S] [--json]';

export const compressCommand = defineCommand({
  name: 'compress',
  usage: USAGE,
  summary:
    "compression preview: accuracy when layer L is projected onto k directions, (W Pᵀ)(P x), for k = 1..n — SVCCA against the logits, SVD, k random and k most active neurons; the smallest k within 0.5 points and what it saves",
  options: {
    db: { type: 'string', description: 'index file' },
    run: { type: 'string', description: 'the run' },
    layer: { type: 'string', description: 'the layer to compress' },
    step: { type: 'string', description: 'checkpoint (default the last)' },
    'next-weights': { type: 'string', description: 'parameter name of the next layer (<NAME>.weight, <NAME>.bias); default the layer after L' },
    against: { type: 'string', description: 'also rank directions by SVCCA against this run\'s same layer (svcca_net)' },
    draws: { type: 'number', integer: true, min: 1, description: 'random-neuron draws averaged (default 10)' },
    seed: { type: 'number', integer: true, min: 0, description: 'seed of the random draws (default 1)' },
    layout: { type: 'string', choices: ['nhwc', 'nchw', 'ntc'] },
  },
  async run({ positionals, options }, io) {
    const run = requireOption(options.run, 'run', USAGE);
    const layer = requireOption(options.layer, 'layer', USAGE);
    return runAnalysis(positionals, options.db, io, USAGE, async (index, context) => {
      const result = await runCompress(
        index,
        {
          run,
          layer,
          step: parseStepRef(options.step, 'step'),
          nextWeights: options['next-weights'],
          against: options.against,
          draws: options.draws,
          seed: options.seed,
          layout: options.layout as 'nhwc' | 'nchw' | 'ntc' | undefined,
        },
        context,
      );
      io.result(result, () => describe(result));
    });
  },
});

function describe(r: RunCompressResult): string {
  const methods = Object.keys(r.accuracy);
  const marks = new Set<number>([1, 2, 3, 5, 8, 10, 16, 20, 32, 50, 64, 100, 128, 200, 256, 512, r.n, ...Object.values(r.smallest_k)].filter((k) => k <= r.n));
  const ks = [...marks].sort((a, b) => a - b);
  const s = r.savings;
  return [
    `${r.run} ${r.layer} at step ${r.step}: ${r.n} neurons${r.flattened ? ' (flattened h·w·c)' : ''} → ${r.next_layers.map((l) => `${l.name} (${l.activation})`).join(' → ')}`,
    `full accuracy ${fixed(r.full_accuracy, 4)}${r.run_json_accuracy !== null ? ` (run.json: ${r.run_json_accuracy})` : ''}`,
    '',
    table(['k', ...methods], ks.map((k) => [String(k), ...methods.map((m) => fixed(r.accuracy[m]![k - 1], 4))])),
    '',
    `smallest k within 0.5 points: ${methods.map((m) => `${m} ${r.smallest_k[m]}`).join(', ')}`,
    `at k = ${s.k} (svcca): next layer ${s.params_full} → ${s.params_compressed} weights (${(100 * s.params_saved_fraction).toFixed(1)}% saved; ` +
      `break-even k = ${s.break_even_k}), ${s.flops_full} → ${s.flops_compressed} flops per datapoint`,
  ].join('\n');
}
