import { describe, expect, test } from 'vitest';
import { powerOfTwoScale, ROW_BLOCK } from '../../../native/kernels/gpujs/scaling.js';
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

  test('the float32 summation block keeps the worst-case rounding of a block under the declared 1e-4', () => {
    // Worst case of a float32 sum of ROW_BLOCK products of unit-norm columns: input rounding 2·2⁻²⁴ plus
    // ROW_BLOCK·2⁻²⁴ for the additions (Higham, Accuracy and Stability, §3.1).
    expect((2 + ROW_BLOCK) * 2 ** -24).toBeLessThan(1e-4);
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
