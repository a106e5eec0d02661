/**
 * XᵀY in float32 on gpu.js with float64 bookkeeping on the host, so the answer stays within F32_TOLERANCE of the
 * float64 one whatever the magnitudes:
 *   1. each column is scaled by the power of two nearest its reciprocal norm (exact in binary), so every scaled
 *      column has norm ≈ 1: no float32 overflow or underflow for entries from 1e-150 to 1e150;
 *   2. rows are cut into blocks of at most ROW_BLOCK; the kernel returns one float32 partial product per block
 *      (thread (j, i, b) sums x_ri·y_rj over block b), bounding float32 rounding to ROW_BLOCK terms;
 *   3. the host adds the partial products in float64 and undoes the scaling.
 */
import { ROW_BLOCK, powerOfTwoScale, type Scaled } from './scaling.js';
import type { GpujsRuntime, Output3D } from './runtime.js';
import type { Matrix } from '../../linalg/matrix.js';

/** Scaled float32 copy of X, zero-padded to a whole number of row blocks. */
function scaleColumns(x: Matrix, paddedRows: number): Scaled {
  const { rows, cols, data } = x;
  const norms = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) norms[j] += data[r * cols + j]! ** 2;
  const scale = norms.map((s) => powerOfTwoScale(Math.sqrt(s)));
  const values = new Float32Array(paddedRows * cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) values[r * cols + j] = data[r * cols + j]! * scale[j]!;
  return { values, scale };
}

/** How the rows are cut: equal blocks just big enough (a multiple of 8, at most ROW_BLOCK) rather than full ROW_BLOCKs,
 *  so less zero padding is multiplied. */
export function rowBlocking(rows: number): { blocks: number; block: number } {
  const blocks = Math.max(1, Math.ceil(rows / ROW_BLOCK));
  return { blocks, block: Math.max(8, Math.ceil(rows / blocks / 8) * 8) };
}

/** Returns the p × q product; with `y` undefined, XᵀX. */
export async function blockedProduct(runtime: GpujsRuntime, x: Matrix, y: Matrix | undefined): Promise<Float64Array> {
  const rows = x.rows;
  const p = x.cols;
  const q = y ? y.cols : p;
  const { blocks, block } = rowBlocking(rows);
  const padded = blocks * block;
  const sx = scaleColumns(x, padded);
  const sy = y ? scaleColumns(y, padded) : sx;

  const kernel = runtime.kernel(`crossGram:${p}:${q}:${blocks}:${block}`, (gpu) =>
    gpu.createKernel(
      function (this: { thread: { x: number; y: number; z: number }; constants: { block: number } }, a: number[][], b: number[][]) {
        const start = this.thread.z * this.constants.block;
        let sum = 0;
        for (let r = 0; r < this.constants.block; r++) sum += a[start + r]![this.thread.y]! * b[start + r]![this.thread.x]!;
        return sum;
      },
      { output: [q, p, blocks], constants: { block }, asyncMode: true, tactic: 'precision' },
    ),
  );
  const partial = (await kernel(runtime.input(sx.values, [p, padded]), runtime.input(sy.values, [q, padded]))) as Output3D;

  const out = new Float64Array(p * q);
  for (let b = 0; b < blocks; b++) {
    const slab = partial[b]!;
    for (let i = 0; i < p; i++) {
      const row = slab[i]!;
      for (let j = 0; j < q; j++) out[i * q + j] += row[j]!;
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) out[i * q + j] /= sx.scale[i]! * sy.scale[j]!;
  return out;
}
