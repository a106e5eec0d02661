/**
 * Runs a kernel by name on a chosen backend and reports which backend served it. The choice follows the API's
 * `BackendChoice` plus explicit backend names (tests, benchmarks):
 *   'auto' | 'cpu'  the highest-priority available float64 CPU backend (exact: cpu-wasm-simd, else cpu-js);
 *   'gpu'           the highest-priority GPU backend on real hardware (gpujs-webgpu on a hardware adapter first);
 *                   without one, or when the device fails the call, the 'auto' backend, and the result says so;
 *   a name          exactly that backend, or an error naming it and why it is unavailable.
 */
import type { BackendInfo, KernelBackend } from './backend.js';
import type { KernelAttrs, KernelInputs, KernelName, KernelOutput } from './names.js';
import { getBackend, getKernel, registeredBackends } from './registry.js';

export type KernelChoice = 'auto' | 'cpu' | 'gpu' | (string & {});

export interface KernelResult<K extends KernelName> {
  readonly output: KernelOutput<K>;
  readonly backend: BackendInfo;
}

async function describe(backend: KernelBackend): Promise<BackendInfo | undefined> {
  const availability = await backend.probe();
  if (!availability.available) return undefined;
  const { name, device, precision, tolerance } = backend;
  return { name, device, precision, tolerance, detail: availability.detail };
}

async function firstAvailable(candidates: KernelBackend[]): Promise<BackendInfo | undefined> {
  for (const backend of candidates) {
    const info = await describe(backend);
    if (info) return info;
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
