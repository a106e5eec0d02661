/**
 * What a cluster job of a sharded matrix is: the workspace, the request flags every shard passes to
 * `svcca-studio matrix` (the same for all, so their parts merge), and the number of shards. The schedulers'
 * generators (slurm.ts, kubernetes.ts) only add where each shard writes and which index it uses.
 */
import { UsageError } from '../errors.js';

export interface ShardedMatrixJob {
  /** The workspace as the shards see it (an absolute path). */
  readonly workspace: string;
  readonly layer: string;
  readonly method: string;
  /** The request flags after the workspace (`--layer L --method M …`), without --shard, --out or --db. */
  readonly args: readonly string[];
  readonly shards: number;
}

/** Shard counts past this are a typo more often than a plan (a 1,000-net matrix needs far fewer). */
export const MAX_SHARDS = 10_000;

export function checkShards(flag: string, shards: number): void {
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) throw new UsageError(`${flag} takes a shard count from 1 to ${MAX_SHARDS}, got ${shards}`);
}

/**
 * A name for the job from its layer and method: lower-case letters, digits and dashes, at most `max` characters,
 * so it is a valid Kubernetes object name (DNS-1123 label) and reads well in squeue.
 */
export function jobName(job: ShardedMatrixJob, max = 40): string {
  const slug = `svcca-${job.layer}-${job.method}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-');
  return slug.slice(0, max).replace(/^-+|-+$/g, '') || 'svcca-matrix';
}
