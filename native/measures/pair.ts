/**
 * What every pair step shares: the datapoint check, how many singular directions enter (truncation), the
 * degenerate-CCA guard, and M = Q_Aᵀ·Q_B.
 */
import { InputError, UsageError } from '../errors.js';
import { crossGramLeading, type KernelOptions } from '../kernels/index.js';
import type { Matrix } from '../linalg/matrix.js';
import { basisMatrix } from './prepare.js';
import type { LayerSpectrum, MeasureResult, PairCross, PreparedBasis, Truncation } from './types.js';

export { DEFAULT_KEEP } from '../domain/index.js';

export function checkSameDatapoints(a: { ref: string; datapoints: number }, b: { ref: string; datapoints: number }): void {
  if (a.datapoints !== b.datapoints) {
    throw new InputError(b.ref, `has ${b.datapoints} datapoints but ${a.ref} has ${a.datapoints}; the two layers must share their datapoints, in the same order`);
  }
}

/**
 * Directions of a layer entering CCA: exactly `dims`, or the smallest k whose cumulative sum of singular values
 * reaches `keep` of the total ([Raghu2017-SVCCA]: "the top 99% of variance"; the contract sums singular values), or the
 * full numerical rank when neither is given.
 */
export function chooseDims(p: LayerSpectrum, truncation: Truncation = {}): number {
  if (truncation.dims !== undefined) {
    const k = truncation.dims;
    if (!Number.isInteger(k) || k < 1) throw new UsageError(`--dims must be a whole number ≥ 1, got ${k}`);
    if (k > p.rank) {
      throw new InputError(p.ref, `--dims ${k} exceeds the layer's numerical rank ${p.rank} (${p.kept.length} of ${p.neurons} neurons kept); use --dims ${p.rank} or less`);
    }
    return k;
  }
  if (truncation.keep === undefined) return p.rank;
  const keep = truncation.keep;
  if (!(keep > 0 && keep <= 1)) throw new UsageError(`--keep must be in (0, 1], got ${keep}`);
  const s = singularValuesOf(p);
  let total = 0;
  for (let i = 0; i < p.rank; i++) total += s[i]!;
  let sum = 0;
  for (let k = 1; k <= p.rank; k++) {
    sum += s[k - 1]!;
    if (sum >= keep * total) return k;
  }
  return p.rank;
}

/** σ of a layer, which every truncation and weighting by σ needs (an internal error where a route left them out). */
export function singularValuesOf(p: LayerSpectrum): Float64Array {
  if (!p.singularValues) throw new Error(`${p.ref}: this decomposition has no singular values (Cholesky whitening), and this step needs them`);
  return p.singularValues;
}

/**
 * CCA between k directions and the same number of rows or more spans the whole centered data space of the rows
 * (dimension rows − 1): every canonical correlation is then 1 whatever the other layer holds.
 */
export function assertNotDegenerate(p: LayerSpectrum, k: number, method: string, reduced: boolean): void {
  const rows = p.datapoints;
  const tooWide = !reduced && p.kept.length >= rows;
  if (tooWide || k >= rows - 1) {
    const what = tooWide ? `keeps ${p.kept.length} neurons for ${rows} datapoints` : `spans ${k} dimensions over ${rows} datapoints (all ${rows - 1} there are)`;
    throw new InputError(p.ref, `${what}: ${method} is degenerate here (every coefficient is 1); compare with --method svcca, or keep fewer directions with --dims K (K < ${rows - 1})`);
  }
}

/** M = Q_A[:, :kA]ᵀ · Q_B[:, :kB]. */
export async function crossBasis(a: PreparedBasis, kA: number, b: PreparedBasis, kB: number, kernel: KernelOptions = {}): Promise<Matrix> {
  if (kA > a.rank || kB > b.rank || kA < 0 || kB < 0) throw new RangeError(`crossBasis: ${kA} of rank ${a.rank}, ${kB} of rank ${b.rank}`);
  return crossGramLeading(basisMatrix(a), kA, basisMatrix(b), kB, kernel);
}

/** The pair steps' M from two prepared bases. */
export function basisCross(a: PreparedBasis, b: PreparedBasis, kernel: KernelOptions = {}): PairCross {
  return (kA, kB) => crossBasis(a, kA, b, kB, kernel);
}

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}

/** Mean-square CCA similarity of [Raghu2017-BottomUp]: ρ = √(Σ_j c_j² / n) over the n coefficients. */
export function meanSquare(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]! * values[i]!;
  return Math.sqrt(s / values.length);
}

/** True when the caller asked for an SVD reduction (`--keep` or `--dims`). */
export function isReduction(truncation: Truncation | undefined): boolean {
  return truncation !== undefined && (truncation.keep !== undefined || truncation.dims !== undefined);
}

/** The contract's common fields plus the extras every CCA-family result carries. */
export function ccaFields(method: string, a: LayerSpectrum, b: LayerSpectrum, kA: number, kB: number, rho: Float64Array): MeasureResult {
  return {
    method,
    similarity: mean(rho),
    coefficients: Array.from(rho),
    dims: [kA, kB],
    datapoints: a.datapoints,
    neurons: [a.neurons, b.neurons],
    dropped: [a.neurons - a.kept.length, b.neurons - b.kept.length],
    rank: [a.rank, b.rank],
    mean: mean(rho),
    mean_square: meanSquare(rho),
    epsilon: a.epsilon,
  };
}

/** `keep` is reported when it decided the dimensions (`dims` already says how many were kept). */
export function keepField(truncation: Truncation | undefined): { keep?: number } {
  return truncation?.keep !== undefined && truncation.dims === undefined ? { keep: truncation.keep } : {};
}
