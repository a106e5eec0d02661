/**
 * SVCCA ([Raghu2017-SVCCA], sec. 2): keep each layer's top singular directions — the smallest k reaching `keep`
 * (default 0.99) of the sum of singular values, or exactly `dims` — then CCA between them; similarity = mean
 * correlation.
 */
import { ccaFields, checkSameDatapoints, chooseDims, DEFAULT_KEEP, keepField } from './pair.js';
import type { LayerSpectrum, MeasureResult, PairCorrelations, Truncation } from './types.js';

export function svccaTruncation(truncation: Truncation = {}): Truncation {
  return truncation.dims !== undefined ? { dims: truncation.dims } : { keep: truncation.keep ?? DEFAULT_KEEP };
}

export async function svcca(a: LayerSpectrum, b: LayerSpectrum, truncation: Truncation | undefined, correlate: PairCorrelations): Promise<MeasureResult> {
  checkSameDatapoints(a, b);
  const t = svccaTruncation(truncation);
  const kA = chooseDims(a, t);
  const kB = chooseDims(b, t);
  const { rho } = await correlate(kA, kB, false);
  return { ...ccaFields('svcca', a, b, kA, kB, rho), ...keepField(t) };
}
