/** `matrix --slurm N` / `--k8s N` on the command line: the scripts it writes, and one-line usage errors (exit 2). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const EXAMPLE = join(ROOT, 'resources/example-workspace');
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'svcca-scale-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const matrix = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/svcca-studio.js'), 'matrix', ...args], { encoding: 'utf8' });

describe('matrix --slurm / --k8s', () => {
  it('--slurm N writes the scripts and prints the commands (nothing submitted)', () => {
    const out = join(dir, 'slurm');
    const r = matrix([EXAMPLE, '--layer', 'fc', '--method', 'cka', '--step', '315', '--runs', 'true_', '--slurm', '4', '--cpus', '2', '--sbatch=--partition=cpu --time 1:00:00', '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { shards: number; commands: string[]; jobs?: unknown; files: { shards: string } };
    expect(report.shards).toBe(4);
    expect(report.jobs).toBeUndefined();
    expect(report.commands[0]).toBe(`array=$(sbatch --parsable ${join(out, 'shards.sbatch')})`);
    const script = readFileSync(report.files.shards, 'utf8');
    expect(script).toContain('#SBATCH --array=1-4');
    expect(script).toContain('#SBATCH --cpus-per-task=2');
    expect(script).toContain('#SBATCH --time 1:00:00');
    // The shards repeat exactly the request flags given here.
    expect(script).toContain(` matrix ${EXAMPLE} --layer fc --method cka --step 315 --runs true_ --shard "$K/$N"`);
  });

  it.each([
    [['--slurm', '3', '--shard', '1/3'], /--shard and --slurm do not go together/],
    [['--k8s', '3', '--slurm', '3'], /--slurm and --k8s do not go together/],
    [['--submit'], /--submit goes with --slurm N/],
    [['--k8s', '2', '--submit'], /--submit goes with --slurm N/],
    [['--slurm', '2', '--image', 'x'], /--image goes with --k8s N/],
    [['--slurm', '2', '--db', '/tmp/x.sqlite'], /--db does not go with --slurm/],
    [['--slurm', '2', '--sbatch=--array=1-9'], /--sbatch: --array is set by svcca-studio/],
    [['--slurm', '0'], /--slurm/],
    [['--k8s', '2', '--workspace-claim', 'Bad_Name'], /not a Kubernetes name/],
    [['--slurm', '2', '--step', 'soon'], /--step must be/],
  ])('%j is a usage error', (extra, message) => {
    const r = matrix([EXAMPLE, '--layer', 'fc', '--method', 'cka', '--out', join(dir, 'refused'), ...extra]);
    expect(r.status, r.stdout + r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toMatch(message);
  });

  it('a missing workspace is named', () => {
    const r = matrix([join(dir, 'nowhere'), '--layer', 'fc', '--method', 'cka', '--slurm', '2', '--out', join(dir, 'x')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`error: ${join(dir, 'nowhere')}: no such folder (the workspace the shards read)`);
  });
});
