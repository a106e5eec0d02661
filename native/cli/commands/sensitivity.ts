import type { Method } from '../../api/contract.js';
import { BASIS_METHODS } from '../../measures/compare.js';
import { runClassSensitivity, type ClassSensitivityResult } from '../../analyses/class-sensitivity.js';
import { defineCommand } from '../command.js';
import { fixed, parseStepRef, requireOption, runAnalysis, table } from './analysis-args.js';

const USAGE = 'svcca-studio sensitivity WORKSPACE --run R [--target logits|labels] [--method M] [--reference final|N] [--conv channels|flatten] [--json]';

export const sensitivityCommand = defineCommand({
  name: 'sensitivity',
  usage: USAGE,
  summary: 'class sensitivity: similarity of every layer with each class logit (or label indicator) per checkpoint; which classes are learned early, which behave alike',
  options: {
    db: { type: 'string', description: 'index file' },
    run: { type: 'string', description: 'the run' },
    target: { type: 'string', choices: ['logits', 'labels'], description: "a class is its logit at the reference checkpoint (default) or its probe-label indicator" },
    method: { type: 'string', choices: BASIS_METHODS, description: 'default svcca' },
    reference: { type: 'string', description: 'checkpoint whose logits are the targets (default the last)' },
    conv: { type: 'string', choices: ['channels', 'flatten'], description: 'conv layers: globally pooled (default) or flattened' },
    keep: { type: 'number' },
    dims: { type: 'number', integer: true, min: 1 },
    epsilon: { type: 'number', min: 0 },
    fraction: { type: 'number', min: 0, max: 1, description: 'learned_at: share of the final value to reach and keep (default 0.9)' },
    layout: { type: 'string', choices: ['nhwc', 'nchw', 'ntc'] },
    'neurons-first': { type: 'boolean' },
  },
  async run({ positionals, options }, io) {
    const run = requireOption(options.run, 'run', USAGE);
    return runAnalysis(positionals, options.db, io, USAGE, async (index, context) => {
      const result = await runClassSensitivity(
        index,
        {
          run,
          target: options.target as 'logits' | 'labels' | undefined,
          method: options.method as Method | undefined,
          reference: parseStepRef(options.reference, 'reference'),
          conv: options.conv as 'channels' | 'flatten' | undefined,
          keep: options.keep,
          dims: options.dims,
          epsilon: options.epsilon,
          fraction: options.fraction,
          layout: options.layout as 'nhwc' | 'nchw' | 'ntc' | undefined,
          neuronsFirst: options['neurons-first'],
        },
        context,
      );
      io.result(result, () => describe(result));
    });
  },
});

function describe(r: ClassSensitivityResult): string {
  const ref = r.steps.indexOf(r.reference);
  return [
    `${r.run}: ${r.method} similarity of each layer with each class ${r.target === 'logits' ? 'logit' : 'indicator'} at step ${r.reference}`,
    table(['class', ...r.layers], r.classes.map((c, i) => [c, ...r.similarity[ref]![i]!.map((v) => fixed(v))])),
    '',
    `timeline (mean over ${r.hidden_layers.join(', ')}) and when each class is learned (stays ≥ ${r.fraction} of its final value):`,
    table(['class', ...r.steps.map((s) => `step ${s}`), 'learned at'], r.classes.map((c) => [c, ...r.timeline[c]!.map((v) => fixed(v)), String(r.learned_at[c] ?? '—')])),
    '',
    `learned earliest first: ${r.early_order.join(' ')}`,
    `classes that behave alike sit together: ${r.class_order.join(' ')}`,
  ].join('\n');
}
