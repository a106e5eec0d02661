/**
 * Covariance accumulation over row blocks, for layer files larger than memory: the file is read `blockRows`
 * datapoints at a time (ArraySource.readRows), so peak memory is a few blocks plus the n × n sums, whatever m is.
 *
 * One pass gives, for one layer or a pair read in lockstep, the means and the centered sums of products
 *   M_AA = Σ_r (a_r − μ_A)(a_r − μ_A)ᵀ,  M_BB likewise,  M_AB = Σ_r (a_r − μ_A)(b_r − μ_B)ᵀ
 * (divide by rows − 1 for covariances). CCA, SVCCA, PWCCA and CKA need nothing else ([Morcos2018-PWCCA] sec. 2.1 writes
 * CCA in Σ_AA, Σ_BB, Σ_AB alone).
 *
 * Blocks are merged with the pairwise update of Chan, Golub & LeVeque ("Updating formulae and a pairwise algorithm
 * for computing sample variances", 1979): each block is centered on its own mean, its Gram computed by the kernels,
 * and the sums combined with the correction (n₁n₂/n)·δ_Aδ_Bᵀ. Unlike Σ a aᵀ − m μμᵀ, this never subtracts two large
 * nearly equal numbers, so activations with a large mean (post-ReLU) keep their digits. Every block is first shifted
 * by the first block's mean, so the running mean stays O(spread) and its rounding (an ulp of the mean per update,
 * which at a mean of 1e4 would cost ~1e-11 relative over a thousand blocks) stays at the level of the spread.
 */
import { CancelledError, UsageError } from '../errors.js';
import type { ArraySource } from '../formats/types.js';
import { crossGram, gram } from '../kernels/index.js';
import { transposeChannelsLast } from '../layers/transpose.js';
import { matrix, type Matrix } from '../linalg/matrix.js';
import { columnMeans } from '../linalg/util.js';

/** How a layer's rows become datapoint rows (docs/contract.md §1.3: conv layers as channels or flattened). */
export interface StreamLayout {
  /** Conv layers: positions as datapoints (`channels`, default) or one row per datapoint (`flatten`). */
  readonly conv?: 'channels' | 'flatten';
  readonly layout?: 'nhwc' | 'nchw' | 'ntc';
}

export interface StreamOptions extends StreamLayout {
  /** Datapoints (first-axis entries) per block; default sized to about `blockBytes`. */
  readonly blockRows?: number;
  /** Target float64 bytes of one block of one layer (default 32 MiB). */
  readonly blockBytes?: number;
  readonly signal?: AbortSignal;
  onProgress?(done: number, total: number, label: string): void;
}

export interface StreamedCovariance {
  /** Rows accumulated (datapoints, or datapoints × positions for conv `channels`). */
  readonly rows: number;
  readonly meanA: Float64Array;
  /** Centered sums of products (not yet divided by rows − 1). */
  readonly aa: Matrix;
  readonly meanB?: Float64Array;
  readonly bb?: Matrix;
  readonly ab?: Matrix;
}

const DEFAULT_BLOCK_BYTES = 32 * 1024 * 1024;

/** Neurons per row and rows per first-axis entry of a layer array under a layout. */
export function streamShape(source: ArraySource, layout: StreamLayout = {}): { neurons: number; rowsPerEntry: number } {
  const shape = source.info.shape;
  if (shape.length === 2) return { neurons: shape[1]!, rowsPerEntry: 1 };
  if (shape.length !== 3 && shape.length !== 4) {
    throw new UsageError(`${source.ref}: streaming needs a (datapoints, neurons) or conv layer, got shape (${shape.join(', ')})`);
  }
  const rest = shape.slice(1);
  const positions = rest.reduce((a, b) => a * b, 1);
  const channels = layout.layout === 'nchw' ? rest[0]! : rest[rest.length - 1]!;
  if ((layout.conv ?? 'channels') === 'flatten') return { neurons: positions, rowsPerEntry: 1 };
  return { neurons: channels, rowsPerEntry: positions / channels };
}

/** Read first-axis entries [start, start + count) as a (rows × neurons) matrix in the layer's datapoint layout. */
async function readBlock(source: ArraySource, start: number, count: number, layout: StreamLayout): Promise<Matrix> {
  const { neurons, rowsPerEntry } = streamShape(source, layout);
  let data = await source.readRows(start, count);
  const shape = source.info.shape;
  if (shape.length > 2 && (layout.layout ?? 'nhwc') === 'nchw') {
    // (count, c, …) → (count, …, c): channels last, as every conv layer is handled elsewhere.
    const c = shape[1]!;
    data = transposeChannelsLast(data, count, c, data.length / (count * c));
  }
  return matrix(count * rowsPerEntry, neurons, data);
}

/**
 * One pass over `a` (and `b` in lockstep, when given). Both must have the same number of datapoints. The
 * `neuronsFirst` layout cannot stream (a datapoint is a column there) and is refused.
 */
export async function streamCovariance(a: ArraySource, b: ArraySource | undefined, options: StreamOptions = {}): Promise<StreamedCovariance> {
  const m = a.info.shape[0]!;
  if (b && b.info.shape[0] !== m) {
    throw new UsageError(`${a.ref} has ${m} datapoints but ${b.ref} has ${b.info.shape[0]}; layers must share datapoints`);
  }
  const shapeA = streamShape(a, options);
  const shapeB = b ? streamShape(b, options) : null;
  const bytesPerEntry = 8 * (shapeA.neurons * shapeA.rowsPerEntry + (shapeB ? shapeB.neurons * shapeB.rowsPerEntry : 0));
  const blockRows = Math.max(1, Math.min(m, options.blockRows ?? Math.floor((options.blockBytes ?? DEFAULT_BLOCK_BYTES) / bytesPerEntry)));

  const acc = new PairAccumulator(shapeA.neurons, shapeB?.neurons ?? 0, Boolean(b));
  for (let start = 0; start < m; start += blockRows) {
    if (options.signal?.aborted) throw new CancelledError('covariance pass');
    const count = Math.min(blockRows, m - start);
    const blockA = await readBlock(a, start, count, options);
    const blockB = b ? await readBlock(b, start, count, options) : null;
    await acc.add(blockA, blockB);
    options.onProgress?.(start + count, m, 'covariance');
    // Let a cancel message or other events in between blocks.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return acc.result();
}

/** Chan's pairwise merge of centered sums, for one layer or a pair of layers sharing rows. */
export class PairAccumulator {
  private rows = 0;
  private readonly meanA: Float64Array;
  private readonly meanB: Float64Array;
  private readonly aa: Float64Array;
  private readonly bb: Float64Array;
  private readonly ab: Float64Array;
  private shiftA: Float64Array | null = null;
  private shiftB: Float64Array | null = null;

  constructor(
    private readonly p: number,
    private readonly q: number,
    private readonly paired: boolean,
  ) {
    this.meanA = new Float64Array(p);
    this.meanB = new Float64Array(paired ? q : 0);
    this.aa = new Float64Array(p * p);
    this.bb = new Float64Array(paired ? q * q : 0);
    this.ab = new Float64Array(paired ? p * q : 0);
  }

  async add(blockA: Matrix, blockB: Matrix | null): Promise<void> {
    const n2 = blockA.rows;
    if (n2 === 0) return;
    if (this.paired && (!blockB || blockB.rows !== n2)) throw new RangeError('paired blocks must have equal rows');
    this.shiftA ??= columnMeans(blockA);
    if (blockB) this.shiftB ??= columnMeans(blockB);
    shiftInPlace(blockA, this.shiftA);
    if (blockB) shiftInPlace(blockB, this.shiftB!);
    const muA = centerInPlace(blockA);
    const muB = blockB ? centerInPlace(blockB) : null;
    const gAA = await gram(blockA);
    const gBB = blockB ? await gram(blockB) : null;
    const gAB = blockB ? await crossGram(blockA, blockB) : null;

    const n1 = this.rows;
    const n = n1 + n2;
    const w = (n1 * n2) / n;
    const dA = subtract(muA, this.meanA);
    const dB = muB ? subtract(muB, this.meanB) : null;
    addWithOuter(this.aa, gAA.data, dA, dA, w);
    if (gBB && dB) addWithOuter(this.bb, gBB.data, dB, dB, w);
    if (gAB && dB) addWithOuter(this.ab, gAB.data, dA, dB, w);
    for (let i = 0; i < this.p; i++) this.meanA[i]! += (dA[i]! * n2) / n;
    if (dB) for (let j = 0; j < this.q; j++) this.meanB[j]! += (dB[j]! * n2) / n;
    this.rows = n;
  }

  result(): StreamedCovariance {
    const meanA = addShift(this.meanA, this.shiftA);
    const base = { rows: this.rows, meanA, aa: matrix(this.p, this.p, this.aa) };
    if (!this.paired) return base;
    return { ...base, meanB: addShift(this.meanB, this.shiftB), bb: matrix(this.q, this.q, this.bb), ab: matrix(this.p, this.q, this.ab) };
  }
}

function shiftInPlace(x: Matrix, shift: Float64Array): void {
  const { rows, cols, data } = x;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) data[o + j]! -= shift[j]!;
  }
}

function addShift(mean: Float64Array, shift: Float64Array | null): Float64Array {
  return shift ? Float64Array.from(mean, (v, j) => v + shift[j]!) : mean;
}

/** Subtract each column's mean (returned); the block is scratch and may be overwritten. */
function centerInPlace(x: Matrix): Float64Array {
  const { rows, cols, data } = x;
  const mean = columnMeans(x);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) data[o + j]! -= mean[j]!;
  }
  return mean;
}

function subtract(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! - b[i]!;
  return out;
}

/** acc += g + w·x yᵀ (row-major). */
function addWithOuter(acc: Float64Array, g: Float64Array, x: Float64Array, y: Float64Array, w: number): void {
  const q = y.length;
  for (let i = 0; i < x.length; i++) {
    const xi = w * x[i]!;
    const o = i * q;
    for (let j = 0; j < q; j++) acc[o + j]! += g[o + j]! + xi * y[j]!;
  }
}
