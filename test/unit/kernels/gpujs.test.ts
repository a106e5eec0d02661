import { describe, expect, test } from 'vitest';
import { powerOfTwoScale, ROW_BLOCK } from '../../../native/kernels/gpujs/scaling.js';
import { rowBlocking } from '../../../native/kernels/gpujs/blocked-product.js';
import { isSoftwareAdapter } from '../../../native/kernels/gpujs/webgpu-globals.js';

describe('gpu.js float32 safety', () => {
  test('column scales are exact powers of two bringing the norm within [1/√2, √2]', () => {
    for (const norm of [1e-150, 3.7e-9, 0.49, 1, 1.5, 6e4, 2.2e150]) {
      const s = powerOfTwoScale(norm);
      expect(Number.isInteger(Math.log2(s))).toBe(true);
      expect(norm * s).toBeGreaterThanOrEqual(Math.SQRT1_2 * (1 - 1e-15));
      expect(norm * s).toBeLessThanOrEqual(Math.SQRT2 * (1 + 1e-15));
    }
  });

  test('a zero or non-finite norm keeps scale 1 (zero columns stay exactly zero)', () => {
    expect(powerOfTwoScale(0)).toBe(1);
    expect(powerOfTwoScale(Number.POSITIVE_INFINITY)).toBe(1);
    expect(powerOfTwoScale(Number.NaN)).toBe(1);
  });

  test('row blocking covers every row in equal blocks of at most ROW_BLOCK, padded to a multiple of 8', () => {
    for (const rows of [1, 7, 8, 500, 512, 513, 1000, 4097, 10_000, 60_001]) {
      const { blocks, block } = rowBlocking(rows);
      expect(block).toBeLessThanOrEqual(ROW_BLOCK);
      expect(block % 8).toBe(0);
      expect(blocks * block).toBeGreaterThanOrEqual(rows);
      // No block is wholly padding.
      expect((blocks - 1) * block).toBeLessThan(rows);
    }
  });

  test('float32 sums of one block each, added in float64, stay within the declared 1e-4 where one float32 sum does not', () => {
    // The worst case for accumulated rounding: every product positive and alike, as in XᵀX of a unit-norm column
    // (Higham, Accuracy and Stability, §3.1: the error grows with the number of float32 additions).
    const rows = 200_000;
    const x = Float64Array.from({ length: rows }, (_, r) => (1 + 0.37 * Math.sin(r)) / Math.sqrt(rows));
    let exact = 0;
    for (const v of x) exact += v * v;
    const f32 = Float32Array.from(x);
    const { blocks, block } = rowBlocking(rows);
    let blocked = 0;
    for (let b = 0; b < blocks; b++) {
      let partial = 0;
      for (let r = b * block; r < Math.min(rows, (b + 1) * block); r++) partial = Math.fround(partial + Math.fround(f32[r]! * f32[r]!));
      blocked += partial;
    }
    let single = 0;
    for (let r = 0; r < rows; r++) single = Math.fround(single + Math.fround(f32[r]! * f32[r]!));
    expect(Math.abs(blocked - exact) / exact).toBeLessThan(1e-4);
    expect(Math.abs(blocked - exact)).toBeLessThan(Math.abs(single - exact));
  });
});

describe('WebGPU adapters', () => {
  test('software adapters are recognised and never count as a GPU', () => {
    expect(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0' }, undefined)).toBe(true);
    expect(isSoftwareAdapter({ description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }, undefined)).toBe(true);
    expect(isSoftwareAdapter({ description: 'Microsoft Basic Render Driver' }, undefined)).toBe(true);
    expect(isSoftwareAdapter({ description: 'NVIDIA GeForce RTX 4090', isFallbackAdapter: true }, undefined)).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ada-lovelace', description: 'NVIDIA GeForce RTX 4090' }, false)).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3', description: 'Apple M2' }, undefined)).toBe(false);
  });
});
