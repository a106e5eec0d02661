import { layerIdentification, type IdentificationResult } from '../../analyses/layer-identification.js';
import { defineCommand } from '../command.js';
import { fixed, parseStepRef, runAnalysis, table } from './analysis-args.js';

const USAGE = 'svcca-studio identify WORKSPACE [--runs R1,R2,… | --group G] [--step final|N] [--methods cka,cka-debiased,cka-rbf,svcca,pwcca] [--conv flatten|channels] [--json]';

export const identifyCommand = defineCommand({
  name: 'identify',
  usage: USAGE,
  summary: "Kornblith et al.'s sanity check: across nets differing only in their seed, how often each method finds a layer's counterpart as its most similar layer",
  options: {
    db: { type: 'string', description: 'index file' },
    runs: { type: 'string', description: 'comma-separated runs (default all)' },
    group: { type: 'string', description: 'only this group\'s runs' },
    step: { type: 'string', description: 'checkpoint (default each run\'s last)' },
    methods: { type: 'string', description: 'comma-separated (default cka,cka-debiased,cka-rbf,svcca,pwcca)' },
    conv: { type: 'string', choices: ['flatten', 'channels'], description: 'conv layers (default flatten)' },
    keep: { type: 'number' },
    dims: { type: 'number', integer: true, min: 1 },
    sigma: { type: 'number', description: 'cka-rbf: σ as a fraction of the median distance (default 0.5)' },
    epsilon: { type: 'number', min: 0 },
  },
  async run({ positionals, options }, io) {
    return runAnalysis(positionals, options.db, io, USAGE, async (index, context) => {
      const result = await layerIdentification(
        index,
        {
          runs: options.runs?.split(',').filter(Boolean),
          group: options.group,
          step: parseStepRef(options.step, 'step'),
          methods: options.methods?.split(',').filter(Boolean),
          conv: options.conv as 'flatten' | 'channels' | undefined,
          keep: options.keep,
          dims: options.dims,
          sigma: options.sigma,
          epsilon: options.epsilon,
        },
        context,
      );
      io.result(result, () => describe(result));
    });
  },
});

function describe(r: IdentificationResult): string {
  return [
    `layer identification over ${r.runs.length} runs (${r.cases} cases per method, conv ${r.conv})`,
    table(['method', 'accuracy', ...r.layers], r.methods.map((m) => [m, fixed(r.accuracy[m], 3), ...r.layers.map((l) => fixed(r.per_layer[m]![l], 2))])),
  ].join('\n');
}
