/**
 * DFT-CCA (paper 000, Theorem 1 and appendix C): CCA of two conv layers over the dataset augmented with every
 * circular shift of every datapoint, computed exactly, one frequency block at a time.
 *
 * Definition honoured: the result equals plain CCA (or SVCCA, PWCCA — see below) of the flattened layers (h·w·c
 * neurons) over the m·h·w shifted datapoints. The 2-D DFT per channel is a unitary change of basis of the neurons,
 * which CCA does not see; in that basis the augmented covariances are block diagonal with one Hermitian block per
 * frequency, built from the m ORIGINAL datapoints (shifting only multiplies frequency (u, v) by a phase). So:
 *   canonical correlations of the whole problem = union over frequencies of each block's complex CCA,
 * a frequency and its conjugate giving the same set (computed once, counted twice). Derivation, normalisation and
 * centering in docs/dft-cca.md; layers of different spatial sizes follow the `common-shifts` rule (dft-spatial.ts).
 *
 * Where the blockwise and the dense answers could differ, they are made equal:
 *  - rank: directions below the one rank cut-off (rankTolerance on the largest eigenvalue over ALL blocks, the dense
 *    problem's dimensions) are dropped, as the dense problem drops them;
 *  - structural zeros: when blocks have unequal ranks, the dense CCA has min(ΣkA, ΣkB) coefficients, more than
 *    Σ min(kA_f, kB_f); the extra ones are exactly 0 (pairs from different frequencies are uncorrelated) and are
 *    appended as zeros (`structural_zeros` counts them).
 * On top of the blocks: `svcca` selects the largest singular directions across all frequencies (dft-select.ts);
 * `pwcca` weights canonical pairs by projection on the DFT-domain neurons (dft-block-cca.ts) — in the pixel basis
 * the weights of conjugate-frequency pairs (equal correlations) would depend on an arbitrary rotation.
 */
import { InputError, UsageError } from '../errors.js';
import { complexEigh, type ComplexEighResult } from '../linalg/complex-eigh.js';
import { adjointGram, adjointTimes, type ComplexMatrix } from '../linalg/complex-matrix.js';
import { rankTolerance } from '../linalg/util.js';
import { blockCca } from './dft-block-cca.js';
import { classData, layerSpectra, screenNearConstant, type ConvLayer } from './dft-blocks.js';
import { keptPerBlock, type DirectionSelection } from './dft-select.js';
import { shiftLattice, type SpatialRule } from './dft-spatial.js';
import { DEFAULT_EPSILON } from './prepare.js';

export type { ConvLayer } from './dft-blocks.js';
export type { SpatialRule } from './dft-spatial.js';

export type DftMeasure = 'cca' | 'svcca' | 'pwcca';

export interface DftCcaOptions {
  /** Relative variance below which a neuron counts as constant (prepare.ts's rule; default DEFAULT_EPSILON). */
  readonly epsilon?: number;
  /** What runs on the frequency blocks (default 'cca'). */
  readonly method?: DftMeasure;
  /** svcca: fraction of the total singular-value sum to keep (default 0.99). */
  readonly keep?: number;
  /** svcca: keep exactly this many directions per layer, counted over all frequencies (overrides keep). */
  readonly dims?: number;
}

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
  /** Mean of the block's coefficients (pwcca: their weighted mean); null for a block without directions. */
  readonly similarity: number | null;
  /** pwcca: the block's share of the total weight (both conjugates together). */
  readonly weight?: number;
  /** Fraction of the overall similarity this block (with its conjugate) contributes: Σ (weight·)ρ / total. */
  readonly share: number;
}

export interface DftCcaResult {
  readonly method: 'dft-cca';
  /** What ran on the blocks. */
  readonly measure: DftMeasure;
  /** cca/svcca: mean of all coefficients; pwcca: Σ weights_i·coefficients_i. */
  readonly similarity: number;
  /** Canonical correlations of the augmented problem, all frequencies, descending (structural zeros included). */
  readonly coefficients: number[];
  /** pwcca: one weight per coefficient, summing to 1 (structural zeros weigh 0). */
  readonly weights?: number[];
  /** Directions of each layer entering CCA, counted over all frequencies (the augmented problem's k_A, k_B). */
  readonly dims: [number, number];
  readonly datapoints: number;
  /** Channels of each layer as given. */
  readonly neurons: [number, number];
  /** Channels dropped as near-constant (at every position). */
  readonly dropped: [number, number];
  /** Neurons (position × channel) of the augmented problem dropped as near-constant. */
  readonly dropped_neurons: [number, number];
  readonly backend: 'cpu';
  readonly spatial_rule: SpatialRule;
  /** Spatial sizes [h, w] of A and B, and the shift lattice [g_h, g_w] both were augmented with. */
  readonly spatial: { a: [number, number]; b: [number, number]; lattice: [number, number] };
  /** m · g_h · g_w: datapoints of the equivalent augmented dataset. */
  readonly augmented_datapoints: number;
  readonly structural_zeros: number;
  readonly epsilon: number;
  /** Per frequency class, for the UI (which frequencies carry the similarity). */
  readonly per_frequency: FrequencyResult[];
}

interface BlockState {
  readonly eigA: ComplexEighResult;
  readonly eigB: ComplexEighResult;
  readonly cross: ComplexMatrix;
}

export async function dftCca(a: ConvLayer, b: ConvLayer, options: DftCcaOptions = {}): Promise<DftCcaResult> {
  const measure = options.method ?? 'cca';
  const epsilon = options.epsilon ?? DEFAULT_EPSILON;
  const selection = checkOptions(measure, epsilon, options);
  checkLayer(a);
  checkLayer(b);
  const m = a.datapoints;
  if (b.datapoints !== m) {
    throw new InputError(b.ref, `has ${b.datapoints} datapoints but ${a.ref} has ${m}; layers are comparable only over the same datapoints in the same order`);
  }
  if (m < 2) throw new InputError(a.ref, `has ${m} datapoint; a comparison needs at least 2`);

  const lattice = shiftLattice([a.height, a.width], [b.height, b.width]);
  const [gh, gw] = lattice.lattice;
  const augmented = m * gh * gw;
  const screenA = screenNearConstant(a, lattice.stepA, epsilon);
  const screenB = screenNearConstant(b, lattice.stepB, epsilon);
  for (const [layer, screen] of [[a, screenA], [b, screenB]] as const) {
    if (screen.keptChannels.length === 0) {
      throw new InputError(layer.ref, `every one of its ${layer.channels} channels is constant over the ${m} datapoints and their shifts; there is nothing to compare`);
    }
    if (measure !== 'svcca' && screen.keptNeurons >= augmented) {
      throw new InputError(
        layer.ref,
        `keeps ${screen.keptNeurons} neurons (${layer.height}×${layer.width} positions × channels) for ${augmented} shift-augmented datapoints (${m} × ${gh * gw} shifts); ` +
          `${measure} is degenerate there (every coefficient is 1); use svcca (--method svcca --conv dft) or --dims K, or more datapoints`,
      );
    }
  }

  // Only the frequencies of one class per conjugate pair are transformed.
  const classes = lattice.classes;
  const spectraA = layerSpectra(a, screenA, lattice.stepA, sortedMembers(classes.map((c) => c.a)));
  const spectraB = layerSpectra(b, screenB, lattice.stepB, sortedMembers(classes.map((c) => c.b)));
  const positionA = slotLookup(spectraA.frequencies, a.height * a.width);
  const positionB = slotLookup(spectraB.frequencies, b.height * b.width);

  // Per block: the Gram of each side and the cross product, then the eigendecompositions of the two Grams.
  // Blocks are independent; each reads its slice of the spectra once (the "one pass" over the transformed data).
  const blocks: BlockState[] = classes.map((cls) => {
    const za = classData(spectraA, cls.a, (f) => positionA[f]!, cls.isZero);
    const zb = classData(spectraB, cls.b, (f) => positionB[f]!, cls.isZero);
    return { eigA: complexEigh(adjointGram(za)), eigB: complexEigh(adjointGram(zb)), cross: adjointTimes(za, zb) };
  });

  // One rank cut-off per layer, from the largest eigenvalue over all blocks (the dense covariance's largest).
  const multiplicity = classes.map((c) => c.multiplicity);
  const tolerance = (side: 'eigA' | 'eigB', keptNeurons: number): number => {
    let largest = 0;
    for (const block of blocks) largest = Math.max(largest, block[side].values[0] ?? 0);
    return rankTolerance(largest, Math.max(augmented, keptNeurons));
  };
  const keptA = keptPerBlock(blocks.map((x) => x.eigA.values), multiplicity, tolerance('eigA', screenA.keptNeurons), selection);
  const keptB = keptPerBlock(blocks.map((x) => x.eigB.values), multiplicity, tolerance('eigB', screenB.keptNeurons), selection);
  const totalA = sumWithMultiplicity(keptA, multiplicity);
  const totalB = sumWithMultiplicity(keptB, multiplicity);
  if (selection.kind === 'dims') {
    for (const [layer, total] of [[a, totalA], [b, totalB]] as const) {
      if (total < selection.dims) throw new InputError(layer.ref, `has numerical rank ${total} over the shift-augmented dataset, fewer than --dims ${selection.dims}`);
    }
  }

  const withWeights = measure === 'pwcca';
  const perBlock = blocks.map((block, i) => blockCca(block.eigA, keptA[i]!, block.eigB, keptB[i]!, block.cross, withWeights));

  // Assemble: every block counted with its multiplicity, then the structural zeros.
  const pairs: { rho: number; weight: number }[] = [];
  perBlock.forEach((res, i) => {
    for (let copy = 0; copy < multiplicity[i]!; copy++) {
      res.coefficients.forEach((rho, j) => pairs.push({ rho, weight: res.weights ? res.weights[j]! : 1 }));
    }
  });
  const structuralZeros = Math.min(totalA, totalB) - pairs.length;
  for (let z = 0; z < structuralZeros; z++) pairs.push({ rho: 0, weight: withWeights ? 0 : 1 });
  pairs.sort((x, y) => y.rho - x.rho);
  const coefficients = pairs.map((p) => p.rho);
  const totalWeight = pairs.reduce((s, p) => s + p.weight, 0);
  const weights = pairs.map((p) => (totalWeight > 0 ? p.weight / totalWeight : 0));
  const similarity = pairs.length === 0 ? 0 : withWeights ? pairs.reduce((s, p, i) => s + weights[i]! * p.rho, 0) : mean(coefficients);
  const overall = withWeights ? similarity : coefficients.reduce((s, x) => s + x, 0);

  const perFrequency: FrequencyResult[] = classes.map((cls, i) => {
    const res = perBlock[i]!;
    const rho = Array.from(res.coefficients);
    const w = res.weights ? Array.from(res.weights) : null;
    const blockWeight = w ? w.reduce((s, x) => s + x, 0) : 0;
    const contribution = w ? rho.reduce((s, x, j) => s + (w[j]! / (totalWeight || 1)) * x, 0) : rho.reduce((s, x) => s + x, 0);
    let blockSimilarity: number | null = null;
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

  return {
    method: 'dft-cca',
    measure,
    similarity,
    coefficients,
    ...(withWeights ? { weights } : {}),
    dims: [totalA, totalB],
    datapoints: m,
    neurons: [a.channels, b.channels],
    dropped: [a.channels - screenA.keptChannels.length, b.channels - screenB.keptChannels.length],
    dropped_neurons: [screenA.droppedNeurons, screenB.droppedNeurons],
    backend: 'cpu',
    spatial_rule: lattice.rule,
    spatial: { a: [a.height, a.width], b: [b.height, b.width], lattice: [gh, gw] },
    augmented_datapoints: augmented,
    structural_zeros: structuralZeros,
    epsilon,
    per_frequency: perFrequency,
  };
}

function checkOptions(measure: DftMeasure, epsilon: number, options: DftCcaOptions): DirectionSelection {
  if (measure !== 'cca' && measure !== 'svcca' && measure !== 'pwcca') {
    throw new UsageError(`dft-cca runs cca, svcca or pwcca on its frequency blocks, not ${JSON.stringify(measure)}`);
  }
  if (!(epsilon >= 0 && epsilon < 1)) throw new UsageError(`--epsilon must be in [0, 1), got ${epsilon}`);
  if (measure !== 'svcca') return { kind: 'rank' };
  if (options.dims !== undefined) {
    if (!Number.isInteger(options.dims) || options.dims < 1) throw new UsageError(`--dims must be a positive integer, got ${options.dims}`);
    return { kind: 'dims', dims: options.dims };
  }
  const keep = options.keep ?? 0.99;
  if (!(keep > 0 && keep <= 1)) throw new UsageError(`--keep must be in (0, 1], got ${keep}`);
  return { kind: 'keep', keep };
}

function checkLayer(layer: ConvLayer): void {
  const { ref, datapoints: m, height: h, width: w, channels: c, data } = layer;
  for (const [name, v] of [['datapoints', m], ['height', h], ['width', w], ['channels', c]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new InputError(ref, `conv layer has ${name} ${v}; every dimension must be at least 1`);
  }
  if (data.length !== m * h * w * c) throw new RangeError(`${ref}: ${data.length} values for shape (${m}, ${h}, ${w}, ${c})`);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) {
      const at = Math.floor(i / c);
      const what = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Inf' : '-Inf';
      throw new InputError(ref, `${what} at datapoint ${Math.floor(at / (h * w))}, position (${Math.floor((at % (h * w)) / w)}, ${at % w}), channel ${i % c}; activations must be finite`);
    }
  }
}

function sortedMembers(lists: readonly Int32Array[]): Int32Array {
  const all = new Set<number>();
  for (const list of lists) for (const f of list) all.add(f);
  return Int32Array.from([...all].sort((x, y) => x - y));
}

function slotLookup(frequencies: Int32Array, size: number): Int32Array {
  const slot = new Int32Array(size).fill(-1);
  frequencies.forEach((f, k) => (slot[f] = k));
  return slot;
}

function sumWithMultiplicity(kept: Int32Array, multiplicity: readonly number[]): number {
  let total = 0;
  kept.forEach((k, i) => (total += k * multiplicity[i]!));
  return total;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((s, x) => s + x, 0) / values.length;
}
