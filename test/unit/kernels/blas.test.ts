/**
 * The BLAS addon and its loader: which libraries are tried, how the library is named, that the addon refuses a
 * wrong extent instead of writing past a buffer, and that a machine without a BLAS (here: SVCCA_BLAS=none, or a
 * library that does not exist) gets one line and the WebAssembly backend. The numeric conformance of the blas
 * backends is in test/conformance/.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { candidates, libraryName, openBlas } from '../../../native/kernels/blas/addon.js';
import { blasAvailability } from '../../../native/kernels/blas/backend.js';

describe('BLAS loader', () => {
  test('tries the usual names per platform, OpenBLAS first on Linux, Accelerate on macOS', () => {
    expect(candidates('linux')[0]).toEqual(['libopenblas.so.0', '']);
    expect(candidates('linux')).toContainEqual(['libblas.so.3', 'liblapack.so.3']);
    expect(candidates('linux').map(([b]) => b)).toContain('libflexiblas.so.3');
    expect(candidates('darwin')[0]![0]).toMatch(/Accelerate\.framework/);
    expect(candidates('win32').map(([b]) => b)).toContain('libopenblas.dll');
  });

  test('names the library and version from what it reports', () => {
    const base = { path: '/usr/lib/x86_64-linux-gnu/libopenblas.so.0', lapackPath: '', threads: 2, threadControl: true };
    expect(libraryName({ ...base, config: 'OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64' })).toBe('openblas-0.3.21');
    expect(libraryName({ ...base, config: 'FlexiBLAS OPENBLAS-OPENMP' })).toBe('flexiblas-openblas-openmp');
    expect(libraryName({ ...base, path: '/System/Library/Frameworks/Accelerate.framework/Accelerate', config: '' })).toBe('accelerate');
    expect(libraryName({ ...base, path: 'libblas.so.3', config: '' })).toBe('blas');
  });

  const opened = openBlas();
  test.skipIf('reason' in opened)('the addon checks every extent against the array (a RangeError, not a write past the end)', () => {
    if ('reason' in opened) return;
    const { addon } = opened;
    const a = new Float64Array(6);
    const c = new Float64Array(4);
    expect(() => addon.gemm('N', 'T', 2, 2, 4, 1, a, 2, a, 2, 0, c, 2)).toThrow(/A needs 8 values, the array has 6/);
    expect(() => addon.syevd('V', 'L', 3, new Float64Array(8), 3, new Float64Array(3))).toThrow(RangeError);
    expect(() => addon.gemm('N', 'N', 1, 1, 1, 1, new Float64Array(1), 1, new Float32Array(1), 1, 0, new Float64Array(1), 1)).toThrow(/share a type/);
    expect(addon.potrf('U', 2, new Float64Array([1, 2, 2, 1]), 2), 'info of an indefinite matrix').toBe(2);
  });

  test('the backend is available with its library and threads, or unavailable with one line', () => {
    const availability = blasAvailability();
    if (availability.available) expect(availability.detail).toMatch(/^\S+ \(\d+ threads?\)$/);
    else expect(availability.reason).not.toMatch(/\n/);
  });

  test('without a usable BLAS the CLI says so in one line and runs on WebAssembly; SVCCA_BLAS=none is silent', () => {
    const script = "import('./native/kernels/index.ts').then(async (k) => { const i = await k.backendInfo(); console.log(i.name); await k.disposeKernels(); })";
    const run = (value: string): { out: string; err: string } => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { env: { ...process.env, SVCCA_BLAS: value }, encoding: 'utf8' });
      return { out: r.stdout.trim(), err: r.stderr.trim() };
    };
    const missing = run('/no/such/libblas.so');
    expect(missing.out).toBe('cpu-wasm-simd');
    expect(missing.err).toMatch(/^kernels: no BLAS backend \(SVCCA_BLAS=\/no\/such\/libblas\.so cannot be used: [^\n]*\); using cpu-wasm-simd$/);
    const off = run('none');
    expect(off.out).toBe('cpu-wasm-simd');
    expect(off.err).toBe('');
  });
});
