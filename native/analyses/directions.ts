/**
 * Ordered directions in data space for the compression preview: k directions span the subspace the layer is
 * projected onto. Every direction set is made orthonormal by Gram–Schmidt in the order given, so "the first k"
 * always means the span of the first k candidates:
 *  - `svd`: the left singular vectors of the centered layer, by singular value;
 *  - `svcca`: the canonical variates of the layer from SVCCA against a target (the logits, or the same layer of
 *    another net), by canonical correlation; then, to reach every k up to the layer's width, the layer's singular
 *    directions by singular value, each taken only for what is new (orthogonalised against those before).
 *    Canonical correlations that tie (within TIED_CORRELATIONS; e.g. a layer against logits computed linearly from
 *    it has ~10 correlations of 1) leave the directions inside the tied group arbitrary — any rotation of them is
 *    equally canonical. The group is then ordered by the layer's own variance: rotated to the principal axes of the
 *    layer's data within its span, largest first, so "the first k" is well defined;
 *  - neuron orders (random, most active): the centered neurons themselves; a neuron already in the span of the
 *    ones before adds no direction.
 * Classical Gram–Schmidt with one re-orthogonalisation pass (CGS2: orthonormal to rounding); a candidate whose
 * residual is below DEPENDENT_BELOW of its own norm is dependent and adds nothing.
 */
import { eigh } from '../linalg/eigh.js';
import { matrix, type Matrix } from '../linalg/matrix.js';
import { canonicalCorrelations } from '../measures/correlations.js';
import { chooseDims, crossBasis } from '../measures/pair.js';
import { basisMatrix } from '../measures/prepare.js';
import type { PreparedBasis, Truncation } from '../measures/types.js';

/** A residual this small relative to the candidate's norm means the candidate lies in the span already taken. */
export const DEPENDENT_BELOW = 1e-9;

/** Canonical correlations closer than this (consecutively) form one tied group. */
export const TIED_CORRELATIONS = 1e-6;

export interface OrderedDirections {
  readonly rows: number;
  /** Orthonormal directions, one Float64Array of length `rows` each, in order. */
  readonly vectors: Float64Array[];
  /** For each candidate in order, how many directions exist after it was offered (non-decreasing). */
  readonly countAfter: Int32Array;
}

/** Gram–Schmidt over `candidates` (each a length-`rows` vector, in order). */
export function orthonormalize(rows: number, candidates: Iterable<Float64Array>): OrderedDirections {
  const vectors: Float64Array[] = [];
  const counts: number[] = [];
  for (const candidate of candidates) {
    const original = norm(candidate);
    if (original > 0) {
      const v = Float64Array.from(candidate);
      for (let pass = 0; pass < 2; pass++) {
        for (const q of vectors) {
          const d = dot(q, v);
          for (let i = 0; i < rows; i++) v[i]! -= d * q[i]!;
        }
      }
      const residual = norm(v);
      if (residual > DEPENDENT_BELOW * original) {
        for (let i = 0; i < rows; i++) v[i]! /= residual;
        vectors.push(v);
      }
    }
    counts.push(vectors.length);
  }
  return { rows, vectors, countAfter: Int32Array.from(counts) };
}

/** The columns of a row-major matrix, in the order given (all columns by default). */
export function* columns(m: Matrix, order?: Iterable<number>): Generator<Float64Array> {
  for (const j of order ?? Array.from({ length: m.cols }, (_, i) => i)) {
    const v = new Float64Array(m.rows);
    for (let r = 0; r < m.rows; r++) v[r] = m.data[r * m.cols + j]!;
    yield v;
  }
}

export function svdDirections(layer: PreparedBasis): OrderedDirections {
  return orthonormalize(layer.datapoints, columns(basisMatrix(layer)));
}

export interface SvccaDirections extends OrderedDirections {
  /** The canonical correlations of the leading directions, descending. */
  readonly correlations: number[];
  /** Directions of each side that entered CCA. */
  readonly dims: [number, number];
}

export async function svccaDirections(layer: PreparedBasis, target: PreparedBasis, truncation: Truncation): Promise<SvccaDirections> {
  const kA = chooseDims(layer, truncation);
  const kB = chooseDims(target, truncation);
  const { rho, u: rawU } = await canonicalCorrelations(await crossBasis(layer, kA, target, kB), true);
  const u = orderTiedGroups(layer, kA, rho, rawU!);
  const q = basisMatrix(layer, kA);
  const c = rho.length;
  const variates = function* (): Generator<Float64Array> {
    // Canonical variate i = Q_A[:, :kA]·u_i (u: kA × c).
    for (let i = 0; i < c; i++) {
      const v = new Float64Array(layer.datapoints);
      for (let r = 0; r < layer.datapoints; r++) {
        let s = 0;
        for (let j = 0; j < kA; j++) s += q.data[r * kA + j]! * u.data[j * c + i]!;
        v[r] = s;
      }
      yield v;
    }
    yield* columns(basisMatrix(layer));
  };
  return { ...orthonormalize(layer.datapoints, variates()), correlations: Array.from(rho), dims: [kA, kB] };
}

/**
 * Within each group of tied correlations, rotates the columns of U (kA × c, A's canonical directions in basis
 * coordinates) to the principal axes of the layer inside the group's span: with R the layer's coordinates in its
 * basis (A_c = Q·R), the group's data is U_gᵀ·R[:kA], and its left singular vectors (eigenvectors of U_gᵀ·R·Rᵀ·U_g)
 * order the group by variance.
 */
function orderTiedGroups(layer: PreparedBasis, kA: number, rho: Float64Array, u: Matrix): Matrix {
  const c = rho.length;
  const nk = layer.kept.length;
  const out = matrix(u.rows, c, Float64Array.from(u.data));
  // G = R[:kA]·R[:kA]ᵀ (kA × kA): the layer's covariance in its first kA basis directions.
  const g = new Float64Array(kA * kA);
  for (let i = 0; i < kA; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let t = 0; t < nk; t++) sum += layer.coordinates[i * nk + t]! * layer.coordinates[j * nk + t]!;
      g[i * kA + j] = sum;
      g[j * kA + i] = sum;
    }
  }
  let start = 0;
  while (start < c) {
    let end = start + 1;
    while (end < c && rho[end - 1]! - rho[end]! <= TIED_CORRELATIONS) end++;
    const size = end - start;
    if (size > 1) {
      // U_g (kA × size); S = U_gᵀ·G·U_g (size × size); rotate U_g by S's eigenvectors.
      const ug = new Float64Array(kA * size);
      for (let r = 0; r < kA; r++) for (let j = 0; j < size; j++) ug[r * size + j] = u.data[r * c + start + j]!;
      const gu = new Float64Array(kA * size);
      for (let r = 0; r < kA; r++) {
        for (let t = 0; t < kA; t++) {
          const v = g[r * kA + t]!;
          if (v === 0) continue;
          for (let j = 0; j < size; j++) gu[r * size + j]! += v * ug[t * size + j]!;
        }
      }
      const sm = matrix(size, size);
      for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) {
        let sum = 0;
        for (let r = 0; r < kA; r++) sum += ug[r * size + i]! * gu[r * size + j]!;
        sm.data[i * size + j] = sum;
      }
      const { vectors } = eigh(sm);
      for (let r = 0; r < kA; r++) {
        for (let j = 0; j < size; j++) {
          let sum = 0;
          for (let t = 0; t < size; t++) sum += ug[r * size + t]! * vectors.data[t * size + j]!;
          out.data[r * c + start + j] = sum;
        }
      }
    }
    start = end;
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}
