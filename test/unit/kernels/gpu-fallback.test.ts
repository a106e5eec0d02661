/**
 * The 'gpu' choice with a hardware GPU whose kernel fails. Kept in its own file: registering a (fake) hardware GPU
 * backend changes what 'gpu' resolves to for every other test in the same module registry.
 */
import { afterAll, expect, test, vi } from 'vitest';
import { F32_TOLERANCE, type KernelBackend } from '../../../native/kernels/backend.js';
import { resolveBackend, runKernel } from '../../../native/kernels/engine.js';
import { disposeKernels } from '../../../native/kernels/index.js';
import { CrossGram } from '../../../native/kernels/names.js';
import { registerBackend, registerKernel } from '../../../native/kernels/registry.js';
import { matrix } from '../../../native/linalg/matrix.js';

afterAll(disposeKernels);

const failingGpu: KernelBackend = {
  name: 'test-failing-gpu',
  device: 'gpu',
  precision: 'f32',
  tolerance: F32_TOLERANCE,
  priority: 1000,
  probe: async () => ({ available: true, detail: 'pretends to be a hardware GPU', hardware: true }),
  dispose: async () => {},
};
registerBackend(failingGpu);
registerKernel({
  kernelName: CrossGram,
  backendName: failingGpu.name,
  kernelFunc: async () => {
    throw new Error('device lost');
  },
});

const x = matrix(3, 2, new Float64Array([1, 2, 3, 4, 5, 6]));

test("'gpu' falls back to the exact CPU backend when the device fails, and says so", async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const exact = (await resolveBackend('auto')).name; // blas where the machine's BLAS loads, else cpu-wasm-simd
  const { output, backend } = await runKernel(CrossGram, { x, y: x }, {}, 'gpu');
  expect(backend.name).toBe(exact);
  expect([...output.data]).toEqual([35, 44, 44, 56]);
  expect(warn).toHaveBeenCalledWith(expect.stringMatching(new RegExp(`'test-failing-gpu' \\(device lost\\); using '${exact}'`)));
  warn.mockRestore();
});

test('naming the failing backend explicitly still fails', async () => {
  await expect(runKernel(CrossGram, { x, y: x }, {}, 'test-failing-gpu')).rejects.toThrow(/device lost/);
});
