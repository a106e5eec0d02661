/**
 * The two kinds of per-block work of DFT-CCA, as plain data in and out so they can cross to worker threads:
 *  - 'eigh': Hermitian eigendecompositions of covariance blocks;
 *  - 'cca':  the CCA of blocks, given both sides' eigendecompositions, kept counts and cross-covariance.
 */
import { complexEigh, type ComplexEighResult } from '../linalg/complex-eigh.js';
import type { ComplexMatrix } from '../linalg/complex-matrix.js';
import { blockCca, type BlockCcaResult, type BlockWeighting } from './dft-block-cca.js';

export interface BlockCcaInput {
  readonly eigA: ComplexEighResult;
  readonly keptA: number;
  readonly eigB: ComplexEighResult;
  readonly keptB: number;
  readonly cross: ComplexMatrix;
  readonly weighting: BlockWeighting;
}

export type BlockTask = { readonly kind: 'eigh'; readonly items: readonly ComplexMatrix[] } | { readonly kind: 'cca'; readonly items: readonly BlockCcaInput[] };
export type BlockTaskResult = ComplexEighResult[] | BlockCcaResult[];

export function runBlockTask(task: BlockTask): BlockTaskResult {
  if (task.kind === 'eigh') return task.items.map((h) => complexEigh(h));
  return task.items.map((x) => blockCca(x.eigA, x.keptA, x.eigB, x.keptB, x.cross, x.weighting));
}

/** The typed arrays' buffers of a result, handed over instead of copied. */
export function transferables(result: BlockTaskResult): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const add = (a: Float64Array | null): void => {
    if (a && a.buffer instanceof ArrayBuffer && a.byteLength > 0 && !out.includes(a.buffer)) out.push(a.buffer);
  };
  for (const r of result) {
    if ('vectors' in r) {
      add(r.values);
      add(r.vectors.re);
      add(r.vectors.im);
    } else {
      add(r.coefficients);
      add(r.weights);
    }
  }
  return out;
}
