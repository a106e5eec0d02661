/**
 * The single-pair route to M = Q_Aᵀ·Q_B. When two raw layers are compared once, their bases Q = A_c·W are never
 * needed themselves: M = W_Aᵀ·(A_cᵀ·B_c)·W_B costs one datapoints × kept_A × kept_B product plus small ones,
 * where the basis route costs three products of that size (Q_A, Q_B, then Q_AᵀQ_B).
 *
 * Rounding: an entry of A_cᵀB_c carries an error of order ε·‖a_i‖·‖b_j‖, which whitening scales by up to
 * σ₁/σ_k on each side, so M's entries are off by about ε·√(cond_A·cond_B) with cond = λ₁/λ_k of the kept Gram
 * spectrum. The route is taken only when both conditions are at most COVARIANCE_ROUTE_MAX_CONDITION, which bounds that
 * near 1e-12; more ill-conditioned layers go through the bases, whose re-orthonormalisation keeps M to ~1e-15.
 */
import { crossGram, matmul, type KernelOptions } from '../kernels/index.js';
import type { Matrix } from '../linalg/matrix.js';
import { firstColumns } from '../linalg/util.js';
import type { LayerDecomposition } from './prepare.js';
import type { PairCross } from './types.js';

/** λ₁/λ_k up to which a layer's whitened covariance is accurate enough (see above). */
export const COVARIANCE_ROUTE_MAX_CONDITION = 1e4;

/** One layer's half of the route condition. */
export function conditionedForCovariance(layer: { readonly condition: number }): boolean {
  return layer.condition <= COVARIANCE_ROUTE_MAX_CONDITION;
}

export function covarianceRouteApplies(a: { readonly condition: number }, b: { readonly condition: number }): boolean {
  return conditionedForCovariance(a) && conditionedForCovariance(b);
}

/**
 * M for the first kA × kB directions from the cross-covariance A_cᵀ·B_c: `covariance` when the caller started it
 * already (it does not depend on the decompositions, so it can run while they do), else formed on the first call.
 */
export function covarianceCross(a: LayerDecomposition, b: LayerDecomposition, kernel: KernelOptions = {}, covariance?: Promise<Matrix>): PairCross {
  return async (kA, kB) => {
    covariance ??= crossGram(a.centered, b.centered, kernel);
    const c = await covariance; // kept_A × kept_B
    const right = await matmul(c, firstColumns(b.whitening, kB), kernel); // kept_A × kB
    return crossGram(firstColumns(a.whitening, kA), right, kernel); // W_A[:, :kA]ᵀ·C·W_B[:, :kB]
  };
}
