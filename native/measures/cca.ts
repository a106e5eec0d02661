/**
 * Plain CCA ([Morcos2018-PWCCA], sec. 2.1): canonical correlations between the full column spaces of two centered
 * layers (near-constant neurons dropped, numerical rank kept); similarity = their mean. With `--keep`/`--dims` each
 * layer is first reduced to its top singular directions (then this is SVCCA with a mean).
 */
import { assertNotDegenerate, ccaFields, checkSameDatapoints, chooseDims, isReduction } from './pair.js';
import type { LayerSpectrum, MeasureResult, PairCorrelations, Truncation } from './types.js';

export async function cca(a: LayerSpectrum, b: LayerSpectrum, truncation: Truncation | undefined, correlate: PairCorrelations): Promise<MeasureResult> {
  checkSameDatapoints(a, b);
  const reduced = isReduction(truncation);
  const kA = chooseDims(a, truncation);
  const kB = chooseDims(b, truncation);
  assertNotDegenerate(a, kA, 'cca', reduced);
  assertNotDegenerate(b, kB, 'cca', reduced);
  const { rho } = await correlate(kA, kB, false);
  return ccaFields('cca', a, b, kA, kB, rho);
}
