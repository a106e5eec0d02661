/**
 * The Slurm scripts of `matrix --slurm N`, run here without Slurm: bash checks their syntax, the shard script runs
 * with SLURM_ARRAY_TASK_ID set and a stand-in CLI that records its arguments, the merge script and submit.sh run
 * against stand-ins for the CLI and sbatch. (test/e2e/slurm.test.ts runs them on a real one-node Slurm.)
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShardedMatrixJob } from '../../../native/scale/job.js';
import { sbatchDirectives, slurmScripts, submitSlurm, writeSlurmScripts, type Runner } from '../../../native/scale/slurm.js';

let dir = '';
/** A stand-in for the CLI: appends its argv (one JSON array a line) to $RECORD; `merge` prints a JSON object. */
let fakeCli = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'svcca-slurm-unit-'));
  fakeCli = join(dir, 'fake-cli.mjs');
  writeFileSync(
    fakeCli,
    [
      "import { appendFileSync } from 'node:fs';",
      'const argv = process.argv.slice(2);',
      "appendFileSync(process.env.RECORD, JSON.stringify(argv) + '\\n');",
      "if (argv[0] === 'merge') process.stdout.write(JSON.stringify({ merged: argv.slice(1, -1) }) + '\\n');",
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const job = (over: Partial<ShardedMatrixJob> = {}): ShardedMatrixJob => ({
  workspace: '/data/sweep one',
  layer: 'conv2',
  method: 'pwcca',
  // A regex with a space, quotes, a dollar and a pipe: it must reach the CLI as one argument, unexpanded.
  args: ['--layer', 'conv2', '--method', 'pwcca', '--runs', `seed 1'0$HOME|x"`, '--keep', '0.98'],
  shards: 3,
  ...over,
});

function records(path: string): string[][] {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as string[]);
}

describe('slurm scripts', () => {
  it('parse as bash, with every #SBATCH line before the first command', () => {
    const out = join(dir, 'parse');
    const scripts = slurmScripts(job(), { dir: out, cli: [process.execPath, fakeCli], sbatch: ['--partition=cpu', '--time=1:00:00'], cpus: 2 });
    for (const file of [scripts.shards, scripts.merge, scripts.submit]) {
      const r = spawnSync('bash', ['-n'], { input: file.text, encoding: 'utf8' });
      expect(r.status, `${file.path}: ${r.stderr}`).toBe(0);
      const lines = file.text.split('\n');
      const firstCommand = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('#'));
      const lastDirective = lines.map((l) => l.startsWith('#SBATCH')).lastIndexOf(true);
      expect(lastDirective).toBeLessThan(firstCommand);
    }
    const directives = scripts.shards.text.split('\n').filter((l) => l.startsWith('#SBATCH '));
    expect(directives).toEqual([
      '#SBATCH --job-name=svcca-conv2-pwcca',
      '#SBATCH --array=1-3',
      '#SBATCH --ntasks=1',
      '#SBATCH --cpus-per-task=2',
      `#SBATCH --output=${join(out, 'logs', 'shard-%a.log')}`,
      '#SBATCH --partition=cpu',
      '#SBATCH --time=1:00:00',
    ]);
    expect(scripts.merge.text).toContain('#SBATCH --job-name=svcca-conv2-pwcca-merge');
    expect(scripts.merge.text).not.toContain('--array');
    expect(scripts.merge.text).not.toContain('--cpus-per-task=2');
    expect(scripts.commands[1]).toContain('--dependency=afterok:${array%%;*}');
  });

  it('task K runs shard K/N into DIR/part-K.json, the request flags unchanged, the index on local tmp', () => {
    const out = join(dir, 'run shards');
    const scripts = slurmScripts(job(), { dir: out, cli: [process.execPath, fakeCli] });
    writeSlurmScripts(scripts, out);
    const record = join(dir, 'shards.jsonl');
    const local = join(dir, 'node-local');
    for (const k of [1, 2, 3]) {
      const r = spawnSync('bash', [scripts.shards.path], { env: { ...process.env, SLURM_ARRAY_TASK_ID: String(k), TMPDIR: local, RECORD: record }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    const calls = records(record);
    expect(calls).toHaveLength(3);
    calls.forEach((argv, t) => {
      const k = t + 1;
      expect(argv.slice(0, 10)).toEqual(['matrix', '/data/sweep one', ...job().args]);
      expect(argv.slice(10, 14)).toEqual(['--shard', `${k}/3`, '--out', join(out, `part-${k}.json`)]);
      expect(argv[14]).toBe('--db');
      // One index per node and workspace, under the node's temporary folder, never beside the parts.
      expect(argv[15]!.startsWith(`${local}/svcca-studio-`)).toBe(true);
      expect(argv[15]).toBe(calls[0]![15]);
    });
    // Without the array variable the script refuses to guess a shard.
    const bare = spawnSync('bash', [scripts.shards.path], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '', RECORD: record }, encoding: 'utf8' });
    expect(bare.status).not.toBe(0);
    expect(bare.stderr).toMatch(/SLURM_ARRAY_TASK_ID/);
    // SVCCA_NODE_INDEX picks the index file.
    spawnSync('bash', [scripts.shards.path], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '2', SVCCA_NODE_INDEX: join(local, 'mine.sqlite'), RECORD: record } });
    expect(records(record).at(-1)!.at(-1)).toBe(join(local, 'mine.sqlite'));
  });

  it('the merge script hands every part to merge and writes DIR/matrix.json', () => {
    const out = join(dir, 'merge');
    const scripts = slurmScripts(job({ shards: 4 }), { dir: out, cli: [process.execPath, fakeCli] });
    writeSlurmScripts(scripts, out);
    const record = join(dir, 'merge.jsonl');
    const r = spawnSync('bash', [scripts.merge.path], { env: { ...process.env, RECORD: record }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const parts = [1, 2, 3, 4].map((k) => join(out, `part-${k}.json`));
    expect(records(record)).toEqual([['merge', ...parts, '--json']]);
    expect(JSON.parse(readFileSync(scripts.result, 'utf8'))).toEqual({ merged: parts });
  });

  it('a failed merge leaves no matrix.json', () => {
    const out = join(dir, 'merge-fails');
    const failing = join(dir, 'failing-cli.sh');
    writeFileSync(failing, '#!/bin/sh\necho "error: part-2.json: cannot be read" >&2\nexit 2\n');
    chmodSync(failing, 0o755);
    const scripts = slurmScripts(job(), { dir: out, cli: [failing] });
    writeSlurmScripts(scripts, out);
    const r = spawnSync('bash', [scripts.merge.path], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(() => readFileSync(scripts.result)).toThrow();
  });

  it('submit.sh submits the array, then the merge after it (sbatch stood in for)', () => {
    const out = join(dir, 'submit');
    const scripts = slurmScripts(job(), { dir: out, cli: [process.execPath, fakeCli] });
    writeSlurmScripts(scripts, out);
    const bin = join(dir, 'bin');
    const log = join(dir, 'sbatch.log');
    spawnSync('mkdir', ['-p', bin]);
    // Prints 41;cluster for the first call and 42 for the second, as sbatch --parsable does on a federation.
    writeFileSync(join(bin, 'sbatch'), `#!/bin/sh\necho "$*" >> '${log}'\nif [ -e '${log}.1' ]; then echo 42; else touch '${log}.1'; echo '41;c1'; fi\n`);
    chmodSync(join(bin, 'sbatch'), 0o755);
    const r = spawnSync('bash', [scripts.submit.path], { env: { ...process.env, PATH: `${bin}:${process.env['PATH']}` }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('shards: 41 (array of 3), merge: 42');
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([`--parsable ${scripts.shards.path}`, `--parsable --dependency=afterok:41 ${scripts.merge.path}`]);
  });

  it('submitSlurm passes the array id to the merge dependency and names a refusing sbatch', () => {
    const scripts = slurmScripts(job(), { dir: '/jobs/m', cli: ['svcca-studio'] });
    const calls: string[][] = [];
    const ok: Runner = (command, args) => {
      calls.push([command, ...args]);
      return { status: 0, stdout: calls.length === 1 ? '7001;cluster\n' : '7002\n', stderr: '' };
    };
    expect(submitSlurm(scripts, ok)).toEqual({ array: '7001', merge: '7002' });
    expect(calls).toEqual([
      ['sbatch', '--parsable', '/jobs/m/shards.sbatch'],
      ['sbatch', '--parsable', '--dependency=afterok:7001', '/jobs/m/merge.sbatch'],
    ]);
    const refusing: Runner = () => ({ status: 1, stdout: '', stderr: 'sbatch: error: invalid partition specified: gpu\n' });
    expect(() => submitSlurm(scripts, refusing)).toThrow(/^\/jobs\/m\/shards\.sbatch: sbatch refused it \(exit 1: sbatch: error: invalid partition specified: gpu\)$/);
    const absent: Runner = () => ({ status: null, stdout: '', stderr: '', error: Object.assign(new Error('spawn sbatch ENOENT'), { code: 'ENOENT' }) });
    expect(() => submitSlurm(scripts, absent)).toThrow(/sbatch is not on PATH/);
  });

  it('quotes a log path with a blank for sbatch, and refuses a job folder with a double quote', () => {
    const scripts = slurmScripts(job(), { dir: '/jobs/my run', cli: ['svcca-studio'] });
    expect(scripts.shards.text).toContain('#SBATCH --output="/jobs/my run/logs/shard-%a.log"');
    expect(scripts.merge.text).toContain('#SBATCH --output="/jobs/my run/logs/merge.log"');
    expect(scripts.shards.text).toContain(`--out '/jobs/my run/part-'"$K".json`);
    expect(() => slurmScripts(job(), { dir: '/jobs/"x"', cli: ['svcca-studio'] })).toThrow(/double quote/);
  });

  it('groups option values, and refuses options it sets itself or a leading word that is no option', () => {
    expect(sbatchDirectives(['--partition=gpu', '--mem', '8G', '-t', '10'])).toEqual(['--partition=gpu', '--mem 8G', '-t 10']);
    expect(() => sbatchDirectives(['gpu'])).toThrow(/'gpu' is not an sbatch option/);
    expect(() => sbatchDirectives(['--array=1-5'])).toThrow(/--array is set by svcca-studio/);
    expect(() => sbatchDirectives(['-c', '4'])).toThrow(/give --cpus C/);
  });
});
