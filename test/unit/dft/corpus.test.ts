/**
 * DFT-CCA on the real conv layers of ../shared/corpus (500 probe datapoints, post-ReLU, float32 on disk):
 * conv1 (8×8×8) and conv2 (4×4×16) of different runs, and conv1 against conv2 (different sizes, common-shifts).
 * Each is checked against the dense CCA of the explicitly shift-augmented layers (numpy), and for the paper-003
 * finding the corpus README reports: generalizing nets are more alike than memorizing ones at conv2.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLayer } from '../../../native/layers/layer.js';
import { dftCca, type ConvLayer, type DftCcaResult } from '../../../native/measures/dft-cca.js';
import { bruteForceAugmented } from './brute-force.js';

const CORPUS = join(__dirname, '../../../../shared/corpus');

async function convLayer(run: string, layer: string): Promise<ConvLayer> {
  const step = readdirSync(join(CORPUS, run))
    .filter((d) => d.startsWith('step-'))
    .sort()
    .at(-1)!;
  const l = await loadLayer(join(CORPUS, run, step, `${layer}.npy`));
  if (!l.spatial) throw new Error(`${l.ref} is not a conv layer`);
  return { ref: l.ref, datapoints: l.datapoints, height: l.spatial[0], width: l.spatial[1], channels: l.channels, data: l.data };
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

describe.skipIf(!existsSync(CORPUS))('DFT-CCA on the example corpus', () => {
  it('conv2 (4×4×16) of two true-label runs equals brute-force CCA over all 16 shifts of the 500 probes', async () => {
    const a = await convLayer('true_lr0.01_seed2000', 'conv2');
    const b = await convLayer('true_lr0.01_seed2001', 'conv2');
    const res = await dftCca(a, b);
    expectValid(res);
    expect(res.dims).toEqual([256, 256]);
    expectEqualToBruteForce(res, a, b);
  });

  it('conv1 (8×8×8) of a true-label and a random-label run equals brute force over all 64 shifts (first 120 probes)', async () => {
    // 120 probes keep the dense reference (two SVDs of 7,680 × 512) well under a second.
    const a = firstDatapoints(await convLayer('true_lr0.01_seed2000', 'conv1'), 120);
    const b = firstDatapoints(await convLayer('random_lr0.01_seed2008', 'conv1'), 120);
    const res = await dftCca(a, b);
    expectValid(res);
    expect(res.per_frequency.length).toBe(34); // 64 frequencies: 4 self-conjugate + 30 conjugate pairs
    expectEqualToBruteForce(res, a, b);
  });

  it('conv1 (8×8) against conv2 (4×4) of one run: common-shifts over the 4×4 lattice, equal to brute force', async () => {
    const a = await convLayer('true_lr0.01_seed2000', 'conv1');
    const b = await convLayer('true_lr0.01_seed2000', 'conv2');
    const res = await dftCca(a, b);
    expectValid(res);
    expect(res.spatial_rule).toBe('common-shifts');
    expect(res.spatial.lattice).toEqual([4, 4]);
    expect(res.augmented_datapoints).toBe(500 * 16);
    expectEqualToBruteForce(res, a, b);
  });

  it('pwcca, svcca finite in [0,1]; at conv2 true-label nets are more alike than random-label nets (paper 003)', async () => {
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
