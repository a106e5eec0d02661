import { runStability } from '../../analyses/stability.js';
import type { StabilityResult } from '../../api/contract.js';
import { defineCommand } from '../command.js';
import { fixed, parseStepRef, requireOption, runAnalysis, table } from './analysis-args.js';
import { layerFields, layerOptionSpecs } from './measure-args.js';

const USAGE = 'svcca-studio stability WORKSPACE --run R --layer L [--early STEP] [--mid STEP] [--top K] [--conv channels|flatten|mean] [--json]';

export const stabilityCommand = defineCommand({
  name: 'stability',
  usage: USAGE,
  summary: 'stable vs unstable directions (Morcos et al. 2018, Fig. 1): the K best and K worst converged canonical directions of a layer (early × middle checkpoint) against the layer at every step, and every step\'s coefficients against the last',
  options: {
    run: { type: 'string', description: 'the run' },
    layer: { type: 'string', description: 'the layer' },
    early: { type: 'string', description: 'checkpoint whose directions are ranked (default the second)' },
    mid: { type: 'string', description: 'checkpoint they are ranked against (default the one nearest half the last step)' },
    top: { type: 'number', integer: true, min: 1, description: 'K (default a quarter of the directions, at most 100)' },
    ...layerOptionSpecs,
  },
  async run({ positionals, options }, io) {
    const run = requireOption(options.run, 'run', USAGE);
    const layer = requireOption(options.layer, 'layer', USAGE);
    const early = parseStepRef(options.early, 'early');
    const mid = parseStepRef(options.mid, 'mid');
    return runAnalysis(positionals, options.db, io, USAGE, async (index, context) => {
      const result = await runStability(
        index,
        { run, layer, ...(early !== undefined ? { early } : {}), ...(mid !== undefined ? { mid } : {}), ...(options.top !== undefined ? { top: options.top } : {}), ...layerFields(options) },
        context,
      );
      io.result(result, () => describe(result));
    });
  },
});

function describe(r: StabilityResult): string {
  return [
    `${r.run} ${r.layer}: the ${r.top} best and ${r.top} worst canonical directions of step ${r.early} (ranked against step ${r.mid}) against the layer at each step (mean CCA)`,
    table(
      ['step', 'stable', 'unstable', `mean ρ vs ${r.final}`],
      r.steps.map((s, t) => [String(s), fixed(r.stable[t]), fixed(r.unstable[t]), fixed(r.coefficients[t]!.reduce((a, b) => a + b, 0) / Math.max(1, r.coefficients[t]!.length))]),
    ),
  ].join('\n');
}
