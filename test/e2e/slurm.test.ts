/**
 * `matrix --slurm 3 --submit` on a real Slurm: Debian's munge, slurmctld and slurmd as a one-node cluster on
 * localhost (test/e2e/slurm/start-cluster.sh; `npm run setup` installs them when root). The merge job's matrix.json
 * must equal the unsharded `matrix --json` to 1e-12, and rerunning one shard (its part deleted, as after a kill)
 * through `sbatch --array=K` and merging again must give it once more. Where the cluster cannot be tried (not root,
 * packages absent) the test is reported skipped with the reason; where it can but a daemon fails, the test fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'bin/svcca-studio.js');
const EXAMPLE = join(ROOT, 'resources/example-workspace');
const START = join(__dirname, 'slurm/start-cluster.sh');
const REQUEST = ['--layer', 'fc', '--method', 'pwcca', '--group-by', 'labels'];

let dir = '';
/** Why the cluster cannot be tried here (not root, not installed): the test is skipped, saying so. */
let cannot: string | null = null;
/** Why it failed to start although it could be tried: the test fails with this. */
let broken: string | null = null;
let env: NodeJS.ProcessEnv = {};

/** A port nothing listens on now (the kernel's pick), so a Slurm left running elsewhere never collides. */
async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'svcca-slurm-e2e-'));
  const ports = { SLURM_TEST_CTLD_PORT: String(await freePort()), SLURM_TEST_SLURMD_PORT: String(await freePort()) };
  const started = spawnSync('bash', [START, join(dir, 'cluster')], { env: { ...process.env, ...ports }, encoding: 'utf8', timeout: 60_000 });
  if (started.status !== 0) {
    const why = (started.stdout + started.stderr).trim().split('\n').filter(Boolean).pop() ?? `start-cluster.sh exited ${started.status ?? started.signal}`;
    if (started.status === 3) cannot = why;
    else broken = `${why}\n${spawnSync('sh', ['-c', 'tail -n 8 "$0"/cluster/log/*.log 2>&1', dir], { encoding: 'utf8' }).stdout}`;
    return;
  }
  // Jobs inherit the submitter's environment: TMPDIR puts each node's index into this test's folder.
  env = { ...process.env, SLURM_CONF: join(dir, 'cluster/slurm.conf'), TMPDIR: join(dir, 'node-tmp'), PATH: `${process.env['PATH']}:/usr/sbin` };
  spawnSync('mkdir', ['-p', join(dir, 'node-tmp')]);
});

afterAll(() => {
  if (dir) {
    spawnSync('bash', [START, '--stop', join(dir, 'cluster')], { timeout: 30_000 });
    rmSync(dir, { recursive: true, force: true });
  }
});

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Polls scontrol until the job ends; returns its final state. */
async function waitForJob(id: string, timeoutMs = 90_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let state = 'UNKNOWN';
  while (Date.now() < until) {
    const r = spawnSync('scontrol', ['show', 'job', '-o', id], { env, encoding: 'utf8' });
    state = /JobState=(\S+)/.exec(r.stdout)?.[1] ?? state;
    if (['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY'].includes(state)) return state;
    await new Promise((r) => setTimeout(r, 300));
  }
  return `${state} (still, after ${timeoutMs / 1000} s)`;
}

function logs(folder: string): string {
  const r = spawnSync('sh', ['-c', 'tail -n 5 "$0"/logs/*.log 2>&1', folder], { encoding: 'utf8' });
  return r.stdout;
}

type Matrix = { runs: string[]; matrix: number[][]; order: number[]; stats?: unknown; [key: string]: unknown };

/** Equal but for what says how the work was done (decompositions, cache hits, time). */
function expectSameMatrix(merged: Matrix, whole: Matrix): void {
  expect(merged.runs).toEqual(whole.runs);
  expect(merged.order).toEqual(whole.order);
  let worst = 0;
  whole.matrix.forEach((row, i) => row.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - merged.matrix[i]![j]!)))));
  expect(worst).toBeLessThanOrEqual(1e-12);
  const facts = new Set(['matrix', 'decompositions', 'pairs_computed', 'cache', 'seconds', 'workers']);
  for (const key of Object.keys(whole)) if (!facts.has(key)) expect(merged[key], key).toEqual(whole[key]);
  expect(Object.keys(merged).sort()).toEqual(Object.keys(whole).sort());
}

describe('matrix --slurm on a one-node Slurm', () => {
  it('3 shards as a job array and the dependent merge give the unsharded matrix', async (ctx) => {
    if (cannot) ctx.skip(cannot);
    expect(broken, 'the one-node Slurm did not start').toBeNull();
    const whole = cli(['matrix', EXAMPLE, ...REQUEST, '--json', '--db', join(dir, 'whole.sqlite')]);
    expect(whole.status, whole.stderr).toBe(0);
    const expected = JSON.parse(whole.stdout) as Matrix;

    // A blank in the job folder: sbatch must read the quoted log paths whole.
    const out = join(dir, 'job one');
    const submitted = cli(['matrix', EXAMPLE, ...REQUEST, '--slurm', '3', '--sbatch=--time=10', '--submit', '--out', out, '--json']);
    expect(submitted.status, submitted.stderr).toBe(0);
    const report = JSON.parse(submitted.stdout) as { jobs: { array: string; merge: string }; result: string };
    expect(report.jobs.array).toMatch(/^\d+$/);
    expect(report.jobs.merge).toMatch(/^\d+$/);
    // The merge waits on the array (afterok), so its end means every shard succeeded.
    expect(await waitForJob(report.jobs.merge), logs(out)).toBe('COMPLETED');
    for (const k of [1, 2, 3]) {
      expect(existsSync(join(out, `part-${k}.json`))).toBe(true);
      expect(readFileSync(join(out, 'logs', `shard-${k}.log`), 'utf8')).toMatch(new RegExp(`shard ${k}/3: \\d+ of 100 ordered pairs`));
    }
    // Each shard kept its index on the node's temporary folder, not beside the parts.
    expect(existsSync(join(out, '.svcca-studio'))).toBe(false);
    expectSameMatrix(JSON.parse(readFileSync(report.result, 'utf8')) as Matrix, expected);

    // Shard 2 lost (killed before it wrote its part): rerun only it, then the merge after it.
    rmSync(join(out, 'part-2.json'));
    rmSync(report.result);
    const rerun = spawnSync('sbatch', ['--parsable', '--array=2', join(out, 'shards.sbatch')], { env, encoding: 'utf8' });
    expect(rerun.status, rerun.stderr).toBe(0);
    const again = spawnSync('sbatch', ['--parsable', `--dependency=afterok:${rerun.stdout.trim().split(';')[0]}`, join(out, 'merge.sbatch')], { env, encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expect(await waitForJob(again.stdout.trim().split(';')[0]!), logs(out)).toBe('COMPLETED');
    expectSameMatrix(JSON.parse(readFileSync(report.result, 'utf8')) as Matrix, expected);
  });
});
