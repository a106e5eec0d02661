/**
 * `matrix … --k8s N`: an Indexed Job (completion index i runs shard i + 1 of N) and a merge Job, as JSON manifests
 * (kubectl applies JSON as it does YAML). No cluster is contacted: docs/scale.md gives the kubectl commands.
 *
 * Volume layout, the same in every pod:
 *   /workspace  the workspace, a PersistentVolumeClaim mounted read-only (every shard reads the same files);
 *   /parts      a ReadWriteMany claim the shards write part-K.json to, under a folder named after the job, and
 *               where the merge Job writes matrix.json;
 *   /scratch    an emptyDir on the node for the index (SQLite and its cached bases), never on the network volume.
 * A pod's cores are its CPU request: the shard runs in-process (--workers 0 unless given) with that many kernel
 * threads, because a container sees all of the node's cores.
 */
import { UsageError } from '../errors.js';
import { jobName, type ShardedMatrixJob } from './job.js';
import { shellWords } from './shell.js';

export interface KubernetesOptions {
  /** An image with `svcca-studio` on PATH (docs/scale.md shows one). */
  readonly image: string;
  readonly workspaceClaim: string;
  readonly partsClaim: string;
  /** Pods at once (default: all N). */
  readonly parallelism?: number;
  /** CPU cores each shard requests (default 1). */
  readonly cpus?: number;
}

export const WORKSPACE_MOUNT = '/workspace';
export const PARTS_MOUNT = '/parts';
export const SCRATCH_MOUNT = '/scratch';
export const K8S_DEFAULTS = { image: 'svcca-studio:latest', workspaceClaim: 'svcca-workspace', partsClaim: 'svcca-parts' } as const;

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { resourceFieldRef: { resource: string; divisor: string } };
}

interface Container {
  name: string;
  image: string;
  command: string[];
  env: EnvVar[];
  resources: { requests: Record<string, string> };
  volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

type Volume = { name: string; persistentVolumeClaim: { claimName: string; readOnly?: boolean } } | { name: string; emptyDir: Record<string, never> };

/** The subset of batch/v1 Job we emit (test/unit/scale checks it against the Kubernetes schema). */
export interface JobManifest {
  apiVersion: 'batch/v1';
  kind: 'Job';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    completionMode?: 'Indexed';
    completions: number;
    parallelism: number;
    backoffLimit?: number;
    backoffLimitPerIndex?: number;
    template: {
      metadata: { labels: Record<string, string> };
      spec: { restartPolicy: 'Never'; containers: Container[]; volumes: Volume[] };
    };
  };
}

export interface KubernetesManifests {
  readonly name: string;
  readonly shards: JobManifest;
  readonly merge: JobManifest;
  /** Where the merge Job leaves the result, on the parts volume. */
  readonly result: string;
}

/** A DNS-1123 label: what Kubernetes accepts as a claim name. */
function checkName(flag: string, name: string): void {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) throw new UsageError(`${flag}: '${name}' is not a Kubernetes name (lower-case letters, digits and '-', at most 63)`);
}

export function kubernetesManifests(job: ShardedMatrixJob, options: KubernetesOptions): KubernetesManifests {
  checkName('--workspace-claim', options.workspaceClaim);
  checkName('--parts-claim', options.partsClaim);
  if (options.image.trim() === '' || /\s/.test(options.image)) throw new UsageError(`--image: '${options.image}' is not an image reference`);
  const parallelism = Math.min(job.shards, options.parallelism ?? job.shards);
  const cpus = options.cpus ?? 1;
  if (!Number.isInteger(parallelism) || parallelism < 1) throw new UsageError(`--parallelism must be a whole number from 1 to ${job.shards}`);
  if (!Number.isInteger(cpus) || cpus < 1) throw new UsageError('--cpus must be a whole number of cores, at least 1');
  // Indexed pods are named <job>-<index>-<suffix>: keep the job name short enough for the 63-character limit.
  const name = jobName(job, 40);
  const folder = `${PARTS_MOUNT}/${name}`;
  const result = `${folder}/matrix.json`;
  const labels = (component: string): Record<string, string> => ({ 'app.kubernetes.io/name': 'svcca-studio', 'app.kubernetes.io/component': component, 'svcca-studio/matrix': name });
  const volumes: Volume[] = [
    { name: 'workspace', persistentVolumeClaim: { claimName: options.workspaceClaim, readOnly: true } },
    { name: 'parts', persistentVolumeClaim: { claimName: options.partsClaim } },
    { name: 'scratch', emptyDir: {} },
  ];
  const mounts = [
    { name: 'workspace', mountPath: WORKSPACE_MOUNT, readOnly: true },
    { name: 'parts', mountPath: PARTS_MOUNT },
    { name: 'scratch', mountPath: SCRATCH_MOUNT },
  ];
  const threads: EnvVar = { name: 'SVCCA_KERNEL_THREADS', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1' } } };
  const requests = { cpu: String(cpus) };
  const args = job.args.includes('--workers') ? job.args : [...job.args, '--workers', '0'];
  const shardScript = [
    'set -eu',
    // Kubernetes numbers an Indexed Job's pods from 0; shards are 1-based, as in Slurm arrays.
    'k=$((JOB_COMPLETION_INDEX + 1))',
    `mkdir -p ${folder}`,
    `exec svcca-studio matrix ${shellWords([WORKSPACE_MOUNT, ...args])} --shard "$k/${job.shards}" --out "${folder}/part-$k.json" --db ${SCRATCH_MOUNT}/index.sqlite`,
  ].join('\n');
  const mergeScript = [
    'set -eu',
    'parts=""',
    `k=1; while [ "$k" -le ${job.shards} ]; do parts="$parts ${folder}/part-$k.json"; k=$((k + 1)); done`,
    `svcca-studio merge $parts --json > ${folder}/.matrix.json.tmp`,
    `mv ${folder}/.matrix.json.tmp ${result}`,
    // Also on stdout, so `kubectl logs job/<name>-merge` gives the result without a pod on the volume.
    `cat ${result}`,
  ].join('\n');
  const pod = (container: string, script: string, component: string): JobManifest['spec']['template'] => ({
    metadata: { labels: labels(component) },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: container, image: options.image, command: ['sh', '-c', script], env: [threads], resources: { requests }, volumeMounts: mounts }],
      volumes,
    },
  });
  const shards: JobManifest = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: labels('matrix-shards') },
    spec: {
      completionMode: 'Indexed',
      completions: job.shards,
      parallelism,
      // Each shard may be retried on its own (Kubernetes ≥ 1.29; older servers drop the field and use backoffLimit).
      backoffLimitPerIndex: 2,
      template: pod('shard', shardScript, 'matrix-shards'),
    },
  };
  const merge: JobManifest = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${name}-merge`, labels: labels('matrix-merge') },
    spec: { completions: 1, parallelism: 1, backoffLimit: 2, template: pod('merge', mergeScript, 'matrix-merge') },
  };
  return { name, shards, merge, result };
}

/** What to type: apply the shards, wait for them, apply the merge, read the result. */
export function kubectlCommands(manifests: KubernetesManifests, shardsFile: string, mergeFile: string): string[] {
  return [
    `kubectl apply -f ${shardsFile}`,
    `kubectl wait --for=condition=complete --timeout=-1s job/${manifests.name}`,
    `kubectl apply -f ${mergeFile}`,
    `kubectl wait --for=condition=complete --timeout=-1s job/${manifests.name}-merge`,
    `kubectl logs job/${manifests.name}-merge > matrix.json`,
  ];
}
