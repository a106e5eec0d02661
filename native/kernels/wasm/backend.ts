import { kernelThreads } from '../threads.js';
import { setFlagsFromString } from 'node:v8';
import { F64_TOLERANCE, type Availability, type KernelBackend } from '../backend.js';
import { KernelPool } from './pool.js';
import { bestAccumulate, productModuleBytes, type Accumulate } from './product-module.js';
import { WebAssemblyApi } from './webassembly.js';

export const CPU_WASM_SIMD = 'cpu-wasm-simd';

/** Worker threads of the pool (threads.ts: all cores unless SVCCA_KERNEL_THREADS says fewer). */
export const poolThreads = kernelThreads;

let accumulation: Accumulate | undefined;

/**
 * Fused multiply-add (relaxed SIMD) where this engine has it, else separate multiply and add. Node 20's V8 (11.3)
 * has relaxed SIMD finished but behind --experimental-wasm-relaxed-simd, which Node 22 and Electron ≥ 25 turn on by
 * default; it is switched on here the same way (process-wide, before any module using it compiles). FMA rounds once
 * per step instead of twice, so products differ from separate multiply-add in the last bits only.
 * SVCCA_KERNEL_FMA=0 keeps separate multiply and add.
 */
export function accumulate(): Accumulate {
  if (accumulation) return accumulation;
  const wanted = process.env['SVCCA_KERNEL_FMA'] !== '0';
  const validate = (bytes: Uint8Array): boolean => WebAssemblyApi.validate(bytes);
  if (wanted && bestAccumulate(validate) === 'mul-add') setFlagsFromString('--experimental-wasm-relaxed-simd');
  accumulation = wanted ? bestAccumulate(validate) : 'mul-add';
  return accumulation;
}

let started: Promise<KernelPool> | undefined;

/** The pool, started on first use, and started again if a worker thread of the previous one died. */
export async function kernelPool(): Promise<KernelPool> {
  const current = started;
  if (current) {
    const pool = await current.catch(() => undefined);
    if (pool && !pool.broken) return pool;
    if (started === current) {
      started = undefined;
      if (pool) void pool.dispose();
    }
  }
  if (!started) {
    const starting = KernelPool.start(poolThreads(), accumulate());
    started = starting;
    void starting.then(
      (pool) => {
        pool.onIdle = () => {
          if (started !== starting) return;
          started = undefined;
          void pool.dispose();
        };
      },
      () => undefined,
    );
  }
  return started;
}

let callerPool: Promise<KernelPool> | undefined;

/**
 * A pool of the calling thread alone (no workers, its own memory): for latency-critical mid-size products that must
 * not queue behind the shared pool's long ones.
 */
export function callerThreadPool(): Promise<KernelPool> {
  callerPool ??= KernelPool.start(0, accumulate());
  return callerPool;
}

let availability: Availability | undefined;

function check(): Availability {
  if (typeof SharedArrayBuffer === 'undefined') {
    return { available: false, reason: 'SharedArrayBuffer is not available (cross-origin isolation off?)' };
  }
  if (!WebAssemblyApi?.validate(productModuleBytes())) {
    return { available: false, reason: 'this engine does not validate WebAssembly SIMD with shared memory' };
  }
  const how = accumulate() === 'relaxed-madd' ? 'fused multiply-add' : 'multiply + add';
  const threads = poolThreads();
  const detail = `float64 f64x2 WebAssembly SIMD (${how}), ${threads} thread${threads === 1 ? '' : 's'}`;
  return { available: true, detail, hardware: true };
}

/**
 * Float64 WebAssembly SIMD on all cores: the fastest exact backend on CPUs (see docs/kernels.md for the figures).
 * Its sums run in a different order from cpu-js, hence the float64 tolerance rather than bit equality.
 */
export const wasmSimdBackend: KernelBackend = {
  name: CPU_WASM_SIMD,
  device: 'cpu',
  precision: 'f64',
  tolerance: F64_TOLERANCE,
  priority: 10,
  probe: async () => (availability ??= check()),
  dispose: async () => {
    const pool = started;
    started = undefined;
    if (pool) await (await pool).dispose();
  },
};
