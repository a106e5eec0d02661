/**
 * Runs a kernel by name on a chosen backend and reports which backend served it. The choice follows the API's
 * `BackendChoice` plus explicit backend names (tests, benchmarks):
 *   'auto' | 'cpu'  the highest-priority available float64 CPU backend (exact: blas — the machine's BLAS/LAPACK —,
 *                   else cpu-wasm-simd, else cpu-js); when blas is unavailable, one line on stderr says why, once;
 *   'gpu'           the highest-priority GPU backend on real hardware (gpujs-webgpu on a hardware adapter first);
 *                   without one, or when the device fails the call, the 'auto' backend, and the result says so;
 *   a name          exactly that backend, or an error naming it and why it is unavailable.
 */
import type { BackendInfo, KernelBackend } from './backend.js';
import type { KernelAttrs, KernelInputs, KernelName, KernelOutput } from './names.js';
import { getBackend, getKernel, hasKernel, registeredBackends } from './registry.js';

export type KernelChoice = 'auto' | 'cpu' | 'gpu' | (string & {});

export interface KernelResult<K extends KernelName> {
  readonly output: KernelOutput<K>;
  readonly backend: BackendInfo;
}

async function describe(backend: KernelBackend): Promise<BackendInfo | undefined> {
  const availability = await backend.probe();
  if (!availability.available) return undefined;
  const { name, device, precision, tolerance } = backend;
  return { name, device, precision, tolerance, detail: availability.detail, label: backendLabel(name, availability.detail) };
}

let noted = false;

async function firstAvailable(candidates: KernelBackend[]): Promise<BackendInfo | undefined> {
  const skipped: string[] = [];
  for (const backend of candidates) {
    const info = await describe(backend);
    if (info) {
      if (skipped.length > 0 && !noted) {
        noted = true;
        console.warn(`kernels: ${skipped.join('; ')}; using ${info.name}`);
      }
      return info;
    }
    const availability = await backend.probe();
    // Only the machine's BLAS is worth a note: it is the default where it exists, and SVCCA_BLAS=none is a choice.
    if (!availability.available && backend.name === 'blas' && !/SVCCA_BLAS=(none|off|0)\)/.test(availability.reason)) {
      skipped.push(`no BLAS backend (${availability.reason})`);
    }
  }
  return undefined;
}

/** The backend a call with this choice runs on (what `backendInfo()` reports). */
export async function resolveBackend(choice: KernelChoice = 'auto'): Promise<BackendInfo> {
  const all = registeredBackends();
  if (choice === 'auto' || choice === 'cpu') {
    const info = await firstAvailable(all.filter((b) => b.device === 'cpu' && b.precision === 'f64'));
    if (!info) throw new Error('no float64 CPU kernel backend is available');
    return info;
  }
  if (choice === 'gpu') {
    for (const backend of all.filter((b) => b.device === 'gpu')) {
      const availability = await backend.probe();
      if (availability.available && availability.hardware) return (await describe(backend))!;
    }
    return resolveBackend('auto');
  }
  const backend = getBackend(choice);
  const availability = await backend.probe();
  if (!availability.available) throw new Error(`kernel backend '${choice}' is unavailable: ${availability.reason}`);
  return (await describe(backend))!;
}

/**
 * What results print as their kernel backend: the name, and for the BLAS backends the library and its threads too
 * ("blas:openblas-0.3.21 (2 threads)"), since which BLAS ran changes the speed and the last bits.
 */
export function backendLabel(name: string, detail: string): string {
  return name === 'blas' || name === 'blas-f32' ? `${name}:${detail}` : name;
}

/**
 * The backend that runs a decomposition for this choice: the chosen one when it has the kernel, else the 'auto' one
 * (a GPU product backend leaves the eigensolvers on the exact CPU backend).
 */
export async function resolveDecompositionBackend(kernelName: KernelName, choice: KernelChoice = 'auto'): Promise<BackendInfo> {
  const backend = await resolveBackend(choice);
  return hasKernel(kernelName, backend.name) ? backend : resolveBackend('auto');
}

/** A decomposition (Eigh, Svd, Cholesky, Qr) on the backend resolveDecompositionBackend names. */
export async function runDecomposition<K extends KernelName>(
  kernelName: K,
  inputs: KernelInputs<K>,
  attrs: KernelAttrs<K>,
  choice: KernelChoice = 'auto',
): Promise<KernelResult<K>> {
  const backend = await resolveDecompositionBackend(kernelName, choice);
  return { output: await getKernel(kernelName, backend.name).kernelFunc({ inputs, attrs }), backend };
}

export async function runKernel<K extends KernelName>(
  kernelName: K,
  inputs: KernelInputs<K>,
  attrs: KernelAttrs<K>,
  choice: KernelChoice = 'auto',
): Promise<KernelResult<K>> {
  const backend = await resolveBackend(choice);
  const { kernelFunc } = getKernel(kernelName, backend.name);
  try {
    return { output: await kernelFunc({ inputs, attrs }), backend };
  } catch (error) {
    // 'gpu' is a preference, not a demand: a device that fails (lost, out of memory, a limit) gives way to the exact
    // CPU backend, and the result says which one served the call. An explicit backend name still fails.
    if (choice !== 'gpu' || backend.device !== 'gpu') throw error;
    const fallback = await resolveBackend('auto');
    console.warn(`kernel '${kernelName}' failed on '${backend.name}' (${(error as Error).message}); using '${fallback.name}'`);
    return { output: await getKernel(kernelName, fallback.name).kernelFunc({ inputs, attrs }), backend: fallback };
  }
}
