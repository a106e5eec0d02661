/**
 * The shapes the measures exchange. A prepared basis is plain data (numbers and typed arrays), so a cache can store
 * it, send it between processes, and hand it back to the pair steps unchanged.
 */
import type { Matrix } from '../linalg/matrix.js';

/**
 * What the CCA-family pair steps read from one layer besides M = Q_Aᵀ·Q_B (which a `PairCross` provides):
 * a prepared basis without its basis.
 */
export interface LayerSpectrum {
  /** How errors and results name the layer: `path` or `path:array`. */
  readonly ref: string;
  /** Rows of the layer matrix (datapoints; m·h·w for conv layers compared channel-wise). */
  readonly datapoints: number;
  /** Width as given, before near-constant neurons are dropped. */
  readonly neurons: number;
  /** Indices of the neurons kept (variance above epsilon × the largest variance), ascending. */
  readonly kept: Int32Array;
  /** The relative variance threshold used to drop near-constant neurons. */
  readonly epsilon: number;
  /** Numerical rank k of the centered kept layer. */
  readonly rank: number;
  /**
   * σ₁ ≥ … ≥ σ_k > 0: singular values of the centered kept layer. Null only for a layer whitened by Cholesky without
   * its eigenvalues (untruncated CCA/PWCCA of one raw pair, which never read them); every truncation needs them.
   */
  readonly singularValues: Float64Array | null;
  /** R = Qᵀ·A_c, k × kept.length row-major: every kept neuron's coordinates in the basis (A_c = Q·R). */
  readonly coordinates: Float64Array;
}

/** Everything the pair steps need from one layer, computed once by `prepareBasis` (prepare.ts). */
export interface PreparedBasis extends LayerSpectrum {
  readonly singularValues: Float64Array;
  /**
   * Q, datapoints × k row-major, orthonormal columns: the left singular vectors of the centered kept layer A_c
   * (Q = A_c·V·S⁻¹), column i belonging to σ_i.
   */
  readonly basis: Float64Array;
}

/**
 * M = Q_A[:, :kA]ᵀ·Q_B[:, :kB] for a pair of layers: from prepared bases (pair.ts `basisCross`) or, for one raw
 * pair, from their cross-covariance (pair-covariance.ts).
 */
export type PairCross = (kA: number, kB: number) => Promise<Matrix>;

/** Canonical correlations of a pair and, when asked for, A's canonical directions (correlations.ts). */
export interface Correlations {
  /** c = min(kA, kB) canonical correlations, descending, in [0, 1]. */
  readonly rho: Float64Array;
  /** kA × c, orthonormal columns: A's canonical variates are h_i = Q_A·u_i (only when asked for). */
  readonly u: Matrix | null;
}

/**
 * The canonical correlations of a pair's first kA × kB directions, with A's directions when `wantU`: from M
 * (`correlationsFromCross`), or handed over by an all-pairs job that decomposed the reverse pair already.
 */
export type PairCorrelations = (kA: number, kB: number, wantU: boolean) => Promise<Correlations>;

import type { Method } from '../domain/index.js';
export type { Method };
export type CcaMethod = Exclude<Method, 'cka' | 'dft-cca'>;

/** How many singular directions of each layer enter CCA. */
export interface Truncation {
  /** Keep the smallest k whose cumulative sum of singular values reaches this fraction of the total. */
  readonly keep?: number;
  /** Keep exactly this many (an error when a layer's numerical rank is smaller). */
  readonly dims?: number;
}

/**
 * What a measure returns: the fields every compare result carries (docs/contract.md §5.1, `compare --json`) but
 * `backend`, which the caller that chose the kernel backend adds. Extra fields are documented per measure.
 */
export interface MeasureResult {
  readonly method: string;
  readonly similarity: number;
  /** Canonical correlations, descending, in [0, 1] (empty for CKA). */
  readonly coefficients: number[];
  /** Dimensions of each side that entered the comparison [kA, kB]. */
  readonly dims: [number, number];
  readonly datapoints: number;
  /** Layer widths as given. */
  readonly neurons: [number, number];
  /** Near-constant neurons dropped on each side. */
  readonly dropped: [number, number];
  readonly [extra: string]: unknown;
}

/** A compare result as the contract prints it. */
export interface CompareResult extends MeasureResult {
  /** Where the heavy products ran ("cpu" on the float64 path). */
  readonly backend: string;
}
