import { runGroups } from '../../analyses/groups.js';
import type { GroupsResult } from '../../api/contract.js';
import { defineCommand } from '../command.js';
import { fixed, parseStepRef, requireOption, runAnalysis, table } from './analysis-args.js';
import { measureFields, measureOptionSpecs } from './measure-args.js';

const USAGE = 'svcca-studio groups WORKSPACE --by KEY [--step final|N] [--method M] [--runs A,B,…] [--layers L1,L2,…] [--json]';

export const groupsCommand = defineCommand({
  name: 'groups',
  usage: USAGE,
  summary: 'generalizing vs memorizing per layer (Morcos et al. 2018, Fig. 3): for every layer, within-group and between-group distance (1 − similarity, PWCCA by default) with SDs, runs grouped by a run.json key',
  options: {
    by: { type: 'string', description: 'the run.json key to group by (labels, lr, group, …)' },
    step: { type: 'string', description: "checkpoint: 'final' (default: each run's last) or a step number" },
    runs: { type: 'string', description: 'comma-separated runs (default all)' },
    layers: { type: 'string', description: 'comma-separated layers (default every layer the runs share)' },
    ...measureOptionSpecs,
    method: { ...measureOptionSpecs.method, description: 'the measure (default pwcca)' },
  },
  async run({ positionals, options }, io) {
    const by = requireOption(options.by, 'by', USAGE);
    const step = parseStepRef(options.step, 'step');
    const list = (text: string | undefined): string[] | undefined => text?.split(',').map((s) => s.trim()).filter(Boolean);
    return runAnalysis(positionals, options.db, io, USAGE, async (index, context) => {
      const runs = list(options.runs);
      const layers = list(options.layers);
      const result = await runGroups(
        index,
        { by, ...(step !== undefined ? { step } : {}), ...(runs ? { runs } : {}), ...(layers ? { layers } : {}), ...measureFields(options) },
        context,
      );
      io.result(result, () => describe(result));
    });
  },
});

function describe(r: GroupsResult): string {
  const cell = (mean: number | null | undefined, sd: number | null | undefined): string => (mean === null || mean === undefined ? '—' : `${fixed(mean)} ± ${fixed(sd)}`);
  return [
    `distance 1 − ${r.method} by layer, runs grouped by ${r.by} (mean ± SD over pairs)`,
    table(
      ['layer', ...r.groups.map((g) => `within ${g.value} (${g.runs.length} runs)`), 'between'],
      r.layers.map((layer, l) => [layer, ...r.groups.map((g) => cell(g.within[l], g.within_sd[l])), cell(r.between[l], r.between_sd[l])]),
    ),
  ].join('\n');
}
