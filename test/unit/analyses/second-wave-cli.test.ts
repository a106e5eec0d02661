/** The second wave's analysis commands as a user runs them (from source, in a child process): --json shapes, exit codes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, oneJson, runCli, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('svcca-wave2-cli-')));
afterAll(() => cleanup());

const cli = (...args: string[]): ReturnType<typeof runCli> => runCli(dir, ...args);


describe('second-wave analysis commands', () => {
  it('stability --json: {"run","layer","early","mid","top","steps","stable","unstable", …}', () => {
    const r = cli('stability', EXAMPLE, '--run', 'true_lr0.01_seed2000', '--layer', 'fc', '--top', '5', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = oneJson(r.stdout);
    expect(Object.keys(out).slice(0, 8)).toEqual(['run', 'layer', 'early', 'mid', 'top', 'steps', 'stable', 'unstable']);
    expect([out['early'], out['mid'], out['top']]).toEqual([5, 315, 5]);
    expect((out['stable'] as number[]).length).toBe(6);
    const bad = cli('stability', EXAMPLE, '--run', 'true_lr0.01_seed2000', '--layer', 'fc', '--top', '40', '--json');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --top 40/);
  });

  it('correlate --json: {"layer","metric","runs","mean_similarity","metric_values","pearson","spearman","p_value", …}', () => {
    const r = cli('correlate', EXAMPLE, '--layer', 'logits', '--metric', 'probe_acc', '--method', 'svcca', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = oneJson(r.stdout);
    expect(Object.keys(out).slice(0, 8)).toEqual(['layer', 'metric', 'runs', 'mean_similarity', 'metric_values', 'pearson', 'spearman', 'p_value']);
    expect(out['pearson'] as number).toBeGreaterThan(0.5);
    const bad = cli('correlate', EXAMPLE, '--layer', 'fc', '--json');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: missing --metric/);
  });

  it('grid --json: {"runs":[A,B],"layers_a","layers_b","method","grid", …}', () => {
    const r = cli('grid', EXAMPLE, '--runs', 'true_lr0.01_seed2000,true_lr0.01_seed2001', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = oneJson(r.stdout);
    expect(Object.keys(out).slice(0, 5)).toEqual(['runs', 'layers_a', 'layers_b', 'method', 'grid']);
    expect((out['grid'] as number[][]).map((row) => row.length)).toEqual([3, 3, 3]);
    const bad = cli('grid', EXAMPLE, '--runs', 'true_lr0.01_seed2000', '--json');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --runs takes two runs/);
  });

  it('timesteps --json: a conv layer\'s positions stand in for timesteps; a dense layer exits 2', () => {
    const r = cli('timesteps', EXAMPLE, '--run', 'true_lr0.01_seed2000', '--layer', 'conv2', '--timesteps', '0,5,10', '--layout', 'nhwc', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = oneJson(r.stdout);
    expect(out['timesteps']).toEqual([0, 5, 10]);
    expect(out['length']).toBe(16);
    const bad = cli('timesteps', EXAMPLE, '--run', 'true_lr0.01_seed2000', '--layer', 'fc', '--json');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: .*activations\.npz:fc: is \(500, 32\); timesteps needs a sequence layer/);
  });

  it('groups --json: per layer within/between distances with SDs, in one call', () => {
    const r = cli('groups', EXAMPLE, '--by', 'labels', '--method', 'svcca', '--layers', 'fc,logits', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = oneJson(r.stdout) as { layers: string[]; groups: Array<{ value: string; within: number[] }>; between: number[] };
    expect(out.layers).toEqual(['fc', 'logits']);
    expect(out.groups.map((g) => g.value).sort()).toEqual(['random', 'true']);
    expect(out.between).toHaveLength(2);
    const bad = cli('groups', EXAMPLE, '--by', 'labels', '--layers', 'conv9', '--json');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: layer "conv9"/);
  });
});
