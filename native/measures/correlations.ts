/**
 * Canonical correlations from the cross-product of two orthonormal bases: ρ = singular values of M = Q_Aᵀ·Q_B
 * (kA × kB), descending, clipped to [0, 1]; optionally the left singular vectors U (A's canonical directions in
 * basis coordinates: A's canonical variates are h_i = Q_A·u_i).
 *
 * Route (the cheapest accurate one for each need; every one accurate to ~ε absolute, where √eigenvalue of M·Mᵀ
 * would only give ~√ε near zero):
 *  - values only: Golub–Kahan bidiagonalisation (singular-values.ts);
 *  - U wanted, kA ≤ kB: the eigenvectors E of M·Mᵀ (the `gram` kernel, eigh), then ρ_i = ‖Mᵀ·e_i‖;
 *  - U wanted and kA > kB: the preconditioned Jacobi SVD of M (svd.ts), which also resolves U for the
 *    smallest correlations.
 */
import { crossGram, gram, type KernelOptions } from '../kernels/index.js';
import { eighWith } from '../linalg/eigh.js';
import { matrix, type Matrix } from '../linalg/matrix.js';
import { singularValues } from '../linalg/singular-values.js';
import { svd } from '../linalg/svd.js';
import { transpose } from '../linalg/util.js';
import { exactProduct } from './prepare.js';

export interface Correlations {
  /** c = min(kA, kB) canonical correlations, descending, in [0, 1]. */
  readonly rho: Float64Array;
  /** kA × c, orthonormal columns (only when asked for). */
  readonly u: Matrix | null;
}

export async function canonicalCorrelations(m: Matrix, wantU: boolean, kernel: KernelOptions = {}): Promise<Correlations> {
  const kA = m.rows;
  const kB = m.cols;
  const c = Math.min(kA, kB);
  if (c === 0) return { rho: new Float64Array(0), u: wantU ? matrix(kA, 0) : null };
  if (!wantU) return { rho: clipUnit(singularValues(m)), u: null };
  if (kA > kB) {
    const { u, s } = svd(m);
    return { rho: clipUnit(s), u };
  }
  const x = m; // kA ≤ kB
  const p = x.rows;
  const { vectors } = await eighWith(await gram(transpose(x), kernel), exactProduct); // X·Xᵀ
  const e = vectors; // kA × kA, all kA = c columns wanted
  const projected = await crossGram(x, e, kernel); // Xᵀ·E: q × c, column i has norm ρ_i
  const q = projected.rows;
  const norms = new Float64Array(c);
  for (let r = 0; r < q; r++) {
    const o = r * c;
    for (let i = 0; i < c; i++) norms[i]! += projected.data[o + i]! ** 2;
  }
  for (let i = 0; i < c; i++) norms[i] = Math.sqrt(norms[i]!);
  // Eigenvalue order and norm order agree except where rounding swaps near-equal values: sort by the norms.
  const order = Array.from({ length: c }, (_, i) => i).sort((i, j) => norms[j]! - norms[i]!);
  const rho = clipUnit(Float64Array.from(order, (i) => norms[i]!));
  const u = matrix(p, c);
  for (let r = 0; r < p; r++) for (let k = 0; k < c; k++) u.data[r * c + k] = e.data[r * c + order[k]!]!;
  return { rho, u };
}

function clipUnit(values: Float64Array): Float64Array {
  for (let i = 0; i < values.length; i++) values[i] = Math.min(1, Math.max(0, values[i]!));
  return values;
}
