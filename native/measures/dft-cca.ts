/**
 * DFT-CCA ([Raghu2017-SVCCA], Theorem 1 and appendix C): CCA of two conv layers over the dataset augmented with every
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
import { checkTruncationChoice, DFT_MEASURES } from '../domain/index.js';
import { InputError, UsageError } from '../errors.js';
import type { KernelChoice } from '../kernels/index.js';
import { rankTolerance } from '../linalg/util.js';
import { blockCovariances, layerSpectra, screenNearConstant, type ConvLayer } from './dft-blocks.js';
import { assemble, type FrequencyResult } from './dft-assemble.js';
import { ccaBlocks, defaultBlockThreads, eighBlocks } from './dft-parallel.js';
import { keptPerBlock, type DirectionSelection } from './dft-select.js';
import { shiftLattice, type SpatialRule } from './dft-spatial.js';
import { DEFAULT_KEEP, mean, meanSquare } from './pair.js';
import { DEFAULT_EPSILON } from './prepare.js';

export { convLayerOf, type ConvLayer } from './dft-blocks.js';
export type { SpatialRule } from './dft-spatial.js';
export type { FrequencyResult } from './dft-assemble.js';

export type DftMeasure = 'cca' | 'svcca' | 'pwcca';

export interface DftCcaOptions {
  /** Relative variance below which a neuron counts as constant (prepare.ts's rule; default DEFAULT_EPSILON). */
  readonly epsilon?: number;
  /** What runs on the frequency blocks (default 'cca'). */
  readonly method?: DftMeasure;
  /**
   * Reduce each layer to its top singular directions first, counted over all frequencies: the smallest number whose
   * cumulative singular-value sum reaches `keep` (svcca's default: DEFAULT_KEEP), or exactly `dims` — as the dense
   * measures do (with cca and pwcca too, as in cca.ts / pwcca.ts). Give at most one.
   */
  readonly keep?: number;
  readonly dims?: number;
  /** Kernel backend for the batched covariance products (default 'auto'). */
  readonly backend?: KernelChoice;
  /**
   * Threads for the per-block eigenproblems and CCAs (default: every core when the blocks hold enough work, else 1;
   * 1 runs them here). The result does not depend on it.
   */
  readonly threads?: number;
}

/** Below this estimate of block work (flops) threads cost more to feed than they save. */
const PARALLEL_ABOVE_FLOPS = 2e8;

/** ~flops of the eigenproblems and CCA of `count` blocks of p and q neurons (complex Householder + QL ≈ 20 n³ each). */
function blockFlops(p: number, q: number, count: number): number {
  return count * 20 * (2 * p ** 3 + 2 * q ** 3);
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
  /** Numerical rank of each layer over the augmented dataset. */
  readonly rank: [number, number];
  readonly datapoints: number;
  /** Channels of each layer as given. */
  readonly neurons: [number, number];
  /** Channels dropped as near-constant (at every position). */
  readonly dropped: [number, number];
  /** Neurons (position × channel) of the augmented problem dropped as near-constant. */
  readonly dropped_neurons: [number, number];
  /** Mean and mean-square ([Raghu2017-BottomUp]) of the coefficients, whatever the measure. */
  readonly mean: number;
  readonly mean_square: number;
  readonly epsilon: number;
  readonly keep?: number;
  /** The kernel backend that computed the covariance blocks. */
  readonly backend: string;
  readonly spatial_rule: SpatialRule;
  /** Spatial sizes [h, w] of A and B, and the shift lattice [g_h, g_w] both were augmented with. */
  readonly spatial: { a: [number, number]; b: [number, number]; lattice: [number, number] };
  /** m · g_h · g_w: datapoints of the equivalent augmented dataset. */
  readonly augmented_datapoints: number;
  readonly structural_zeros: number;
  /** Per frequency class, for the UI (which frequencies carry the similarity). */
  readonly per_frequency: FrequencyResult[];
}

export async function dftCca(a: ConvLayer, b: ConvLayer, options: DftCcaOptions = {}): Promise<DftCcaResult> {
  const measure = options.method ?? 'cca';
  const epsilon = options.epsilon ?? DEFAULT_EPSILON;
  const selection = checkOptions(measure, epsilon, options);
  const reduced = selection.kind !== 'rank';
  checkLayer(a);
  checkLayer(b);
  const m = a.datapoints;
  if (b.datapoints !== m) {
    throw new InputError(b.ref, `has ${b.datapoints} datapoints but ${a.ref} has ${m}; the two layers must share their datapoints, in the same order`);
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
    if (measure !== 'svcca' && !reduced && screen.keptNeurons >= augmented) degenerate(layer, measure, `keeps ${screen.keptNeurons} neurons for ${augmented} shift-augmented datapoints`, augmented);
  }

  // Only the frequencies of one class per conjugate pair are transformed.
  const classes = lattice.classes;
  const spectraA = layerSpectra(a, screenA, lattice.stepA, sortedMembers(classes.map((c) => c.a)));
  const spectraB = layerSpectra(b, screenB, lattice.stepB, sortedMembers(classes.map((c) => c.b)));

  // The covariance blocks of all classes in batched kernel calls, then each block's two Hermitian eigenproblems.
  const { blocks: covariances, backend } = await blockCovariances(spectraA, spectraB, classes, options.backend ?? 'auto');
  const threads = options.threads ?? (blockFlops(covariances[0]!.aa.rows, covariances[0]!.bb.rows, covariances.length) > PARALLEL_ABOVE_FLOPS ? defaultBlockThreads() : 1);
  const eig = await eighBlocks([...covariances.map((c) => c.aa), ...covariances.map((c) => c.bb)], threads);
  const eigA = eig.slice(0, covariances.length);
  const eigB = eig.slice(covariances.length);

  // One rank cut-off per layer, from the largest eigenvalue over all blocks (the dense covariance's largest) and the
  // dense problem's dimensions, as prepare.ts cuts the dense Gram.
  const multiplicity = classes.map((c) => c.multiplicity);
  const cutoff = (eig: typeof eigA, keptNeurons: number): number => {
    let largest = 0;
    for (const e of eig) largest = Math.max(largest, e.values[0] ?? 0);
    return rankTolerance(largest, Math.max(augmented, keptNeurons));
  };
  const toleranceA = cutoff(eigA, screenA.keptNeurons);
  const toleranceB = cutoff(eigB, screenB.keptNeurons);
  const rank: [number, number] = [
    sumWithMultiplicity(keptPerBlock(eigA.map((e) => e.values), multiplicity, toleranceA, { kind: 'rank' }), multiplicity),
    sumWithMultiplicity(keptPerBlock(eigB.map((e) => e.values), multiplicity, toleranceB, { kind: 'rank' }), multiplicity),
  ];
  if (selection.kind === 'dims') {
    for (const [layer, r] of [[a, rank[0]], [b, rank[1]]] as const) {
      if (selection.dims > r) throw new InputError(layer.ref, `--dims ${selection.dims} exceeds the layer's numerical rank ${r} over the shift-augmented dataset; use --dims ${r} or less`);
    }
  }
  const keptA = keptPerBlock(eigA.map((e) => e.values), multiplicity, toleranceA, selection);
  const keptB = keptPerBlock(eigB.map((e) => e.values), multiplicity, toleranceB, selection);
  const totalA = sumWithMultiplicity(keptA, multiplicity);
  const totalB = sumWithMultiplicity(keptB, multiplicity);
  if (measure !== 'svcca') {
    // k ≥ rows − 1 spans the whole centered data space: every coefficient 1 (pair.ts's assertNotDegenerate).
    for (const [layer, k] of [[a, totalA], [b, totalB]] as const) {
      if (k >= augmented - 1) degenerate(layer, measure, `spans ${k} dimensions over ${augmented} shift-augmented datapoints (all ${augmented - 1} there are)`, augmented);
    }
  }

  const weighting = measure === 'pwcca' ? (reduced ? 'reduced' : 'neurons') : 'none';
  const perBlock = await ccaBlocks(
    covariances.map((c, i) => ({ eigA: eigA[i]!, keptA: keptA[i]!, eigB: eigB[i]!, keptB: keptB[i]!, cross: c.ab, weighting })),
    threads,
  );

  const withWeights = weighting !== 'none';
  const { coefficients, weights, similarity, structuralZeros, perFrequency } = assemble(classes, perBlock, keptA, keptB, Math.min(totalA, totalB), withWeights);

  return {
    method: 'dft-cca',
    measure,
    similarity,
    coefficients,
    ...(withWeights ? { weights } : {}),
    dims: [totalA, totalB],
    rank,
    datapoints: m,
    neurons: [a.channels, b.channels],
    dropped: [a.channels - screenA.keptChannels.length, b.channels - screenB.keptChannels.length],
    dropped_neurons: [screenA.droppedNeurons, screenB.droppedNeurons],
    mean: mean(coefficients),
    mean_square: meanSquare(coefficients),
    epsilon,
    ...(selection.kind === 'keep' ? { keep: selection.keep } : {}),
    backend,
    spatial_rule: lattice.rule,
    spatial: { a: [a.height, a.width], b: [b.height, b.width], lattice: [gh, gw] },
    augmented_datapoints: augmented,
    structural_zeros: structuralZeros,
    per_frequency: perFrequency,
  };
}

/** The measures' degenerate-CCA error (pair.ts), naming the augmented dataset. */
function degenerate(layer: ConvLayer, measure: string, what: string, augmented: number): never {
  throw new InputError(
    layer.ref,
    `${what}: dft-cca with ${measure} is degenerate here (every coefficient is 1); compare with --method svcca --conv dft, or keep fewer directions with --dims K (K < ${augmented - 1})`,
  );
}

function checkOptions(measure: DftMeasure, epsilon: number, options: DftCcaOptions): DirectionSelection {
  if (!DFT_MEASURES.includes(measure)) throw new UsageError(`dft-cca runs ${DFT_MEASURES.join(', ')} on its frequency blocks, not ${JSON.stringify(measure)}`);
  if (!(epsilon >= 0 && epsilon < 1)) throw new UsageError(`--epsilon must be in [0, 1), got ${epsilon}`);
  const { keep, dims } = options;
  checkTruncationChoice(keep, dims);
  if (dims !== undefined) {
    if (!Number.isInteger(dims) || dims < 1) throw new UsageError(`--dims must be a whole number ≥ 1, got ${dims}`);
    return { kind: 'dims', dims };
  }
  if (keep !== undefined || measure === 'svcca') {
    const k = keep ?? DEFAULT_KEEP;
    if (!(k > 0 && k <= 1)) throw new UsageError(`--keep must be in (0, 1], got ${k}`);
    return { kind: 'keep', keep: k };
  }
  return { kind: 'rank' };
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

function sumWithMultiplicity(kept: Int32Array, multiplicity: readonly number[]): number {
  let total = 0;
  kept.forEach((k, i) => (total += k * multiplicity[i]!));
  return total;
}
