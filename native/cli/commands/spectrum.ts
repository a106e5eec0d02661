import { runSpectrum, type SpectrumResult } from '../../analyses/intrinsic-dim.js';
import { UsageError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { requireOption, runAnalysis, table } from './analysis-args.js';

const USAGE = 'svcca-studio spectrum WORKSPACE --run R [--conv channels|flatten] [--fractions 0.9,0.99] [--json]';

export const spectrumCommand = defineCommand({
  name: 'spectrum',
  usage: USAGE,
  summary: "intrinsic dimensionality: singular-value spectra of every layer at every checkpoint and the k that keeps 90% / 99% (SVCCA's sum of singular values, and of variance)",
  options: {
    db: { type: 'string', description: 'index file' },
    run: { type: 'string', description: 'the run' },
    conv: { type: 'string', choices: ['channels', 'flatten', 'mean'], description: 'conv layers (default channels)' },
    fractions: { type: 'string', description: 'comma-separated fractions (default 0.9,0.99)' },
    epsilon: { type: 'number', min: 0 },
    layout: { type: 'string', choices: ['nhwc', 'nchw', 'ntc'] },
    'neurons-first': { type: 'boolean' },
  },
  async run({ positionals, options }, io) {
    const run = requireOption(options.run, 'run', USAGE);
    const fractions = options.fractions?.split(',').map((f) => {
      const v = Number(f);
      if (f.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--fractions must be numbers like 0.9,0.99, got '${options.fractions}'`);
      return v;
    });
    return runAnalysis(positionals, options.db, io, USAGE, async (index, context) => {
      const result = await runSpectrum(
        index,
        {
          run,
          conv: options.conv as 'channels' | 'flatten' | 'mean' | undefined,
          fractions,
          epsilon: options.epsilon,
          layout: options.layout as 'nhwc' | 'nchw' | 'ntc' | undefined,
          neuronsFirst: options['neurons-first'],
        },
        context,
      );
      io.result(result, () => describe(result));
    });
  },
});

function describe(r: SpectrumResult): string {
  const lines = [`${r.run}: directions needed (sum of singular values / of variance), conv ${r.conv}`];
  for (const f of r.fractions) {
    const key = String(f);
    lines.push('', `${(100 * f).toFixed(f >= 0.999 ? 1 : 0)}%:`);
    lines.push(
      table(
        ['layer', 'neurons', ...r.steps.map((s) => `step ${s}`)],
        r.layers.map((l) => [l, String(r.neurons[l]), ...r.steps.map((_, i) => `${r.k[key]![l]![i]} / ${r.k_variance[key]![l]![i]}`)]),
      ),
    );
  }
  return lines.join('\n');
}
