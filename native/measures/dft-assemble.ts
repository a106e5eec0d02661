/**
 * The whole DFT-CCA answer from the per-block results: every block's coefficients counted with its multiplicity (a
 * class and its conjugate), the structural zeros that the dense problem has on top (docs/dft-cca.md), the PWCCA
 * weights normalised over everything, and the per-frequency view for the UI.
 */
import type { BlockCcaResult } from './dft-block-cca.js';
import type { FrequencyClass } from './dft-spatial.js';
import { mean } from './pair.js';

/** One frequency class (one conjugate pair of classes when multiplicity is 2). */
export interface FrequencyResult {
  /** (u, v) on the common shift lattice, numpy fft index order (equal sizes: the map's own frequencies). */
  readonly frequency: [number, number];
  /** The conjugate class, which has the same coefficients. */
  readonly conjugate: [number, number];
  readonly multiplicity: 1 | 2;
  /** Directions of each layer kept in this block. */
  readonly dims: [number, number];
  /** The block's canonical correlations, descending (those of the conjugate class are the same). */
  readonly coefficients: number[];
  /** Mean of the block's coefficients (pwcca: their weighted mean); 0 for a block without directions. */
  readonly similarity: number;
  /** pwcca: the block's share of the total weight (both conjugates together). */
  readonly weight?: number;
  /** Fraction of the overall similarity this block (with its conjugate) contributes. */
  readonly share: number;
}

export interface AssembledResult {
  /** Descending, structural zeros included. */
  readonly coefficients: number[];
  /** One per coefficient, summing to 1 (when weighted). */
  readonly weights: number[];
  readonly similarity: number;
  readonly structuralZeros: number;
  readonly perFrequency: FrequencyResult[];
}

/**
 * `pairCount` is the dense problem's number of canonical pairs, min(k_A, k_B) over all frequencies. Unweighted: the
 * similarity is the mean of all coefficients; weighted (PWCCA): Σ weight·ρ with structural zeros weighing 0.
 */
export function assemble(
  classes: readonly FrequencyClass[],
  perBlock: readonly BlockCcaResult[],
  keptA: Int32Array,
  keptB: Int32Array,
  pairCount: number,
  withWeights: boolean,
): AssembledResult {
  const pairs: { rho: number; weight: number }[] = [];
  perBlock.forEach((res, i) => {
    for (let copy = 0; copy < classes[i]!.multiplicity; copy++) {
      res.coefficients.forEach((rho, j) => pairs.push({ rho, weight: res.weights ? res.weights[j]! : 1 }));
    }
  });
  const structuralZeros = pairCount - pairs.length;
  for (let z = 0; z < structuralZeros; z++) pairs.push({ rho: 0, weight: withWeights ? 0 : 1 });
  pairs.sort((x, y) => y.rho - x.rho);
  const coefficients = pairs.map((p) => p.rho);
  const totalWeight = pairs.reduce((s, p) => s + p.weight, 0);
  const weights = pairs.map((p) => (totalWeight > 0 ? p.weight / totalWeight : 0));
  const similarity = withWeights ? pairs.reduce((s, p, i) => s + weights[i]! * p.rho, 0) : mean(coefficients);
  const overall = withWeights ? similarity : coefficients.reduce((s, x) => s + x, 0);

  const perFrequency: FrequencyResult[] = classes.map((cls, i) => {
    const res = perBlock[i]!;
    const rho = Array.from(res.coefficients);
    const w = res.weights ? Array.from(res.weights) : null;
    const blockWeight = w ? w.reduce((s, x) => s + x, 0) : 0;
    // This block's part of the overall similarity (one copy): Σ ρ, or Σ normalised weight·ρ.
    const contribution = w ? rho.reduce((s, x, j) => s + (w[j]! / (totalWeight || 1)) * x, 0) : rho.reduce((s, x) => s + x, 0);
    let blockSimilarity = 0;
    if (rho.length > 0) blockSimilarity = w ? (blockWeight > 0 ? rho.reduce((s, x, j) => s + w[j]! * x, 0) / blockWeight : 0) : mean(rho);
    return {
      frequency: [cls.frequency[0], cls.frequency[1]],
      conjugate: [cls.conjugate[0], cls.conjugate[1]],
      multiplicity: cls.multiplicity,
      dims: [keptA[i]!, keptB[i]!],
      coefficients: rho,
      similarity: blockSimilarity,
      ...(w ? { weight: (cls.multiplicity * blockWeight) / (totalWeight || 1) } : {}),
      share: overall > 0 ? (cls.multiplicity * contribution) / overall : 0,
    };
  });
  return { coefficients, weights, similarity, structuralZeros, perFrequency };
}
