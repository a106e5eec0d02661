/**
 * Canonical correlations from the cross-product of two orthonormal bases: ρ = singular values of M = Q_Aᵀ·Q_B
 * (kA × kB), descending, clipped to [0, 1]; optionally the left singular vectors U (A's canonical directions in
 * basis coordinates: A's canonical variates are h_i = Q_A·u_i).
 *
 * Route (the cheapest accurate one for each need; every one accurate to ~ε absolute, where √eigenvalue of M·Mᵀ
 * would only give ~√ε near zero):
 *  - values only: the Svd kernel without vectors (Golub–Kahan, singular-values.ts; LAPACK's gesdd on blas);
 *  - U wanted, kA ≤ kB: the eigenvectors E of M·Mᵀ (the `gram` kernel, the Eigh kernel), then ρ_i = ‖Mᵀ·e_i‖;
 *  - U wanted and kA > kB: the Svd kernel (preconditioned Jacobi, svd.ts; gesdd on blas), which also resolves U
 *    for the smallest correlations;
 *  - both sides' directions of a square M (an all-pairs job needs U for (A, B) and V for (B, A)): `canonicalPair`,
 *    one eigendecomposition for the two.
 */
import { crossGram, eighOf, gram, matmul, svdOf, type KernelOptions } from '../kernels/index.js';
import { matrix, type Matrix } from '../linalg/matrix.js';
import { firstColumns, norm2, selectColumns, transpose } from '../linalg/util.js';
import type { Correlations, PairCorrelations, PairCross } from './types.js';

export async function canonicalCorrelations(m: Matrix, wantU: boolean, kernel: KernelOptions = {}): Promise<Correlations> {
  const kA = m.rows;
  const kB = m.cols;
  const c = Math.min(kA, kB);
  if (c === 0) return { rho: new Float64Array(0), u: wantU ? matrix(kA, 0) : null };
  if (!wantU) return { rho: clipUnit((await svdOf(m, { ...kernel, vectors: false })).s), u: null };
  if (kA > kB) {
    const { u, s } = await svdOf(m, kernel);
    return { rho: clipUnit(s), u };
  }
  const { rho, u } = await leftDirections(m, kernel);
  return { rho, u };
}

/** The pair steps' correlations from their M. */
export function correlationsFromCross(cross: PairCross, kernel: KernelOptions = {}): PairCorrelations {
  return async (kA, kB, wantU) => canonicalCorrelations(await cross(kA, kB), wantU, kernel);
}

/**
 * B's direction i is taken as Mᵀ·u_i / ρ_i where ρ_i ≥ ρ₁ · DERIVED_MIN_RATIO: an error δ in u_i becomes at most
 * δ·‖M‖/ρ_i there, so those directions are at most ten times less accurate than U's own.
 */
const DERIVED_MIN_RATIO = 0.1;

/**
 * ρ, U and V of a square M from one eigendecomposition of M·Mᵀ — what a pair and its reverse both need (PWCCA and
 * weighted SVCCA weigh each side by its own directions), at about half the cost of two `canonicalCorrelations`.
 * V's columns for the larger correlations are Mᵀ·u_i/ρ_i; the others span the orthogonal complement of those, where
 * the same division would amplify rounding: that complement is made orthonormal and its directions found by
 * Rayleigh–Ritz (the eigenvectors of Sᵀ·MᵀM·S), which is what an eigendecomposition of MᵀM would give there.
 */
export async function canonicalPair(m: Matrix, kernel: KernelOptions = {}): Promise<Correlations & { readonly v: Matrix }> {
  const k = m.rows;
  if (m.cols !== k) throw new RangeError(`canonicalPair needs a square M, got ${m.rows} × ${m.cols}`);
  if (k === 0) return { rho: new Float64Array(0), u: matrix(0, 0), v: matrix(0, 0) };
  const { rho, u, projected } = await leftDirections(m, kernel);
  const threshold = rho[0]! * DERIVED_MIN_RATIO;
  let head = 0;
  while (head < k && rho[head]! > 0 && rho[head]! >= threshold) head++;
  const v = matrix(k, k);
  const pd = projected.data;
  for (let r = 0; r < k; r++) for (let i = 0; i < head; i++) v.data[r * k + i] = pd[r * k + i]! / rho[i]!;
  if (head < k) {
    const tailIndices = Array.from({ length: k - head }, (_, i) => head + i);
    const tail = await tailDirections(m, firstColumns(v, head), selectColumns(projected, tailIndices), kernel);
    const d = k - head;
    for (let i = 0; i < d; i++) {
      // The sign that pairs v_i with u_i: uᵢᵀ·M·vᵢ = (Mᵀuᵢ)·vᵢ ≥ 0.
      let dot = 0;
      for (let r = 0; r < k; r++) dot += pd[r * k + head + i]! * tail.data[r * d + i]!;
      const sign = dot < 0 ? -1 : 1;
      for (let r = 0; r < k; r++) v.data[r * k + head + i] = sign * tail.data[r * d + i]!;
    }
  }
  return { rho, u, v };
}

/** U (kA ≤ kB) from the eigenvectors of M·Mᵀ, with P = Mᵀ·U (kB × c, column i of norm ρ_i), both in ρ order. */
async function leftDirections(m: Matrix, kernel: KernelOptions): Promise<{ rho: Float64Array; u: Matrix; projected: Matrix }> {
  const p = m.rows;
  const q = m.cols;
  const c = p; // kA ≤ kB: all kA columns wanted
  const e = await (await eighOf(await gram(transpose(m), kernel), kernel)).vectors(); // M·Mᵀ
  const raw = await crossGram(m, e, kernel); // Mᵀ·E: q × c
  const norms = new Float64Array(c);
  for (let r = 0; r < q; r++) {
    const o = r * c;
    for (let i = 0; i < c; i++) norms[i]! += raw.data[o + i]! ** 2;
  }
  for (let i = 0; i < c; i++) norms[i] = Math.sqrt(norms[i]!);
  // Eigenvalue order and norm order agree except where rounding swaps near-equal values: sort by the norms.
  const order = Array.from({ length: c }, (_, i) => i).sort((i, j) => norms[j]! - norms[i]!);
  const rho = clipUnit(Float64Array.from(order, (i) => norms[i]!));
  return { rho, u: selectColumns(e, order), projected: selectColumns(raw, order) };
}

/**
 * The right singular directions of M that `head` (orthonormal columns) leaves out, in descending order: `start`'s
 * columns (Mᵀ·u_i of the small correlations) made orthonormal and orthogonal to `head` — where rounding left one
 * without a direction of its own, the coordinate axis least covered so far stands in — then rotated by the
 * eigenvectors of (M·S)ᵀ(M·S).
 */
async function tailDirections(m: Matrix, head: Matrix, start: Matrix, kernel: KernelOptions): Promise<Matrix> {
  const k = start.rows;
  const d = start.cols;
  let s = start;
  // Block Gram–Schmidt against the head, twice ("twice is enough").
  for (let pass = 0; pass < 2 && head.cols > 0; pass++) {
    const coefficients = await crossGram(head, s, kernel); // h × d
    const along = await matmul(head, coefficients, kernel); // k × d
    const next = matrix(k, d);
    for (let i = 0; i < next.data.length; i++) next.data[i] = s.data[i]! - along.data[i]!;
    s = next;
  }
  // Then column by column against the tail columns accepted before it (the head is done), twice; a column that
  // loses most of its length there had no direction of its own: an axis, orthogonalised against everything, stands in.
  const h = head.cols;
  const basis = new Float64Array(k * (h + d)); // column-major here: column j at j·k
  basis.set(transpose(head).data);
  const column = new Float64Array(k);
  for (let j = 0; j < d; j++) {
    const accepted = h + j;
    for (let r = 0; r < k; r++) column[r] = s.data[r * d + j]!;
    const before = norm2(column);
    let after = before > 0 ? orthogonalize(column, basis, h, accepted, k) : 0;
    if (!(after > 0.5 * before)) {
      leastCoveredAxis(column, basis, accepted, k);
      after = orthogonalize(column, basis, 0, accepted, k);
    }
    for (let r = 0; r < k; r++) basis[accepted * k + r] = column[r]! / after;
  }
  const orthonormal = transpose(matrix(d, k, basis.subarray(h * k)));
  // Rayleigh–Ritz on span(S): the eigenvectors of Sᵀ·MᵀM·S, descending.
  const ms = await matmul(m, orthonormal, kernel); // k × d
  const vectors = await (await eighOf(await gram(ms, kernel), kernel)).vectors();
  return matmul(orthonormal, vectors, kernel);
}

/** x minus its projections on columns from…to−1 of `basis` (column-major), twice; returns the new ‖x‖. */
function orthogonalize(x: Float64Array, basis: Float64Array, from: number, to: number, k: number): number {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = from; j < to; j++) {
      const o = j * k;
      let dot = 0;
      for (let r = 0; r < k; r++) dot += basis[o + r]! * x[r]!;
      for (let r = 0; r < k; r++) x[r]! -= dot * basis[o + r]!;
    }
  }
  return norm2(x);
}

/** x = the coordinate axis with the smallest share in the span of the first `count` columns of `basis`. */
function leastCoveredAxis(x: Float64Array, basis: Float64Array, count: number, k: number): void {
  const covered = new Float64Array(k);
  for (let j = 0; j < count; j++) for (let r = 0; r < k; r++) covered[r]! += basis[j * k + r]! ** 2;
  let best = 0;
  for (let r = 1; r < k; r++) if (covered[r]! < covered[best]!) best = r;
  x.fill(0);
  x[best] = 1;
}

function clipUnit(values: Float64Array): Float64Array {
  for (let i = 0; i < values.length; i++) values[i] = Math.min(1, Math.max(0, values[i]!));
  return values;
}
