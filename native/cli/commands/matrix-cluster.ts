/**
 * `matrix … --slurm N [--submit]` and `matrix … --k8s N`: the sharded matrix as cluster jobs (native/scale writes
 * them). Every shard gets the same request flags as this command line, so the parts merge.
 */
import { mkdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, UsageError } from '../../errors.js';
import { exampleWorkspace } from '../../index/index.js';
import { checkShards, type ShardedMatrixJob } from '../../scale/job.js';
import { K8S_DEFAULTS, kubectlCommands, kubernetesManifests, WORKSPACE_MOUNT } from '../../scale/kubernetes.js';
import { slurmScripts, submitSlurm, writeSlurmScripts } from '../../scale/slurm.js';
import type { CommandIO } from '../command.js';

/** The matrix options a shard repeats: the request itself (and how it is computed), not where its output goes. */
export const REQUEST_FLAGS = ['layer', 'method', 'step', 'runs', 'group-by', 'clusters', 'cut', 'keep', 'dims', 'epsilon', 'pwcca-compat', 'conv', 'layout', 'neurons-first', 'backend', 'precision', 'workers', 'no-cache'] as const;

export type ClusterOptions = Partial<Record<(typeof REQUEST_FLAGS)[number] | 'out' | 'sbatch' | 'image' | 'workspace-claim' | 'parts-claim', string | number | boolean>> & {
  slurm?: number;
  k8s?: number;
  submit?: boolean;
  parallelism?: number;
  cpus?: number;
};

/** The request flags as a shard's command line spells them. */
export function requestArguments(options: ClusterOptions): string[] {
  const args: string[] = [];
  for (const flag of REQUEST_FLAGS) {
    const value = options[flag];
    if (value === undefined || value === false) continue;
    args.push(`--${flag}`);
    if (value !== true) args.push(String(value));
  }
  return args;
}

/** How a node starts this CLI: this Node and this package's launcher (the same paths on a shared install). */
function cliCommand(): string[] {
  // dist/native/cli/commands/ → the package root.
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
  return [process.execPath, join(root, 'bin', 'svcca-studio.js')];
}

function workspaceFolder(given: string | undefined): string {
  const path = resolve(given ?? exampleWorkspace());
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new InputError(path, 'no such folder (the workspace the shards read)');
  }
  if (!statSync(real).isDirectory()) throw new InputError(path, 'is not a folder (the workspace the shards read)');
  return real;
}

const only = (flag: string, what: string, given: boolean): void => {
  if (given) throw new UsageError(`--${flag} goes with ${what}`);
};

export function runCluster(positionals: readonly string[], options: ClusterOptions, io: CommandIO, usage: string): number {
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'; usage: ${usage}`);
  const slurm = options.slurm !== undefined;
  only('submit', '--slurm N', Boolean(options.submit) && !slurm);
  only('sbatch', '--slurm N', options.sbatch !== undefined && !slurm);
  for (const flag of ['image', 'workspace-claim', 'parts-claim', 'parallelism'] as const) only(flag, '--k8s N', options[flag] !== undefined && slurm);
  const shards = (slurm ? options.slurm : options.k8s)!;
  checkShards(slurm ? '--slurm' : '--k8s', shards);
  const args = requestArguments(options);
  const out = resolve(String(options.out ?? `svcca-${String(options.layer)}-${String(options.method)}-${slurm ? 'slurm' : 'k8s'}`));
  if (slurm) {
    const job: ShardedMatrixJob = { workspace: workspaceFolder(positionals[0]), layer: String(options.layer), method: String(options.method), args, shards };
    const sbatch = options.sbatch === undefined ? [] : String(options.sbatch).split(/\s+/).filter(Boolean);
    const scripts = slurmScripts(job, { dir: out, cli: cliCommand(), sbatch, ...(options.cpus !== undefined ? { cpus: options.cpus } : {}) });
    writeSlurmScripts(scripts, out);
    const submitted = options.submit ? submitSlurm(scripts) : null;
    const report = {
      scheduler: 'slurm',
      name: scripts.name,
      shards,
      dir: out,
      files: { shards: scripts.shards.path, merge: scripts.merge.path, submit: scripts.submit.path },
      result: scripts.result,
      ...(submitted ? { jobs: submitted } : { commands: scripts.commands }),
    };
    io.result(report, () =>
      submitted
        ? `submitted ${shards} shards as job array ${submitted.array} and the merge as job ${submitted.merge} (after the array succeeds); the result will be ${scripts.result}, the logs in ${join(out, 'logs')}`
        : [`wrote ${scripts.shards.path}, ${scripts.merge.path} and ${scripts.submit.path}; submit with`, `  bash ${scripts.submit.path}`, 'or', ...scripts.commands.map((c) => `  ${c}`), `the result will be ${scripts.result}`].join('\n'),
    );
    return 0;
  }
  const job: ShardedMatrixJob = { workspace: WORKSPACE_MOUNT, layer: String(options.layer), method: String(options.method), args, shards };
  const manifests = kubernetesManifests(job, {
    image: String(options.image ?? K8S_DEFAULTS.image),
    workspaceClaim: String(options['workspace-claim'] ?? K8S_DEFAULTS.workspaceClaim),
    partsClaim: String(options['parts-claim'] ?? K8S_DEFAULTS.partsClaim),
    ...(options.parallelism !== undefined ? { parallelism: options.parallelism } : {}),
    ...(options.cpus !== undefined ? { cpus: options.cpus } : {}),
  });
  if (positionals[0] !== undefined) io.info(`note: the pods read the workspace from the claim mounted at ${WORKSPACE_MOUNT}, not from ${positionals[0]}`);
  mkdirSync(out, { recursive: true });
  const shardsFile = join(out, 'shards-job.json');
  const mergeFile = join(out, 'merge-job.json');
  writeFileSync(shardsFile, `${JSON.stringify(manifests.shards, null, 2)}\n`);
  writeFileSync(mergeFile, `${JSON.stringify(manifests.merge, null, 2)}\n`);
  const commands = kubectlCommands(manifests, shardsFile, mergeFile);
  io.result({ scheduler: 'kubernetes', name: manifests.name, shards, dir: out, files: { shards: shardsFile, merge: mergeFile }, result: manifests.result, commands }, () =>
    [`wrote ${shardsFile} (an Indexed Job of ${shards}) and ${mergeFile}; run them with`, ...commands.map((c) => `  ${c}`), `the merge Job also leaves the result on the parts claim at ${manifests.result}`].join('\n'),
  );
  return 0;
}
