/**
 * Batched products in float32 on gpu.js. Each product is split along k into pieces of at most ROW_BLOCK, every
 * piece becoming one item of a 3-D kernel (thread (j, i, t) sums a_il·b_lj over its piece); the host adds the pieces
 * in float64. Rows of op(A) and columns of op(B) are rescaled by powers of two first, as in ./blocked-product.ts.
 */
import { batchedMatmulImpl, productShape } from '../cpu/shared.js';
import { BatchedMatmul, type BatchedMatmulAttrs, type MatrixBatch } from '../names.js';
import type { KernelConfig } from '../registry.js';
import type { GpujsBackend } from './backend.js';
import { SMALL_FLOPS } from './crossGram.js';
import type { GpujsRuntime, Output3D } from './runtime.js';
import { ROW_BLOCK, powerOfTwoScale } from './scaling.js';

async function run(runtime: GpujsRuntime, a: MatrixBatch, b: MatrixBatch, attrs: BatchedMatmulAttrs): Promise<MatrixBatch> {
  const { m, k, n } = productShape(a, b, attrs);
  const count = a.count;
  const pieces = Math.ceil(k / ROW_BLOCK);
  const kb = pieces === 1 ? k : ROW_BLOCK;
  const items = count * pieces;
  const aSize = a.rows * a.cols;
  const bSize = b.rows * b.cols;
  // Element (i, l) of op(A_t) and (l, j) of op(B_t), whatever the stored layout.
  const opA = (t: number, i: number, l: number): number =>
    a.data[t * aSize + (attrs.transposeA ? l * a.cols + i : i * a.cols + l)]!;
  const opB = (t: number, l: number, j: number): number =>
    b.data[t * bSize + (attrs.transposeB ? j * b.cols + l : l * b.cols + j)]!;

  const rowScale = new Float64Array(count * m);
  const colScale = new Float64Array(count * n);
  for (let t = 0; t < count; t++) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += opA(t, i, l) ** 2;
      rowScale[t * m + i] = powerOfTwoScale(Math.sqrt(s));
    }
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += opB(t, l, j) ** 2;
      colScale[t * n + j] = powerOfTwoScale(Math.sqrt(s));
    }
  }
  // Item t·pieces + c holds rows l ∈ [c·kb, (c+1)·kb) of the k dimension, zero-padded.
  const a32 = new Float32Array(items * m * kb);
  const b32 = new Float32Array(items * kb * n);
  for (let t = 0; t < count; t++) {
    for (let l = 0; l < k; l++) {
      const item = t * pieces + Math.floor(l / kb);
      const ll = l % kb;
      for (let i = 0; i < m; i++) a32[(item * m + i) * kb + ll] = opA(t, i, l) * rowScale[t * m + i]!;
      for (let j = 0; j < n; j++) b32[(item * kb + ll) * n + j] = opB(t, l, j) * colScale[t * n + j]!;
    }
  }

  const kernel = runtime.kernel(`batchedMatmul:${m}:${kb}:${n}:${items}`, (gpu) =>
    gpu.createKernel(
      function (this: { thread: { x: number; y: number; z: number }; constants: { k: number } }, x: number[][][], y: number[][][]) {
        let sum = 0;
        for (let l = 0; l < this.constants.k; l++) sum += x[this.thread.z]![this.thread.y]![l]! * y[this.thread.z]![l]![this.thread.x]!;
        return sum;
      },
      { output: [n, m, items], constants: { k: kb }, asyncMode: true, tactic: 'precision' },
    ),
  );
  const partial = (await kernel(runtime.input(a32, [kb, m, items]), runtime.input(b32, [n, kb, items]))) as Output3D;

  const out = new Float64Array(count * m * n);
  for (let t = 0; t < count; t++) {
    for (let c = 0; c < pieces; c++) {
      const slab = partial[t * pieces + c]!;
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[(t * m + i) * n + j] += slab[i]![j]!;
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) out[(t * m + i) * n + j] /= rowScale[t * m + i]! * colScale[t * n + j]!;
    }
  }
  return { count, rows: m, cols: n, data: out };
}

export function batchedMatmulConfig(backend: GpujsBackend): KernelConfig<typeof BatchedMatmul> {
  return {
    kernelName: BatchedMatmul,
    backendName: backend.name,
    kernelFunc: async ({ inputs: { a, b }, attrs }) => {
      const { m, k, n } = productShape(a, b, attrs);
      if (2 * a.count * m * k * n < SMALL_FLOPS || k === 0 || m === 0 || n === 0) return batchedMatmulImpl(a, b, attrs);
      return run(await backend.runtime(), a, b, attrs);
    },
  };
}
