/**
 * One entry for every pairwise measure: validates the option combination, prepares both layers, and dispatches.
 * All-pairs jobs should call `prepareBasis` once per layer and `compareBases` per pair instead. A single pair of
 * well-conditioned layers skips the bases altogether (pair-covariance.ts).
 */
import { BASIS_METHOD_NAMES, checkMeasureChoice, MEASURES, type Method } from '../domain/index.js';
import { UsageError } from '../errors.js';
import { crossGram, type KernelChoice } from '../kernels/index.js';
import type { Matrix } from '../linalg/matrix.js';
import { cca } from './cca.js';
import { cka } from './cka.js';
import { correlationsFromCross } from './correlations.js';
import { assertNotDegenerate, basisCross, checkSameDatapoints, chooseDims, isReduction } from './pair.js';
import { conditionedForCovariance, COVARIANCE_ROUTE_MAX_CONDITION, covarianceCross, covarianceRouteApplies } from './pair-covariance.js';
import { basisOf, centerLayer, stageLayer, type CenteredLayer, type LayerDecomposition, type StagedLayer } from './prepare.js';
import { pwcca } from './pwcca.js';
import { pwccaReference } from './pwcca-reference.js';
import { svcca, svccaTruncation } from './svcca.js';
import { svccaWeighted } from './svcca-weighted.js';
import type { CcaMethod, LayerSpectrum, MeasureResult, PairCorrelations, PreparedBasis, Truncation } from './types.js';

/** The methods that work on prepared bases (dft-cca works on conv layers and lives in dft-cca.ts). */
/** The measures computed from two prepared bases (dft-cca works on frequency blocks instead). */
export type BasisMethod = Exclude<Method, 'dft-cca'>;
/** The methods that compare prepared bases (the domain's list). */
export const BASIS_METHODS: readonly BasisMethod[] = BASIS_METHOD_NAMES;

export interface CompareOptions extends Truncation {
  readonly method: BasisMethod;
  readonly epsilon?: number;
  /** 'reference': PWCCA as the public reference code computes it (pwcca-reference.ts). */
  readonly pwccaCompat?: 'reference';
  readonly refA?: string;
  readonly refB?: string;
  /** Kernel backend for the heavy products (default 'auto': the fastest exact CPU backend). */
  readonly backend?: KernelChoice;
}

/** Throws a UsageError for option combinations that mean nothing. */
export function validateCompareOptions(options: CompareOptions): void {
  const { method, keep, dims, pwccaCompat } = options;
  if (!(BASIS_METHODS as readonly string[]).includes(method)) throw new UsageError(`unknown method '${method}'; use one of ${BASIS_METHODS.join('|')}|dft-cca`);
  checkMeasureChoice({ method, keep, dims });
  if (pwccaCompat !== undefined && method !== 'pwcca') throw new UsageError('--pwcca-compat applies to --method pwcca only');
  if (pwccaCompat !== undefined && pwccaCompat !== 'reference') throw new UsageError(`--pwcca-compat must be 'reference', got '${pwccaCompat}'`);
  if (pwccaCompat !== undefined && (keep !== undefined || dims !== undefined)) throw new UsageError('--pwcca-compat reference takes neither --keep nor --dims (the reference code has no SVD step)');
}

/** Compare two layer matrices (rows = datapoints, columns = neurons). */
export async function compareMatrices(x: Matrix, y: Matrix, options: CompareOptions): Promise<MeasureResult> {
  validateCompareOptions(options);
  const refA = options.refA ?? 'A';
  const refB = options.refB ?? 'B';
  if (options.pwccaCompat === 'reference') return pwccaReference(x, y, { epsilon: options.epsilon, refA, refB, backend: options.backend });
  checkSameDatapoints({ ref: refA, datapoints: x.rows }, { ref: refB, datapoints: y.rows });
  const prepare = { epsilon: options.epsilon, backend: options.backend };
  // Scheduling: A's Gram goes to the kernel threads while this thread centers B; A's eigenvalues (this thread) then
  // overlap B's Gram; the cross-covariance, which only the covariance route needs, is queued last.
  const centeredA = centerLayer(x, { ...prepare, ref: refA }); // A's problem is reported first
  const kernel = { backend: options.backend };
  const { method } = options;
  // Untruncated CCA and PWCCA do not depend on which orthonormal basis spans each layer: where a layer is of full
  // rank and well-conditioned, Cholesky whitening replaces its eigenvectors — tried first, and where a rigorous
  // condition bound from the factor already clears the route, its eigenvalues are never computed.
  const basisFree = (method === 'cca' || method === 'pwcca') && options.keep === undefined && options.dims === undefined;
  const stage = (layer: CenteredLayer): Promise<{ staged: StagedLayer; cholesky: Promise<LayerDecomposition | null> }> =>
    stageLayer(layer, basisFree ? { ...prepare, choleskyUpTo: COVARIANCE_ROUTE_MAX_CONDITION } : prepare).then((staged) => {
      const cholesky = basisFree && conditionedForCovariance(staged) ? staged.cholesky() : Promise.resolve(null);
      cholesky.catch(() => undefined);
      return { staged, cholesky };
    });
  const stagedA = stage(centeredA);
  stagedA.catch(() => undefined); // awaited below, after B is checked
  // Let A's Gram reach the kernel threads (its setup runs in promise continuations) before B's centering holds this
  // thread.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const centeredB = centerLayer(y, { ...prepare, ref: refB });
  const stagedB = stage(centeredB);
  const covariance = method === 'cka' ? undefined : crossGram(centeredA.centered, centeredB.centered, kernel);
  covariance?.catch(() => undefined); // unused when a layer turns out ill-conditioned
  const [sa, sb] = await Promise.allSettled([stagedA, stagedB]);
  if (sa.status === 'rejected') throw sa.reason;
  if (sb.status === 'rejected') throw sb.reason;
  const [a, b] = [sa.value.staged, sb.value.staged];
  if (method !== 'cka' && covarianceRouteApplies(a, b)) {
    const [ca, cb] = await Promise.all([sa.value.cholesky, sb.value.cholesky]);
    const [da, db] = ca && cb ? [ca, cb] : await Promise.all([a.eigen(), b.eigen()]);
    return measureSpectra(da.spectrum, db.spectrum, { ...options, method }, correlationsFromCross(covarianceCross(da, db, kernel, covariance), kernel));
  }
  const [pa, pb] = await Promise.all([a.eigen().then((d) => basisOf(d, kernel)), b.eigen().then((d) => basisOf(d, kernel))]);
  return compareBases(pa, pb, options);
}

/**
 * The pair step on two prepared bases. `correlate` replaces the decomposition of Q_Aᵀ·Q_B when the caller has it
 * already (an all-pairs job hands the pair B, A what it found for A, B).
 */
export async function compareBases(a: PreparedBasis, b: PreparedBasis, options: CompareOptions, correlate?: PairCorrelations): Promise<MeasureResult> {
  validateCompareOptions(options);
  if (options.pwccaCompat === 'reference') throw new UsageError('--pwcca-compat reference needs the raw layers, not prepared bases');
  const kernel = { backend: options.backend };
  const { method } = options;
  if (method === 'cka') return cka(a, b, kernel);
  return measureSpectra(a, b, { ...options, method }, correlate ?? correlationsFromCross(basisCross(a, b, kernel), kernel));
}

/** The CCA-family measures on two layers' spectra, their canonical correlations supplied by `correlate`. */
export async function measureSpectra(a: LayerSpectrum, b: LayerSpectrum, options: CompareOptions & { method: CcaMethod }, correlate: PairCorrelations): Promise<MeasureResult> {
  const truncation: Truncation = { keep: options.keep, dims: options.dims };
  switch (options.method) {
    case 'cca':
      return cca(a, b, truncation, correlate);
    case 'svcca':
      return svcca(a, b, truncation, correlate);
    case 'svcca-weighted':
      return svccaWeighted(a, b, truncation, correlate);
    case 'pwcca':
      return pwcca(a, b, truncation, correlate, { backend: options.backend });
  }
}

/**
 * compare(a, a).similarity without the arithmetic: the measure's own value against itself (its descriptor's
 * `selfValue`: every canonical correlation is 1, PWCCA's and weighted SVCCA's weights sum to 1, CKA(X, X) = 1). The checks
 * the pair step makes on the layer still run, so a layer it would reject is rejected here too; a layer of rank 0
 * (nothing to correlate) takes the pair step itself.
 */
export async function selfSimilarity(a: PreparedBasis, options: CompareOptions): Promise<number> {
  validateCompareOptions(options);
  const { method } = options;
  if (options.pwccaCompat === 'reference' || a.rank === 0) return (await compareBases(a, a, options)).similarity;
  if (!MEASURES[method].truncatable) return MEASURES[method].selfValue;
  const given: Truncation = { keep: options.keep, dims: options.dims };
  const truncation = method === 'svcca' || method === 'svcca-weighted' ? svccaTruncation(given) : given;
  const k = chooseDims(a, truncation);
  if (method === 'cca' || method === 'pwcca') assertNotDegenerate(a, k, method, isReduction(truncation));
  return MEASURES[method].selfValue;
}
