/**
 * DFT-CCA on real conv layers (500 probe datapoints, post-ReLU, float32 on disk): conv2 (4×4×16) of the example
 * workspace's runs, and 8×8×8 maps against each other and against conv2 (different sizes, common-shifts) — written
 * here (seeded ReLU noise) or, when the shared corpus is beside the repository, its real conv1 too. Each is checked
 * against the dense CCA of the explicitly shift-augmented layers (numpy), and for the finding of Morcos et al. 2018
 * [Morcos2018-PWCCA] sec. 3.1: generalizing nets are more alike than memorizing ones at conv2.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLayer } from '../../../native/layers/layer.js';
import { dftCca, type ConvLayer, type DftCcaResult } from '../../../native/measures/dft-cca.js';
import { CORPUS, EXAMPLE } from '../../support/corpus.js';
import { rng } from '../compute/npy.js';
import { bruteForceAugmented } from './brute-force.js';

/** A run's layer at its last checkpoint: <layer>.npy (the corpus) or a member of activations.npz (the example). */
async function convLayer(run: string, layer: string, root: string = EXAMPLE): Promise<ConvLayer> {
  const step = readdirSync(join(root, run))
    .filter((d) => d.startsWith('step-'))
    .sort()
    .at(-1)!;
  const l = await loadLayer(root === EXAMPLE ? `${join(root, run, step, 'activations.npz')}:${layer}` : join(root, run, step, `${layer}.npy`));
  if (!l.spatial) throw new Error(`${l.ref} is not a conv layer`);
  return { ref: l.ref, datapoints: l.datapoints, height: l.spatial[0], width: l.spatial[1], channels: l.channels, data: l.data };
}

/**
 * An 8×8×8 post-ReLU map for m datapoints: ReLU of seeded Gaussian noise, or, given `like`, of `like` plus noise
 * (so two maps share structure, as two nets' conv1 do).
 */
function reluMap(m: number, seed: number, like?: ConvLayer): ConvLayer {
  const g = rng(seed);
  const data = Float64Array.from({ length: m * 8 * 8 * 8 }, (_, i) => Math.max(0, (like ? like.data[i]! : 0) + (like ? 0.5 : 1) * g.normal()));
  return { ref: `relu-noise-${seed}`, datapoints: m, height: 8, width: 8, channels: 8, data };
}

function firstDatapoints(layer: ConvLayer, m: number): ConvLayer {
  const per = layer.height * layer.width * layer.channels;
  return { ...layer, datapoints: m, data: layer.data.slice(0, m * per) };
}

function expectValid(res: DftCcaResult): void {
  expect(Number.isFinite(res.similarity)).toBe(true);
  expect(res.similarity).toBeGreaterThan(0);
  expect(res.similarity).toBeLessThanOrEqual(1);
  for (const rho of res.coefficients) {
    expect(Number.isFinite(rho)).toBe(true);
    expect(rho).toBeGreaterThanOrEqual(0);
    expect(rho).toBeLessThanOrEqual(1);
  }
}

function expectEqualToBruteForce(res: DftCcaResult, a: ConvLayer, b: ConvLayer): void {
  const ref = bruteForceAugmented(a, b);
  expect(res.dims).toEqual(ref.dims);
  expect(res.coefficients.length).toBe(ref.coefficients.length);
  let worst = 0;
  res.coefficients.forEach((rho, i) => (worst = Math.max(worst, Math.abs(rho - ref.coefficients[i]!))));
  expect(worst).toBeLessThan(1e-6);
  expect(Math.abs(res.similarity - ref.similarity)).toBeLessThan(1e-6);
}

describe('DFT-CCA on the example workspace', () => {
  it('conv2 (4×4×16) of two true-label runs equals brute-force CCA over all 16 shifts of the 500 probes', async () => {
    const a = await convLayer('true_lr0.01_seed2000', 'conv2');
    const b = await convLayer('true_lr0.01_seed2001', 'conv2');
    const res = await dftCca(a, b);
    expectValid(res);
    expect(res.dims).toEqual([256, 256]);
    expectEqualToBruteForce(res, a, b);
  });

  it('two 8×8×8 maps (written here) equal brute force over all 64 shifts (120 datapoints)', async () => {
    // 120 datapoints keep the dense reference (two SVDs of 7,680 × 512) well under a second.
    const a = reluMap(120, 11);
    const b = reluMap(120, 12, a);
    const res = await dftCca(a, b);
    expectValid(res);
    expect(res.per_frequency.length).toBe(34); // 64 frequencies: 4 self-conjugate + 30 conjugate pairs
    expectEqualToBruteForce(res, a, b);
  });

  it('an 8×8 map (written here) against conv2 (4×4): common-shifts over the 4×4 lattice, equal to brute force', async () => {
    const a = reluMap(500, 13);
    const b = await convLayer('true_lr0.01_seed2000', 'conv2');
    const res = await dftCca(a, b);
    expectValid(res);
    expect(res.spatial_rule).toBe('common-shifts');
    expect(res.spatial.lattice).toEqual([4, 4]);
    expect(res.augmented_datapoints).toBe(500 * 16);
    expectEqualToBruteForce(res, a, b);
  });

  it('pwcca, svcca finite in [0,1]; at conv2 true-label nets are more alike than random-label nets [Morcos2018-PWCCA]', async () => {
    const trueA = await convLayer('true_lr0.01_seed2000', 'conv2');
    const trueB = await convLayer('true_lr0.01_seed2001', 'conv2');
    const randomA = await convLayer('random_lr0.01_seed2008', 'conv2');
    const randomB = await convLayer('random_lr0.01_seed2009', 'conv2');
    const generalizing = await dftCca(trueA, trueB, { method: 'pwcca' });
    const memorizing = await dftCca(randomA, randomB, { method: 'pwcca' });
    expectValid(generalizing);
    expectValid(memorizing);
    expect(generalizing.similarity).toBeGreaterThan(memorizing.similarity + 0.05);
    const sv = await dftCca(trueA, trueB, { method: 'svcca' });
    expectValid(sv);
    expect(sv.dims[0]).toBeLessThan(256);
  });
});

describe.skipIf(!CORPUS)('DFT-CCA on the shared corpus (extra: conv1)', () => {
  it('conv1 (8×8×8) of a true-label and a random-label run equals brute force over all 64 shifts (first 120 probes)', async () => {
    const a = firstDatapoints(await convLayer('true_lr0.01_seed2000', 'conv1', CORPUS!), 120);
    const b = firstDatapoints(await convLayer('random_lr0.01_seed2008', 'conv1', CORPUS!), 120);
    const res = await dftCca(a, b);
    expectValid(res);
    expect(res.per_frequency.length).toBe(34);
    expectEqualToBruteForce(res, a, b);
  });

  it('conv1 (8×8) against conv2 (4×4) of one run: common-shifts over the 4×4 lattice, equal to brute force', async () => {
    const a = await convLayer('true_lr0.01_seed2000', 'conv1', CORPUS!);
    const b = await convLayer('true_lr0.01_seed2000', 'conv2', CORPUS!);
    const res = await dftCca(a, b);
    expectValid(res);
    expect(res.spatial_rule).toBe('common-shifts');
    expect(res.spatial.lattice).toEqual([4, 4]);
    expect(res.augmented_datapoints).toBe(500 * 16);
    expectEqualToBruteForce(res, a, b);
  });
});
