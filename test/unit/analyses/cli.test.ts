/** The analysis commands as a user runs them (from source, in a child process): --json contracts and exit codes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, oneJson, runCli, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('svcca-analyses-cli-')));
afterAll(() => cleanup());

const cli = (...args: string[]): ReturnType<typeof runCli> => runCli(dir, ...args);


describe('analysis commands', () => {
  it('dynamics --json: {"run","layers","steps","method","to_final","tensor","converged_at", …}', () => {
    const r = cli('dynamics', EXAMPLE, '--run', 'true_lr0.01_seed2000', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = oneJson(r.stdout);
    expect(Object.keys(out).slice(0, 7)).toEqual(['run', 'layers', 'steps', 'method', 'to_final', 'tensor', 'converged_at']);
    expect(out['layers']).toEqual(['conv2', 'fc', 'logits']); // the example workspace leaves conv1 out
    expect(out['converged_at']).toEqual({ conv2: 79, fc: 315, logits: 315 });
  });

  it('compress --json: {"run","layer","n","full_accuracy","k","accuracy":{svcca,svd,random,max_activation},"smallest_k_within_half_point", …}', () => {
    const r = cli('compress', EXAMPLE, '--run', 'true_lr0.01_seed2000', '--layer', 'fc', '--draws', '2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = oneJson(r.stdout);
    for (const key of ['run', 'layer', 'n', 'full_accuracy', 'k', 'accuracy', 'smallest_k_within_half_point']) expect(out).toHaveProperty(key);
    expect(Object.keys(out['accuracy'] as object)).toEqual(['svcca', 'svd', 'random', 'max_activation']);
    expect(out['n']).toBe(32);
    expect(out['full_accuracy']).toBe(0.926);
  });

  it('bad input exits 2 with one line naming the file and the problem', () => {
    const r = cli('compress', EXAMPLE, '--run', 'true_lr0.01_seed2000', '--layer', 'logits');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: .*activations\.npz:logits: "logits" is the run's output layer/);
    const u = cli('dynamics', EXAMPLE, '--json');
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/^error: give --run or --group/);
  });
});
