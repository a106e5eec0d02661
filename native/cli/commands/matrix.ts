import type { MatrixRequest, RunInfo, StepRef } from '../../api/contract.js';
import { METHODS } from '../../api/contract.js';
import { runMatrix, type MatrixExtras } from '../../compute/matrix.js';
import { parseShard, runMatrixShard, writePart } from '../../compute/matrix-shard.js';
import { UsageError } from '../../errors.js';
import { disposeKernels } from '../../kernels/index.js';
import type { MatrixResult } from '../../api/contract.js';
import { defineCommand } from '../command.js';
import { openIndexFromArgs } from './index-cmd.js';
import { runCluster } from './matrix-cluster.js';

const USAGE =
  'svcca-studio matrix WORKSPACE --layer L --method M [--step final|N] [--runs LIST|REGEX] [--group-by KEY] [--clusters K | --cut H] [--keep F | --dims K] [--epsilon E] [--pwcca-compat reference] [--conv channels|flatten|dft|mean] [--layout nhwc|nchw] [--neurons-first] [--backend auto|cpu|gpu] [--precision f64|f32] [--workers N] [--no-cache] [--db FILE] [--shard K/N --out PART.json | --slurm N [--submit] [--sbatch OPTS] [--out DIR] | --k8s N [--image I] [--workspace-claim C] [--parts-claim C] [--parallelism P] [--out DIR]] [--cpus C] [--json]';

export const matrixCommand = defineCommand({
  name: 'matrix',
  usage: USAGE,
  summary:
    'all-pairs similarity of one layer across runs (one decomposition per run, cached), average-linkage clustering, and within/between-group statistics by a run.json key',
  options: {
    layer: { type: 'string', description: 'the layer to compare (a name from run.json "layers" or a file stem)' },
    method: { type: 'string', choices: METHODS, description: 'the measure, as in compare' },
    step: { type: 'string', description: "checkpoint: 'final' (default: the final folder, else the last step), 'last', or a step number" },
    runs: { type: 'string', description: 'runs to include: comma-separated names, or a regular expression matched against run names' },
    'group-by': { type: 'string', description: 'a run.json key (labels, lr, group, …): within/between-group statistics with a permutation p-value' },
    clusters: { type: 'number', integer: true, min: 1, description: 'flat clusters from the dendrogram: at most K (scipy fcluster maxclust)' },
    cut: { type: 'number', description: 'flat clusters from the dendrogram: cut at height H of 1 − similarity (scipy fcluster distance)' },
    keep: { type: 'number', min: 0, max: 1, description: 'svcca: fraction of the singular-value sum to keep (default 0.99)' },
    dims: { type: 'number', integer: true, min: 1, description: 'keep exactly K singular directions per layer' },
    epsilon: { type: 'number', min: 0, description: 'relative variance below which a neuron counts as constant' },
    'pwcca-compat': { type: 'string', choices: ['reference'], description: "PWCCA as the public reference code computes it" },
    conv: { type: 'string', choices: ['channels', 'flatten', 'dft', 'mean'], description: 'how conv layers are compared (default channels)' },
    layout: { type: 'string', choices: ['nhwc', 'nchw', 'ntc'], description: 'conv layer layout on disk (default nhwc)' },
    'neurons-first': { type: 'boolean', description: 'dense layers are stored (neurons, datapoints)' },
    backend: { type: 'string', choices: ['auto', 'cpu', 'gpu'], description: 'kernel backend (reported in the result)' },
    precision: { type: 'string', choices: ['f64', 'f32'], description: "f32: float32 screening on the machine's BLAS (sgemm, ssyevd); default f64" },
    workers: { type: 'number', integer: true, min: 0, description: 'worker processes (0: this process; default: one per core for big jobs)' },
    'no-cache': { type: 'boolean', description: 'neither read nor write the basis and result caches' },
    db: { type: 'string', description: 'index file (default WORKSPACE/.svcca-studio/index.sqlite)' },
    shard: { type: 'string', description: 'compute only shard K of N of the pair tiles (K/N, 1-based) into --out; `merge` assembles the parts' },
    out: { type: 'string', description: 'with --shard: the part file to write; with --slurm or --k8s: the job folder (default ./svcca-LAYER-METHOD-slurm|k8s)' },
    slurm: { type: 'number', integer: true, min: 1, description: 'write a Slurm job array of N shards and a dependent merge job into --out (docs/scale.md)' },
    submit: { type: 'boolean', description: 'with --slurm: submit both with sbatch and print the job ids' },
    sbatch: { type: 'string', description: 'with --slurm: extra sbatch options for both jobs, e.g. --sbatch="--partition=cpu --time=4:00:00"' },
    k8s: { type: 'number', integer: true, min: 1, description: 'write a Kubernetes Indexed Job of N shards and a merge Job into --out (docs/scale.md)' },
    image: { type: 'string', description: 'with --k8s: a container image with svcca-studio on PATH (default svcca-studio:latest)' },
    'workspace-claim': { type: 'string', description: 'with --k8s: the PersistentVolumeClaim holding the workspace, mounted read-only (default svcca-workspace)' },
    'parts-claim': { type: 'string', description: 'with --k8s: the ReadWriteMany claim the parts and the result go to (default svcca-parts)' },
    parallelism: { type: 'number', integer: true, min: 1, description: 'with --k8s: pods at once (default N)' },
    cpus: { type: 'number', integer: true, min: 1, description: 'with --slurm or --k8s: cores per shard (default 1)' },
  },
  async run({ positionals, options }, io) {
    if (options.layer === undefined) throw new UsageError(`--layer is required; usage: ${USAGE}`);
    if (options.method === undefined) throw new UsageError(`--method is required (${METHODS.join('|')}); usage: ${USAGE}`);
    const schedulers = (['shard', 'slurm', 'k8s'] as const).filter((flag) => options[flag] !== undefined);
    if (schedulers.length > 1) throw new UsageError(`--${schedulers[0]} and --${schedulers[1]} do not go together; usage: ${USAGE}`);
    if (options.slurm !== undefined || options.k8s !== undefined) {
      if (options.db !== undefined) throw new UsageError('--db does not go with --slurm or --k8s: each shard keeps its index on its node\'s local disk');
      parseStep(options.step);
      return runCluster(positionals, options, io, USAGE);
    }
    for (const flag of ['submit', 'sbatch', 'image', 'workspace-claim', 'parts-claim', 'parallelism', 'cpus'] as const) {
      if (options[flag] !== undefined) throw new UsageError(`--${flag} goes with --slurm N or --k8s N; usage: ${USAGE}`);
    }
    const shard = options.shard !== undefined ? parseShard(options.shard) : null;
    if (shard && options.out === undefined) throw new UsageError(`--shard needs --out PART.json (the part file merge reads); usage: ${USAGE}`);
    if (!shard && options.out !== undefined) throw new UsageError(`--out goes with --shard K/N, --slurm N or --k8s N; usage: ${USAGE}`);
    const index = openIndexFromArgs(positionals, options.db, io, USAGE);
    const interrupted = new AbortController();
    const onSignal = (): void => interrupted.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await index.index({ onProgress: (p) => io.progress(p.done, p.total, p.phase === 'scan' ? 'scanning folders' : 'reading headers ') });
      const request: MatrixRequest = {
        layer: options.layer,
        method: options.method as MatrixRequest['method'],
        step: parseStep(options.step),
        ...(options.runs !== undefined ? { runs: selectRunNames(index.listRuns(), options.runs) } : {}),
        ...(options['group-by'] !== undefined ? { groupBy: options['group-by'] } : {}),
        ...(options.clusters !== undefined ? { clusters: options.clusters } : {}),
        ...(options.cut !== undefined ? { cut: options.cut } : {}),
        ...(options.keep !== undefined ? { keep: options.keep } : {}),
        ...(options.dims !== undefined ? { dims: options.dims } : {}),
        ...(options.epsilon !== undefined ? { epsilon: options.epsilon } : {}),
        ...(options['pwcca-compat'] !== undefined ? { pwccaCompat: 'reference' as const } : {}),
        ...(options.conv !== undefined ? { conv: options.conv as 'channels' | 'flatten' | 'dft' | 'mean' } : {}),
        ...(options.layout !== undefined ? { layout: options.layout as 'nhwc' | 'nchw' | 'ntc' } : {}),
        ...(options['neurons-first'] ? { neuronsFirst: true } : {}),
        ...(options.backend !== undefined ? { backend: options.backend as 'auto' | 'cpu' | 'gpu' } : {}),
        ...(options.precision !== undefined ? { precision: options.precision as 'f64' | 'f32' } : {}),
      };
      const context = {
        signal: interrupted.signal,
        onProgress: (done: number, total: number, label: string) => io.progress(done, total, label.padEnd(16)),
        ...(options.workers !== undefined ? { workers: options.workers } : {}),
        ...(options['no-cache'] ? { cache: false } : {}),
      };
      if (shard) {
        const part = await runMatrixShard(index, request, shard, context);
        writePart(options.out!, part);
        const n = part.question.runs.length;
        const summary = { shard: part.shard, shards: part.shards, out: options.out!, pairs: part.pairs.length, of: n * n, decompositions: part.decompositions, pairs_computed: part.pairs_computed, seconds: part.seconds };
        io.result(summary, () => `shard ${part.shard}/${part.shards}: ${part.pairs.length} of ${n * n} ordered pairs (${part.pairs_computed} computed, ${part.decompositions} decompositions) written to ${options.out!} in ${part.seconds.toFixed(2)} s`);
        return 0;
      }
      const result = await runMatrix(index, request, context);
      io.result(result, () => describeMatrix(result));
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      index.close();
      // A one-shot command releases the kernel threads so the process can exit.
      await disposeKernels();
    }
  },
});

/** `final` (the final folder, else the last step), `last`, or a step number. */
export function parseStep(text: string | undefined): StepRef {
  if (text === undefined || text === 'final') return 'final';
  if (text === 'last') return 'last';
  if (/^\d+$/.test(text)) return Number(text);
  throw new UsageError(`--step must be 'final', 'last' or a step number, got '${text}'`);
}

/**
 * `--runs`: a comma-separated list names runs exactly (in the order given); anything else is a regular expression
 * searched in each run name (index order). Matching nothing is an error, so a typo never yields an empty matrix.
 */
export function selectRunNames(runs: readonly RunInfo[], text: string): string[] {
  const names = runs.map((r) => r.name);
  if (text.includes(',')) {
    const listed = text.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = listed.filter((name) => !names.includes(name));
    if (unknown.length > 0) throw new UsageError(`--runs: no run named ${unknown.map((u) => `"${u}"`).join(', ')} (runs: ${names.join(', ')})`);
    return listed;
  }
  let pattern: RegExp;
  try {
    pattern = new RegExp(text);
  } catch (err) {
    throw new UsageError(`--runs: '${text}' is not a valid regular expression (${(err as Error).message})`);
  }
  const matched = names.filter((name) => pattern.test(name));
  if (matched.length === 0) throw new UsageError(`--runs: '${text}' matches no run (runs: ${names.join(', ')})`);
  return matched;
}

export function describeMatrix(result: MatrixResult & MatrixExtras): string {
  const order = result.order;
  const names = order.map((i) => result.runs[i]!);
  const width = Math.max(...names.map((n) => n.length));
  const lines = [
    `${result.method} similarity of layer ${result.layer} at step ${String(result.step)} across ${result.runs.length} runs (row = A, column = B), in cluster order:`,
    '',
    `${''.padEnd(width + 4)}  ${order.map((_, k) => String(k + 1).padStart(5)).join(' ')}`,
  ];
  order.forEach((i, k) => {
    const row = order.map((j) => result.matrix[i]![j]!.toFixed(3).padStart(5)).join(' ');
    lines.push(`${String(k + 1).padStart(3)} ${names[k]!.padEnd(width)}  ${row}`);
  });
  if (result.stats) {
    const s = result.stats;
    const fmt = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(4));
    lines.push('', `grouped by ${s.key}:`);
    for (const g of s.groups) lines.push(`  ${g.value}: ${g.runs.length} runs, mean within ${fmt(g.within_mean)}`);
    lines.push(`  within-group mean ${fmt(s.within_mean)}, between-group mean ${fmt(s.between_mean)}`);
    if (s.p_value !== null) {
      lines.push(`  permutation test (within > between): p = ${s.p_value.toPrecision(3)} over ${s.permutations} relabelings${(s as { exact?: boolean }).exact ? ' (all of them: exact)' : ''}`);
    }
  }
  if (result.clusters) {
    const k = result.clusters;
    lines.push('', `${k.members.length} flat cluster(s) (${k.by === 'count' ? `at most ${k.value}` : `cut at height ${k.value}`}; merges up to ${k.height.toFixed(4)} inside):`);
    k.members.forEach((m, i) => lines.push(`  ${i + 1}: ${m.join(', ')}`));
  }
  const c = result.cache;
  lines.push(
    '',
    `${result.decompositions} decompositions, ${result.pairs_computed} pair steps (cache: ${c.bases.hits} bases, ${c.pairs.hits} pairs${c.matrix ? ', whole matrix' : ''}), backend ${result.backend ?? 'cpu'}, ${result.seconds.toFixed(2)} s`,
  );
  return lines.join('\n');
}
