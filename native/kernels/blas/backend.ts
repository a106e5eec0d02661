import { F32_TOLERANCE, F64_TOLERANCE, type Availability, type KernelBackend } from '../backend.js';
import { poolThreads } from '../wasm/backend.js';
import { libraryName, openBlas, type BlasAddon } from './addon.js';

export const BLAS = 'blas';
export const BLAS_F32 = 'blas-f32';

/**
 * The library's threads: SVCCA_BLAS_THREADS, else the kernel thread count (SVCCA_KERNEL_THREADS, which the compute
 * pool sets to cores ÷ workers in each worker process, else all cores) — so pool workers and BLAS threads share the
 * cores without oversubscribing them.
 */
export function blasThreads(): number {
  const requested = Number.parseInt(process.env['SVCCA_BLAS_THREADS'] ?? '', 10);
  return Number.isInteger(requested) && requested > 0 ? requested : poolThreads();
}

let availability: Availability | undefined;

function check(): Availability {
  const opened = openBlas();
  if ('reason' in opened) return { available: false, reason: opened.reason };
  const threads = opened.library.threadControl ? opened.addon.setThreads(blasThreads()) : opened.library.threads;
  const count = threads > 0 ? ` (${threads} thread${threads === 1 ? '' : 's'})` : '';
  return { available: true, detail: `${libraryName(opened.library)}${count}`, hardware: true };
}

/** The library's description, e.g. "openblas-0.3.21 (2 threads)", or why there is none. */
export function blasAvailability(): Availability {
  return (availability ??= check());
}

/** The open addon; only called by kernels of an available backend. */
export function blasAddon(): BlasAddon {
  const opened = openBlas();
  if ('reason' in opened) throw new Error(`BLAS backend used while unavailable: ${opened.reason}`);
  return opened.addon;
}

/**
 * The machine's BLAS/LAPACK in float64 (OpenBLAS, MKL, FlexiBLAS, Accelerate): the default wherever it loads, as
 * the fastest exact backend here (docs/kernels.md). Its products and decompositions sum in their own order, hence
 * the float64 tolerance.
 */
export const blasBackend: KernelBackend = {
  name: BLAS,
  device: 'cpu',
  precision: 'f64',
  tolerance: F64_TOLERANCE,
  priority: 20,
  probe: async () => blasAvailability(),
  dispose: async () => {},
};

/**
 * The same library in float32 (sgemm, ssyrk, ssyevd…): opt-in for screening many pairs (`--precision f32`), never
 * chosen automatically. Inputs are rounded to float32 and results widened back; its declared tolerance is that of
 * the other float32 backends, the measured figures are in docs/kernels.md.
 */
export const blasF32Backend: KernelBackend = {
  name: BLAS_F32,
  device: 'cpu',
  precision: 'f32',
  tolerance: F32_TOLERANCE,
  priority: 19,
  probe: async () => blasAvailability(),
  dispose: async () => {},
};
