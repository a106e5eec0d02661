import { runSignificance, significance, significanceRows, type RunSignificanceResult, type SignificanceResult } from '../../analyses/significance.js';
import { ANALYSIS_METHODS, type AnalysisMethod } from '../../analyses/measure-kinds.js';
import { UsageError } from '../../errors.js';
import { loadLayer } from '../../layers/index.js';
import { defineCommand } from '../command.js';
import { analysisContext, fixed, parseStepRef, table, withIndex } from './analysis-args.js';

const USAGE =
  'svcca-studio significance (A B | WORKSPACE --layer L [--runs R1,R2,… | --group G] [--step final|N]) [--method M] [--permutations P] [--bootstrap B] [--level 0.95] [--seed S] [--json]';

export const significanceCommand = defineCommand({
  name: 'significance',
  usage: USAGE,
  summary: 'is a similarity more than noise? a noise floor (one side\'s datapoints shuffled) and a bootstrap interval over datapoints, for two arrays or for every pair of runs at a layer',
  options: {
    db: { type: 'string', description: 'index file (workspace form)' },
    layer: { type: 'string', description: 'workspace form: the layer' },
    runs: { type: 'string', description: 'workspace form: comma-separated runs (default all holding the layer)' },
    group: { type: 'string', description: 'workspace form: only this group\'s runs' },
    step: { type: 'string', description: 'workspace form: checkpoint (default each run\'s last)' },
    method: { type: 'string', choices: ANALYSIS_METHODS, description: 'default svcca' },
    keep: { type: 'number' },
    dims: { type: 'number', integer: true, min: 1 },
    epsilon: { type: 'number', min: 0 },
    sigma: { type: 'number', description: 'cka-rbf: σ as a fraction of the median distance (default 0.5)' },
    conv: { type: 'string', choices: ['channels', 'flatten', 'mean'], description: 'conv layers (default channels)' },
    permutations: { type: 'number', integer: true, min: 0, description: 'shuffles for the noise floor (default 100)' },
    bootstrap: { type: 'number', integer: true, min: 0, description: 'bootstrap resamples (default 100)' },
    level: { type: 'number', description: 'interval level (default 0.95)' },
    seed: { type: 'number', integer: true, min: 0, description: 'default 1' },
    layout: { type: 'string', choices: ['nhwc', 'nchw', 'ntc'] },
    'neurons-first': { type: 'boolean' },
  },
  async run({ positionals, options }, io) {
    const method = (options.method ?? 'svcca') as AnalysisMethod;
    const common = {
      method,
      keep: options.keep,
      dims: options.dims,
      epsilon: options.epsilon,
      sigma: options.sigma,
      permutations: options.permutations,
      bootstrap: options.bootstrap,
      level: options.level,
      seed: options.seed,
    };
    const conv = (options.conv ?? 'channels') as 'channels' | 'flatten' | 'mean';
    const layerOptions = { layout: options.layout as 'nhwc' | 'nchw' | 'ntc' | undefined, neuronsFirst: options['neurons-first'] };
    const context = analysisContext(io);
    try {
      if (positionals.length === 2) {
        if (options.layer !== undefined || options.runs !== undefined || options.group !== undefined) throw new UsageError(`--layer, --runs and --group belong to the workspace form; usage: ${USAGE}`);
        const [a, b] = await Promise.all(positionals.map((p) => loadLayer(p, layerOptions)));
        const ra = significanceRows(a!, conv);
        const rb = significanceRows(b!, conv);
        if (ra.rowsPerDatapoint !== rb.rowsPerDatapoint) throw new UsageError('the two conv layers have different grids; compare them with --conv flatten');
        const result = await significance(ra.matrix, rb.matrix, { ...common, rowsPerDatapoint: ra.rowsPerDatapoint }, context, [a!.ref, b!.ref]);
        io.result({ a: a!.ref, b: b!.ref, ...result }, () => describeOne(a!.ref, b!.ref, result));
        return 0;
      }
      if (options.layer === undefined) throw new UsageError(`give two arrays A B, or a workspace with --layer; usage: ${USAGE}`);
      await withIndex(positionals, options.db, io, USAGE, async (index) => {
        const result = await runSignificance(
          index,
          {
            ...common,
            layer: options.layer!,
            runs: options.runs?.split(',').filter(Boolean),
            group: options.group,
            step: parseStepRef(options.step, 'step'),
            conv,
            ...layerOptions,
          },
          context,
        );
        io.result(result, () => describeRuns(result));
      });
      return 0;
    } finally {
      await context.dispose();
    }
  },
});

function noiseText(r: Pick<SignificanceResult, 'similarity' | 'noise_floor' | 'interval'>): string[] {
  const n = r.noise_floor;
  const i = r.interval;
  return [
    fixed(r.similarity, 4),
    n ? `${fixed(n.similarity, 4)} ± ${fixed(n.sd, 4)} (99%: ${fixed(n.q99, 4)})` : '—',
    n ? fixed(n.p_value, 4) : '—',
    i ? `[${fixed(i.low, 4)}, ${fixed(i.high, 4)}]` : '—',
  ];
}

function describeOne(a: string, b: string, r: SignificanceResult): string {
  return [`${r.method} of ${a} with ${b} over ${r.datapoints} datapoints (seed ${r.seed})`, table(['similarity', 'noise floor', 'p', 'interval'], [noiseText(r)])].join('\n');
}

function describeRuns(r: RunSignificanceResult): string {
  return [
    `${r.method} at layer ${r.layer} (conv ${r.conv}, seed ${r.seed}); noise floor = one side's datapoints shuffled; interval = bootstrap over datapoints`,
    table(['A', 'B', 'similarity', 'noise floor', 'p', 'interval'], r.pairs.map((p) => [p.a, p.b, ...noiseText(p)])),
  ].join('\n');
}
