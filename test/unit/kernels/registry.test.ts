import '../../conformance/software-gpu.js';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { F64_TOLERANCE, type KernelBackend } from '../../../native/kernels/backend.js';
import { resolveBackend, runKernel } from '../../../native/kernels/engine.js';
import { backendInfo, crossGram, disposeKernels } from '../../../native/kernels/index.js';
import { CrossGram, Gram } from '../../../native/kernels/names.js';
import {
  getBackend, getKernel, registerBackend, registeredBackends, registerKernel, unregisterKernel,
} from '../../../native/kernels/registry.js';
import { matrix } from '../../../native/linalg/matrix.js';

afterAll(disposeKernels);

/** A backend present in the registry but implementing no kernels, to test the error paths. */
const emptyBackend: KernelBackend = {
  name: 'test-empty',
  device: 'cpu',
  precision: 'f32',
  tolerance: 1e-4,
  priority: -1,
  probe: async () => ({ available: true, detail: 'test backend without kernels', hardware: false }),
  dispose: async () => {},
};
registerBackend(emptyBackend);

describe('kernel registry', () => {
  test('running a kernel a backend lacks fails naming both', async () => {
    expect(() => getKernel(Gram, 'test-empty')).toThrow(/kernel 'Gram' is not registered for backend 'test-empty'/);
    await expect(runKernel(CrossGram, { x: matrix(1, 1), y: matrix(1, 1) }, {}, 'test-empty')).rejects.toThrow(
      /'CrossGram'.*'test-empty'/,
    );
  });

  test('registering the same (kernel, backend) twice warns and the second replaces the first', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const first = async () => matrix(1, 1, new Float64Array([1]));
    const second = async () => matrix(1, 1, new Float64Array([2]));
    registerKernel({ kernelName: Gram, backendName: 'test-empty', kernelFunc: first });
    expect(warn).not.toHaveBeenCalled();
    registerKernel({ kernelName: Gram, backendName: 'test-empty', kernelFunc: second });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/'Gram'.*'test-empty'.*already registered/));
    const { output, backend } = await runKernel(Gram, { x: matrix(1, 1) }, {}, 'test-empty');
    expect(output.data[0]).toBe(2);
    expect(backend.name).toBe('test-empty');
    unregisterKernel(Gram, 'test-empty');
    warn.mockRestore();
  });

  test('removing an absent kernel throws', () => {
    expect(() => unregisterKernel(Gram, 'test-empty')).toThrow(/not registered/);
  });

  test('an unknown backend name is an error listing the registered ones', async () => {
    await expect(resolveBackend('no-such-backend')).rejects.toThrow(/no kernel backend named 'no-such-backend'.*cpu-js/);
  });

  test('an unavailable backend, asked for by name, fails with its reason', async () => {
    registerBackend({
      ...emptyBackend,
      name: 'test-unavailable',
      probe: async () => ({ available: false, reason: 'no such device here' }),
    });
    await expect(resolveBackend('test-unavailable')).rejects.toThrow(/'test-unavailable' is unavailable: no such device here/);
  });
});

describe('backend selection', () => {
  test("'auto' and 'cpu' pick the fastest exact backend — blas where the machine's BLAS loads, else cpu-wasm-simd — and say so", async () => {
    const blas = await getBackend('blas').probe();
    for (const choice of ['auto', 'cpu'] as const) {
      const info = await backendInfo(choice);
      const name = blas.available ? 'blas' : 'cpu-wasm-simd';
      expect(info).toMatchObject({ name, device: 'cpu', precision: 'f64', tolerance: F64_TOLERANCE });
      expect(info.detail).toMatch(/threads?\)?$/);
      expect(info.label).toBe(blas.available ? `blas:${info.detail}` : 'cpu-wasm-simd');
    }
  });

  test('the blas backend names its library and threads, or says in one line why it is unavailable', async () => {
    const blas = await getBackend('blas').probe();
    if (blas.available) expect(blas.detail).toMatch(/^[a-z]+(-[\w.]+)?( \(\d+ threads?\))?$/);
    else expect(blas.reason).toMatch(/^[^\n]+$/);
  });

  test("'gpu' gives a hardware GPU backend or, without one, the exact CPU backend", async () => {
    const info = await backendInfo('gpu');
    const hardwareGpu = [];
    for (const b of registeredBackends().filter((b) => b.device === 'gpu')) {
      const a = await b.probe();
      if (a.available && a.hardware) hardwareGpu.push(b.name);
    }
    if (hardwareGpu.length > 0) expect(info.name).toBe(hardwareGpu[0]);
    else expect(info.name).toBe((await backendInfo('auto')).name);
  });

  test('the result of a call reports the backend that served it', async () => {
    const x = matrix(3, 2, new Float64Array([1, 2, 3, 4, 5, 6]));
    const { output, backend } = await runKernel(CrossGram, { x, y: x }, {}, 'cpu-js');
    expect(backend.name).toBe('cpu-js');
    expect([...output.data]).toEqual([35, 44, 44, 56]);
  });

  test('the ops reject mismatched shapes before any kernel runs', async () => {
    await expect(crossGram(matrix(3, 2), matrix(4, 2))).rejects.toThrow(/3 rows vs 4/);
  });
});
