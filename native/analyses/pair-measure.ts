/**
 * One comparison inside an all-layers analysis (dynamics, identification): two layers, possibly of different
 * shapes, made comparable by the conv rule (layer-rows.ts), prepared once per (array, grid) and measured.
 *
 * Every pair yields the headline similarity of the chosen method and, from the same layers, the SVCCA canonical
 * correlations with the three summaries the papers use: their mean ([Raghu2017-SVCCA] eq. 1), Weighted SVCCA
 * ([Raghu2017-SVCCA-ICMLW] sec. 4.1) and the mean-square similarity √(Σc²/n) of [Raghu2017-BottomUp]. Under
 * `--conv dft`, conv–conv pairs run DFT-CCA (Theorem 1 of [Raghu2017-SVCCA]) and pairs with a dense layer use the
 * zero frequency (global average pooling); Weighted SVCCA has no DFT form and is left out there.
 */
import { checkMeasureChoice, type Method } from '../domain/index.js';
import { UsageError } from '../errors.js';
import type { LayerData } from '../layers/index.js';
import { compareBases, type BasisMethod } from '../measures/compare.js';
import { correlationsFromCross } from '../measures/correlations.js';
import { convLayerOf, dftCca, type DftMeasure } from '../measures/dft-cca.js';
import { basisCross, mean, meanSquare } from '../measures/pair.js';
import { prepareBasis } from '../measures/prepare.js';
import { svccaTruncation } from '../measures/svcca.js';
import { svccaWeighted } from '../measures/svcca-weighted.js';
import type { PreparedBasis, Truncation } from '../measures/types.js';
import { gridKey, layerMatrix, pairGrid, type Grid, type RowMode } from './layer-rows.js';

export type PairConv = RowMode | 'dft';

export interface PairMeasureOptions {
  readonly method: Method;
  readonly conv: PairConv;
  readonly keep?: number;
  readonly dims?: number;
  readonly epsilon?: number;
}

export interface PairOutcome {
  /** The chosen method's similarity. */
  readonly similarity: number;
  /** SVCCA canonical correlations, descending. */
  readonly coefficients: number[];
  readonly mean: number;
  readonly meanSquare: number;
  /** Weighted SVCCA; null under --conv dft for conv–conv pairs. */
  readonly weighted: number | null;
}

/** A layer at one checkpoint: `key` identifies the array (it keys the basis cache). */
export interface KeyedLayer {
  readonly key: string;
  readonly layer: LayerData;
}

/** Checks a method/conv combination and returns the normalised conv mode. */
export function checkPairOptions(options: PairMeasureOptions): PairConv {
  const { method, conv, keep, dims } = options;
  checkMeasureChoice({ method, conv, keep, dims });
  if (method === 'dft-cca') {
    if (conv !== 'dft') throw new UsageError(`--method dft-cca compares conv layers with --conv dft, not --conv ${conv}`);
    return conv;
  }
  if (conv !== 'channels' && conv !== 'flatten' && conv !== 'dft' && conv !== 'mean') throw new UsageError(`--conv must be channels, flatten, mean or dft, got '${conv as string}'`);
  return conv;
}

export class PairMeasurer {
  private readonly bases = new Map<string, Promise<PreparedBasis>>();
  private readonly truncation: Truncation;

  constructor(readonly options: PairMeasureOptions) {
    checkPairOptions(options);
    this.truncation = svccaTruncation({ keep: options.keep, dims: options.dims });
  }

  async measure(a: KeyedLayer, b: KeyedLayer): Promise<PairOutcome> {
    const { conv } = this.options;
    if (conv === 'dft' && a.layer.spatial !== null && b.layer.spatial !== null) return this.measureDft(a.layer, b.layer);
    const mode: RowMode = conv === 'dft' ? 'channels' : conv;
    const grid = pairGrid(a.layer, b.layer, mode);
    const [pa, pb] = await Promise.all([this.basis(a, mode, grid), this.basis(b, mode, grid)]);
    const weighted = await svccaWeighted(pa, pb, this.truncation, correlationsFromCross(basisCross(pa, pb)));
    const rho = weighted.coefficients;
    const summary = { coefficients: rho, mean: mean(rho), meanSquare: meanSquare(rho), weighted: weighted.similarity };
    const method = this.basisMethod();
    let similarity: number;
    if (method === 'svcca' && this.options.dims === undefined && this.options.keep === undefined) similarity = summary.mean;
    else if (method === 'svcca-weighted') similarity = weighted.similarity;
    else similarity = (await compareBases(pa, pb, this.compareOptions(method))).similarity;
    return { similarity, ...summary };
  }

  /** The basis method a non-DFT pair runs (under --conv dft: the block measure). */
  private basisMethod(): BasisMethod {
    const m = this.options.method;
    return m === 'dft-cca' ? 'cca' : (m as BasisMethod);
  }

  private compareOptions(method: BasisMethod): { method: BasisMethod; keep?: number; dims?: number; epsilon?: number } {
    const { keep, dims, epsilon } = this.options;
    return method === 'cka' ? { method, epsilon } : { method, keep, dims, epsilon };
  }

  private async measureDft(a: LayerData, b: LayerData): Promise<PairOutcome> {
    const { keep, dims, epsilon } = this.options;
    const conv = convLayerOf;
    const summaryRun = await dftCca(conv(a), conv(b), { method: 'svcca', keep, dims, epsilon });
    const rho = summaryRun.coefficients;
    const block: DftMeasure = this.basisMethod() as DftMeasure;
    const similarity = block === 'svcca' ? summaryRun.similarity : (await dftCca(conv(a), conv(b), { method: block, keep, dims, epsilon })).similarity;
    return { similarity, coefficients: rho, mean: mean(rho), meanSquare: meanSquare(rho), weighted: null };
  }

  private basis(item: KeyedLayer, mode: RowMode, grid: Grid): Promise<PreparedBasis> {
    const key = `${item.key}\u0000${mode}\u0000${gridKey(grid)}`;
    let found = this.bases.get(key);
    if (!found) {
      found = prepareBasis(layerMatrix(item.layer, mode, grid), { epsilon: this.options.epsilon, ref: item.layer.ref });
      this.bases.set(key, found);
    }
    return found;
  }
}
