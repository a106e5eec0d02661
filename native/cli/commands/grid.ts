import { runGrid } from '../../analyses/grid.js';
import type { GridResult } from '../../api/contract.js';
import { UsageError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { fixed, parseStepRef, requireOption, runAnalysis, table } from './analysis-args.js';
import { measureFields, measureOptionSpecs } from './measure-args.js';

const USAGE = 'svcca-studio grid WORKSPACE --runs A,B [--step final|N] [--method M] [--conv channels|flatten|mean|dft] [--json]';

export const gridCommand = defineCommand({
  name: 'grid',
  usage: USAGE,
  summary: 'cross-network layers × layers grid (Raghu et al. 2017, SVCCA, Fig. 7, Raghu et al. 2017, SVCCA workshop version, Fig. 6): every layer of net A against every layer of net B, different depths allowed, with relative depths',
  options: {
    runs: { type: 'string', description: 'the two runs, A,B' },
    step: { type: 'string', description: "checkpoint: 'final' (default: each run's last) or a step number both have" },
    ...measureOptionSpecs,
    method: { ...measureOptionSpecs.method, description: 'the measure (default cka)' },
  },
  async run({ positionals, options }, io) {
    const runs = requireOption(options.runs, 'runs', USAGE).split(',').map((s) => s.trim());
    if (runs.length !== 2 || runs.some((r) => r === '')) throw new UsageError(`--runs takes two runs, A,B; usage: ${USAGE}`);
    const step = parseStepRef(options.step, 'step');
    return runAnalysis(positionals, options.db, io, USAGE, async (index, context) => {
      const result = await runGrid(index, { runs: [runs[0]!, runs[1]!], ...(step !== undefined ? { step } : {}), ...measureFields(options) }, context);
      io.result(result, () => describe(result));
    });
  },
});

function describe(r: GridResult): string {
  return [
    `${r.method}: layers of ${r.runs[0]} (rows, step ${r.steps[0]}) × layers of ${r.runs[1]} (columns, step ${r.steps[1]})`,
    table(['', ...r.layers_b], r.layers_a.map((l, i) => [l, ...r.grid[i]!.map((v, j) => `${fixed(v)}${r.best_b[i] === j ? '*' : ' '}`)])),
    '(* = most similar layer of B)',
  ].join('\n');
}
