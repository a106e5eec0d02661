/**
 * The raw-layer path of the matrix: `pwcca-compat reference` and `dft-cca` have no prepared basis, so each pair
 * compares the two loaded layers, in this process.
 */
import type { MatrixRequest } from '../domain/index.js';
import { checkMeasureChoice } from '../domain/index.js';
import { asDense, loadLayer, type LayerData } from '../layers/index.js';
import { compareMatrices } from '../measures/compare.js';
import { convLayerOf, dftCca } from '../measures/dft-cca.js';
import { similarityOf } from './jobs.js';
import type { Normalized, PairsOutcome, Progress } from './matrix-request.js';

export interface RawPairsInput {
  specs: string[];
  needed: number[];
  missing: Array<[number, number]>;
  options: Normalized;
  request: MatrixRequest;
  progress: Progress;
  checkCancel: () => void;
}

export async function rawPairs(input: RawPairsInput): Promise<PairsOutcome> {
  const { specs, needed, missing, options, request, progress, checkCancel } = input;
  const layers = new Map<number, LayerData>();
  for (const i of needed) {
    checkCancel();
    layers.set(i, await loadLayer(specs[i]!, { layout: options.layout, ...(options.neuronsFirst ? { neuronsFirst: true } : {}) }));
  }
  const out = new Float64Array(missing.length);
  for (let t = 0; t < missing.length; t++) {
    checkCancel();
    const [i, j] = missing[t]!;
    const a = layers.get(i)!;
    const b = layers.get(j)!;
    if (options.compare) {
      const conv = options.conv === 'dft' ? 'channels' : options.conv;
      out[t] = similarityOf(await compareMatrices(asDense(a, conv), asDense(b, conv), { ...options.compare, refA: a.ref, refB: b.ref }));
    } else {
      const measure = request.method === 'dft-cca' ? 'cca' : (request.method as 'cca' | 'svcca' | 'pwcca');
      checkMeasureChoice({ method: request.method, conv: 'dft' });
      out[t] = (
        await dftCca(convLayerOf(a), convLayerOf(b), {
          method: measure,
          epsilon: options.epsilon,
          ...(request.keep !== undefined ? { keep: request.keep } : {}),
          ...(request.dims !== undefined ? { dims: request.dims } : {}),
          backend: options.backend,
        })
      ).similarity;
    }
    progress(t + 1, missing.length, 'pairs');
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { similarities: out, decompositions: 0, workers: 0 };
}

