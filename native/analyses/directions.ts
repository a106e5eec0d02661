/**
 * Ordered directions in data space for the compression preview: k directions span the subspace the layer is
 * projected onto. Every direction set is made orthonormal by Gram–Schmidt in the order given, so "the first k"
 * always means the span of the first k candidates:
 *  - `svd`: the left singular vectors of the centered layer, by singular value;
 *  - `svcca`: the canonical variates of the layer from SVCCA against a target (the logits, or the same layer of
 *    another net), by canonical correlation; then, to reach every k up to the layer's width, the layer's singular
 *    directions by singular value, each taken only for what is new (orthogonalised against those before);
 *  - neuron orders (random, most active): the centered neurons themselves; a neuron already in the span of the
 *    ones before adds no direction.
 * Classical Gram–Schmidt with one re-orthogonalisation pass (CGS2: orthonormal to rounding); a candidate whose
 * residual is below DEPENDENT_BELOW of its own norm is dependent and adds nothing.
 */
import type { Matrix } from '../linalg/matrix.js';
import { canonicalCorrelations } from '../measures/correlations.js';
import { chooseDims, crossBasis } from '../measures/pair.js';
import { basisMatrix } from '../measures/prepare.js';
import type { PreparedBasis, Truncation } from '../measures/types.js';

/** A residual this small relative to the candidate's norm means the candidate lies in the span already taken. */
export const DEPENDENT_BELOW = 1e-9;

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
  const { rho, u } = await canonicalCorrelations(await crossBasis(layer, kA, target, kB), true);
  const q = basisMatrix(layer, kA);
  const c = rho.length;
  const variates = function* (): Generator<Float64Array> {
    // Canonical variate i = Q_A[:, :kA]·u_i (u: kA × c).
    for (let i = 0; i < c; i++) {
      const v = new Float64Array(layer.datapoints);
      for (let r = 0; r < layer.datapoints; r++) {
        let s = 0;
        for (let j = 0; j < kA; j++) s += q.data[r * kA + j]! * u!.data[j * c + i]!;
        v[r] = s;
      }
      yield v;
    }
    yield* columns(basisMatrix(layer));
  };
  return { ...orthonormalize(layer.datapoints, variates()), correlations: Array.from(rho), dims: [kA, kB] };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}
