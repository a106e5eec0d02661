/**
 * Plain CCA (003_*.txt, sec. 2.1): canonical correlations between the full column spaces of two centered layers
 * (near-constant neurons dropped, numerical rank kept); similarity = their mean. With `--keep`/`--dims` each layer
 * is first reduced to its top singular directions (then this is SVCCA with a mean).
 */
import type { KernelOptions } from '../kernels/index.js';
import { canonicalCorrelations } from './correlations.js';
import { assertNotDegenerate, ccaFields, checkSameDatapoints, chooseDims, isReduction } from './pair.js';
import type { LayerSpectrum, MeasureResult, PairCross, Truncation } from './types.js';

export async function cca(a: LayerSpectrum, b: LayerSpectrum, truncation: Truncation | undefined, cross: PairCross, kernel: KernelOptions = {}): Promise<MeasureResult> {
  checkSameDatapoints(a, b);
  const reduced = isReduction(truncation);
  const kA = chooseDims(a, truncation);
  const kB = chooseDims(b, truncation);
  assertNotDegenerate(a, kA, 'cca', reduced);
  assertNotDegenerate(b, kB, 'cca', reduced);
  const { rho } = await canonicalCorrelations(await cross(kA, kB), false, kernel);
  return ccaFields('cca', a, b, kA, kB, rho);
}
