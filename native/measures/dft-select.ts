/**
 * How many eigen-directions of each frequency block one layer keeps.
 *
 * The augmented layer's covariance is (up to a unitary change of basis) block diagonal, so its eigenvalues are the
 * union of the blocks' eigenvalues, each counted `multiplicity` times (a class and its conjugate). Two selections:
 *  - rank: every direction above the rank cut-off (CCA, PWCCA);
 *  - SVCCA: the directions of the LARGEST singular values of the whole centered augmented layer (σ ∝ √λ), across all
 *    blocks — the smallest number whose cumulative sum reaches `keep` of the total, or exactly `dims` of them.
 * A conjugate pair of blocks contributes two equal singular values. Where the cut falls between those two, dense
 * SVCCA would have to pick one direction of a two-dimensional eigenspace arbitrarily (its answer is not defined);
 * here the pair is kept whole, so the count can exceed `dims` by one (docs/dft-cca.md).
 */

export type DirectionSelection = { readonly kind: 'rank' } | { readonly kind: 'keep'; readonly keep: number } | { readonly kind: 'dims'; readonly dims: number };

/**
 * `values[c]`: block c's eigenvalues, descending. Returns the number of leading eigenpairs kept per block; nothing at
 * or below `tolerance` is ever kept.
 */
export function keptPerBlock(values: readonly Float64Array[], multiplicity: readonly number[], tolerance: number, selection: DirectionSelection): Int32Array {
  const kept = new Int32Array(values.length);
  const candidates: { block: number; sigma: number }[] = [];
  values.forEach((v, block) => {
    for (let j = 0; j < v.length && v[j]! > tolerance; j++) candidates.push({ block, sigma: Math.sqrt(v[j]!) });
  });
  if (selection.kind === 'rank') {
    for (const { block } of candidates) kept[block]!++;
    return kept;
  }
  // Descending σ; ties keep block order so the result does not depend on the sort's stability.
  candidates.sort((x, y) => y.sigma - x.sigma || x.block - y.block);
  let total = 0;
  for (const { block, sigma } of candidates) total += sigma * multiplicity[block]!;
  let cumulative = 0;
  let count = 0;
  for (const { block, sigma } of candidates) {
    if (selection.kind === 'keep' ? cumulative >= selection.keep * total : count >= selection.dims) break;
    kept[block]!++;
    cumulative += sigma * multiplicity[block]!;
    count += multiplicity[block]!;
  }
  return kept;
}
