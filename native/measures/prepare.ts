/**
 * The per-layer half of every measure: center, drop near-constant neurons, and build an orthonormal basis of the
 * layer's column space ordered by singular value. Pair steps then only need Q_Aᵀ·Q_B (one crossGram) and small
 * dense work, so an all-pairs job prepares N layers once.
 *
 * Steps (one layer A, m rows × n neurons):
 *  1. Center every neuron. Refuse NaN/Inf, fewer than 2 rows, and a layer whose neurons are all
 *     constant.
 *  2. Drop near-constant neurons: variance ≤ epsilon × the largest neuron variance (relative, so scaling a layer
 *     never changes what is dropped; the same rule as the reference code's `remove_small` on its max-normalised
 *     covariance). Exactly constant neurons are always dropped.
 *  3. G = A_cᵀA_c (the `gram` kernel), G = V·Λ·Vᵀ (eigh). σ_i = √λ_i.
 *  4. Numerical rank: λ_i > ε·max(m, n)·λ₁ (rankTolerance, the one place the cut-off is defined; a float32 kernel
 *     backend raises it to its declared tolerance). Directions below it are rounding noise of the Gram and are discarded — this is what keeps rank-deficient layers (duplicated
 *     neurons, more neurons than rank) finite, where inverting the covariance gives NaN.
 *  5. Q = A_c·V_k·S_k⁻¹. Its columns are orthonormal up to ~ε·λ₁/λ_k; when that ratio exceeds REORTHOGONALIZE_ABOVE
 *     a second pass (CholeskyQR2: Q ← Q·L⁻ᵀ with QᵀQ = L·Lᵀ) restores orthonormality to rounding while keeping
 *     column i inside the span of the first i singular directions.
 *  6. R = Qᵀ·A_c = L⁻¹·S_k·V_kᵀ: each neuron's coordinates in the basis (PWCCA's ⟨h_i, z_j⟩).
 */
import { InputError } from '../errors.js';
import { backendInfo, choleskyOf, crossGramOnThisThread, eighOf, gram, matmul, type KernelChoice, type KernelOptions } from '../kernels/index.js';
import { VectorMachine } from '../kernels/wasm/vector-machine.js';
import { matrix, type Matrix } from '../linalg/matrix.js';
import { firstColumns, rankTolerance, selectColumns, transpose } from '../linalg/util.js';
import { singularValuesOf } from './pair.js';
import type { LayerSpectrum, PreparedBasis } from './types.js';

/** Default relative variance below which a neuron counts as constant (`--epsilon`). */
export const DEFAULT_EPSILON = 1e-10;

/**
 * Condition λ₁/λ_k of the kept Gram spectrum above which the basis gets a second orthonormalisation pass.
 * One pass leaves QᵀQ − I ≈ c·ε·λ₁/λ_k with c up to ~√m; 100 keeps that near 1e-12 for m ≤ 10⁶.
 */
export const REORTHOGONALIZE_ABOVE = 100;

export interface PrepareOptions {
  /** Relative variance threshold for dropping near-constant neurons (default DEFAULT_EPSILON). */
  readonly epsilon?: number;
  /** How errors name the layer. */
  readonly ref?: string;
  /** Kernel backend for the Gram and basis products (default 'auto'). */
  readonly backend?: KernelChoice;
}

export async function prepareBasis(x: Matrix, options: PrepareOptions = {}): Promise<PreparedBasis> {
  const staged = await stageLayer(centerLayer(x, options), options);
  return basisOf(await staged.eigen(), { backend: options.backend });
}

/** Steps 1–4 and 6 of prepareBasis: everything but the data-space basis Q, which a single pair can do without. */
export interface LayerDecomposition {
  readonly spectrum: LayerSpectrum;
  /** The centered kept neurons A_c (datapoints × kept). */
  readonly centered: Matrix;
  /** W with Q = A_c·W orthonormal (kept × k): V_k·S_k⁻¹, or L⁻ᵀ when whitened by Cholesky. */
  readonly whitening: Matrix;
  /** λ₁/λ_k of the kept Gram spectrum, or an upper bound on it (the Cholesky-first stage); 1 when k = 0. */
  readonly condition: number;
}

/** Steps 1–2: the validated, centered layer with its near-constant neurons dropped. */
export interface CenteredLayer {
  readonly ref: string;
  readonly epsilon: number;
  /** Width as given. */
  readonly neurons: number;
  readonly kept: Int32Array;
  /** A_c: datapoints × kept. */
  readonly centered: Matrix;
}

export function centerLayer(x: Matrix, options: PrepareOptions = {}): CenteredLayer {
  const ref = options.ref ?? 'layer';
  const epsilon = options.epsilon ?? DEFAULT_EPSILON;
  if (!(epsilon >= 0 && epsilon < 1)) throw new RangeError(`epsilon must be in [0, 1), got ${epsilon}`);
  const m = x.rows;
  const n = x.cols;
  if (m === 0 || n === 0) throw new InputError(ref, `layer of shape (${m}, ${n}) is empty`);
  if (m < 2) {
    checkFinite(x, ref);
    throw new InputError(ref, `has ${m} datapoint; a comparison needs at least 2`);
  }
  const measured = centerAndMeasure(x);
  if (!measured) {
    checkFinite(x, ref); // names the first bad value
    throw new InputError(ref, 'has values so large that their sum overflows float64; rescale the activations');
  }
  const { centered, variance, constant } = measured;
  let maxVariance = 0;
  for (let j = 0; j < n; j++) if (!constant[j]) maxVariance = Math.max(maxVariance, variance[j]!);
  if (maxVariance === 0) throw new InputError(ref, `every one of its ${n} neurons is constant over the ${m} datapoints; there is nothing to compare`);

  const keptList: number[] = [];
  for (let j = 0; j < n; j++) if (!constant[j] && variance[j]! > epsilon * maxVariance) keptList.push(j);
  const kept = Int32Array.from(keptList);
  const nk = kept.length;
  return { ref, epsilon, neurons: n, kept, centered: nk === n ? centered : selectColumns(centered, kept) };
}

/**
 * Steps 3–4 in stages: the Gram's eigenvalues (numerical rank, σ, condition) first, then the whitening W by
 * eigenvectors or, where that is enough, by Cholesky — the eigenvectors being the larger half of the work.
 */
export interface StagedLayer {
  readonly layer: CenteredLayer;
  /** Numerical rank k. */
  readonly rank: number;
  /** λ₁/λ_k of the kept Gram spectrum, or an upper bound on it (the Cholesky-first stage); 1 when k = 0. */
  readonly condition: number;
  /** The decomposition on the singular directions (steps 3–4, 6): what every method and truncation can use. */
  eigen(): Promise<LayerDecomposition>;
  /**
   * The decomposition whitened by Cholesky, G = L·Lᵀ: W = L⁻ᵀ, R = Lᵀ. Q = A_c·L⁻ᵀ spans the same space as the
   * singular basis, so canonical correlations and PWCCA's weights (both basis-free) are the same; its directions are
   * not ordered by singular value, so no truncation may use it. Null when the layer is not of full numerical rank
   * (its Gram is then not safely positive definite).
   */
  cholesky(): Promise<LayerDecomposition | null>;
}

export interface StageOptions extends PrepareOptions {
  /**
   * Try Cholesky whitening before any eigenvalue: when G = L·Lᵀ exists and the rigorous bound
   * κ(G) ≤ ‖G‖₁·‖L⁻¹‖₁·‖L⁻¹‖_∞ is at most this, the layer is of full numerical rank and conditioned well enough
   * for the caller's route, and its eigenvalues are never computed (they are computed after all if `eigen()` is
   * asked for). Float64 backends only.
   */
  readonly choleskyUpTo?: number;
}

export async function stageLayer(layer: CenteredLayer, options: StageOptions = {}): Promise<StagedLayer> {
  const g = await gram(layer.centered, { backend: options.backend });
  const info = await backendInfo(options.backend ?? 'auto');
  // A reduced-precision backend (float32 GPU) declares how far its Gram may sit from the exact one; below that
  // nothing is resolved, so its tolerance raises the rank cut. Float64 backends differ only by summation order.
  const floor = info.precision === 'f64' ? 0 : info.tolerance;
  const kernel = { backend: options.backend };
  if (options.choleskyUpTo === undefined || floor > 0 || layer.kept.length === 0) return stageByEigenvalues(layer, g, floor, kernel);
  const factors = await choleskyOrNull(g, kernel);
  const bound = factors ? conditionBound(g, factors.inverse) : Infinity;
  if (!factors || bound > options.choleskyUpTo) return stageByEigenvalues(layer, g, floor, kernel, factors);
  const nk = layer.kept.length;
  const decomposition = whitenedByCholesky(layer, factors, { rank: nk, singularValues: null }, bound);
  let byEigen: Promise<StagedLayer> | undefined;
  return {
    layer,
    rank: nk,
    condition: bound,
    eigen: async () => (await (byEigen ??= stageByEigenvalues(layer, g, floor, kernel, factors))).eigen(),
    cholesky: async () => decomposition,
  };
}

/** The decomposition whitened by G = L·Lᵀ: W = L⁻ᵀ, R = Lᵀ. */
function whitenedByCholesky(
  layer: CenteredLayer,
  factors: { l: Matrix; inverse: Matrix },
  spectrum: Pick<LayerSpectrum, 'rank' | 'singularValues'>,
  condition: number,
): LayerDecomposition {
  return {
    spectrum: { ...spectrumFields(layer), ...spectrum, coordinates: transpose(factors.l).data },
    centered: layer.centered,
    whitening: transpose(factors.inverse),
    condition,
  };
}

function spectrumFields(layer: CenteredLayer): Pick<LayerSpectrum, 'ref' | 'datapoints' | 'neurons' | 'kept' | 'epsilon'> {
  return { ref: layer.ref, datapoints: layer.centered.rows, neurons: layer.neurons, kept: layer.kept, epsilon: layer.epsilon };
}

/** Cholesky factor and inverse of G, or null when a pivot is not positive. */
async function choleskyOrNull(g: Matrix, kernel: KernelOptions): Promise<{ l: Matrix; inverse: Matrix } | null> {
  try {
    return await choleskyOf(g, kernel);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/**
 * An upper bound on κ₂(G) = λ_max·‖G⁻¹‖₂ from G and X = L⁻¹ (G⁻¹ = XᵀX): λ_max ≤ ‖G‖₁ and ‖X‖₂² ≤ ‖X‖₁·‖X‖_∞.
 * O(n²), and never below the true condition.
 */
export function conditionBound(g: Matrix, inverse: Matrix): number {
  const n = g.rows;
  let gNorm = 0;
  for (let j = 0; j < n; j++) {
    let column = 0;
    for (let i = 0; i < n; i++) column += Math.abs(g.data[i * n + j]!);
    gNorm = Math.max(gNorm, column);
  }
  const rows = new Float64Array(n);
  const columns = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = Math.abs(inverse.data[i * n + j]!);
      rows[i]! += v;
      columns[j]! += v;
    }
  }
  let one = 0;
  let inf = 0;
  for (let i = 0; i < n; i++) {
    one = Math.max(one, columns[i]!);
    inf = Math.max(inf, rows[i]!);
  }
  return gNorm * one * inf;
}

/**
 * Steps 3–4 staged by the Gram's eigenvalues; `floor`: a reduced-precision backend's relative tolerance (0 for f64);
 * `factors`: G's Cholesky factors when already tried (null: a pivot was not positive). The eigensolver is the
 * kernel backend's own (LAPACK's dsyevd on blas, linalg/eigh.ts on the WebAssembly backend; a GPU product backend
 * leaves it to the exact 'auto' one).
 */
async function stageByEigenvalues(
  layer: CenteredLayer,
  g: Matrix,
  floor: number,
  kernel: KernelOptions,
  factors?: { l: Matrix; inverse: Matrix } | null,
): Promise<StagedLayer> {
  const { kept, centered: ak } = layer;
  const m = ak.rows;
  const nk = kept.length;
  const staged = await eighOf(g, { ...kernel, vectors: false });
  const { values } = staged;
  const tol = Math.max(rankTolerance(values[0]!, Math.max(m, nk)), floor * values[0]!);
  let k = 0;
  while (k < nk && values[k]! > tol) k++;
  const sigma = new Float64Array(k);
  for (let i = 0; i < k; i++) sigma[i] = Math.sqrt(values[i]!);
  const condition = k > 0 ? values[0]! / values[k - 1]! : 1;

  const eigen = async (): Promise<LayerDecomposition> => {
    const vectors = await staged.vectors();
    // W = V_k·S_k⁻¹ (nk × k) and R₀ = S_k·V_kᵀ (k × nk).
    const w = matrix(nk, k);
    const r0 = matrix(k, nk);
    for (let j = 0; j < nk; j++) {
      for (let i = 0; i < k; i++) {
        const v = vectors.data[j * nk + i]!;
        w.data[j * k + i] = v / sigma[i]!;
        r0.data[i * nk + j] = v * sigma[i]!;
      }
    }
    return { spectrum: { ...spectrumFields(layer), rank: k, singularValues: sigma, coordinates: r0.data }, centered: ak, whitening: w, condition };
  };
  const byCholesky = async (): Promise<LayerDecomposition | null> => {
    if (k < nk) return null;
    const known = factors === undefined ? await choleskyOrNull(g, kernel) : factors;
    // null: a non-positive pivot after all, the eigenvectors will do.
    return known ? whitenedByCholesky(layer, known, { rank: k, singularValues: sigma }, condition) : null;
  };
  return { layer, rank: k, condition, eigen, cholesky: byCholesky };
}

/** Step 5: Q = A_c·W, re-orthonormalised when the kept spectrum is ill-conditioned (and R with it). */
export async function basisOf(layer: LayerDecomposition, kernel: KernelOptions = {}): Promise<PreparedBasis> {
  const { spectrum, centered, whitening, condition } = layer;
  const k = spectrum.rank;
  let q = await matmul(centered, whitening, kernel);
  let coordinates = spectrum.coordinates;
  if (k > 0 && condition > REORTHOGONALIZE_ABOVE) {
    const t = transpose((await choleskyOf(await gram(q, kernel), kernel)).inverse); // L⁻ᵀ, upper k × k
    q = await matmul(q, t, kernel);
    coordinates = (await exactProduct(t, matrix(k, spectrum.kept.length, coordinates))).data; // Tᵀ·R
  }
  return { ...spectrum, singularValues: singularValuesOf(spectrum), coordinates, basis: q.data };
}

/**
 * The eigensolvers' and the Cholesky's own products (divide-and-conquer merges, back-transformation): float64 on the
 * calling thread, whatever backend the layer products use — a float32 backend would cost the eigenvectors half their
 * digits, and the shared kernel threads may be busy with a layer-sized product of the same comparison.
 */
export function exactProduct(x: Matrix, y: Matrix): Promise<Matrix> {
  return crossGramOnThisThread(x, y);
}

/** The basis as a Matrix (a view, no copy) or its first `k` columns (a copy). */
export function basisMatrix(p: PreparedBasis, k: number = p.rank): Matrix {
  return firstColumns(matrix(p.datapoints, p.rank, p.basis), k);
}

/** NaN/Inf anywhere is an InputError naming the file and the first bad position. */
export function checkFinite(x: Matrix, ref: string): void {
  const d = x.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!Number.isFinite(v)) {
      const what = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Inf' : '-Inf';
      throw new InputError(ref, `${what} at datapoint ${Math.floor(i / x.cols)}, neuron ${i % x.cols}; activations must be finite`);
    }
  }
}

/**
 * Layers up to this size are centered in WebAssembly SIMD (a wasm32 memory holds 4 GiB at most); larger ones by the
 * scalar loops.
 */
export const SIMD_CENTERING_MAX_BYTES = 2 ** 31;

/**
 * Centering and each neuron's variance in two passes over the data: (1) sums and min/max, (2) c = x − mean, written
 * out, with Σc and Σc² for the corrected two-pass variance (Σc² − (Σc)²/m)/m, which stays accurate for neurons
 * with a large mean. A neuron is flagged constant when min = max, whatever rounding the mean left behind; its
 * centered column is exactly zero. Both passes run in WebAssembly SIMD on a copy in a vector machine (the centered
 * layer then lives there), or as scalar loops above SIMD_CENTERING_MAX_BYTES. Returns null when a sum is not
 * finite: a NaN or ±Inf in the data (or values whose sum overflows), so finiteness costs no pass of its own.
 */
export function centerAndMeasure(x: Matrix, simd = x.data.length * 8 <= SIMD_CENTERING_MAX_BYTES): { centered: Matrix; variance: Float64Array; constant: Uint8Array } | null {
  const { rows: m, cols: n, data } = x;
  const machine = simd ? new VectorMachine([m * n, n, n, n, n, n, n]) : null;
  const alloc = (length: number): Float64Array => (machine ? machine.alloc(length) : new Float64Array(length));
  const out = alloc(m * n);
  const sum = alloc(n);
  const lo = alloc(n);
  const hi = alloc(n);
  lo.set(data.subarray(0, n));
  hi.set(data.subarray(0, n));
  if (machine) {
    out.set(data);
    machine.exports.columnStats(out.byteOffset, m, n, sum.byteOffset, lo.byteOffset, hi.byteOffset);
  } else {
    for (let r = 0; r < m; r++) {
      const o = r * n;
      for (let j = 0; j < n; j++) {
        const v = data[o + j]!;
        sum[j] += v;
        if (v < lo[j]!) lo[j] = v;
        else if (v > hi[j]!) hi[j] = v;
      }
    }
  }
  const mean = alloc(n);
  const constant = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    if (!Number.isFinite(sum[j]!)) return null;
    constant[j] = lo[j] === hi[j] ? 1 : 0;
    mean[j] = constant[j] ? data[j]! : sum[j]! / m; // constant: the value itself, so c is exactly 0
  }
  const s1 = alloc(n);
  const s2 = alloc(n);
  if (machine) {
    machine.exports.centerColumns(out.byteOffset, m, n, mean.byteOffset, s1.byteOffset, s2.byteOffset);
  } else {
    for (let r = 0; r < m; r++) {
      const o = r * n;
      for (let j = 0; j < n; j++) {
        const c = data[o + j]! - mean[j]!;
        out[o + j] = c;
        s1[j] += c;
        s2[j] += c * c;
      }
    }
  }
  const variance = new Float64Array(n);
  for (let j = 0; j < n; j++) variance[j] = Math.max(0, (s2[j]! - (s1[j]! * s1[j]!) / m) / m);
  return { centered: matrix(m, n, out), variance, constant };
}
