/**
 * The kernel registry: implementations keyed by (kernel name, backend name), and the backends themselves.
 * Modelled on TensorFlow.js `kernel_registry.ts`: a kernel registers as a config object; registering the same pair
 * twice warns and replaces; removing an absent one throws; asking a backend for a kernel it lacks fails naming both.
 */
import type { KernelBackend } from './backend.js';
import type { KernelAttrs, KernelInputs, KernelName, KernelOutput } from './names.js';

export interface KernelArgs<K extends KernelName> {
  readonly inputs: KernelInputs<K>;
  readonly attrs: KernelAttrs<K>;
}

export type KernelFunc<K extends KernelName> = (args: KernelArgs<K>) => Promise<KernelOutput<K>>;

export interface KernelConfig<K extends KernelName = KernelName> {
  readonly kernelName: K;
  readonly backendName: string;
  readonly kernelFunc: KernelFunc<K>;
}

const kernels = new Map<string, KernelConfig>();
const backends = new Map<string, KernelBackend>();

function key(kernelName: string, backendName: string): string {
  return `${backendName}_${kernelName}`;
}

export function registerKernel<K extends KernelName>(config: KernelConfig<K>): void {
  const k = key(config.kernelName, config.backendName);
  if (kernels.has(k)) {
    console.warn(`kernel '${config.kernelName}' for backend '${config.backendName}' is already registered; replacing it`);
  }
  kernels.set(k, config as unknown as KernelConfig);
}

export function unregisterKernel(kernelName: KernelName, backendName: string): void {
  const k = key(kernelName, backendName);
  if (!kernels.delete(k)) {
    throw new Error(`kernel '${kernelName}' for backend '${backendName}' is not registered`);
  }
}

export function getKernel<K extends KernelName>(kernelName: K, backendName: string): KernelConfig<K> {
  const config = kernels.get(key(kernelName, backendName));
  if (!config) throw new Error(`kernel '${kernelName}' is not registered for backend '${backendName}'`);
  return config as unknown as KernelConfig<K>;
}

export function hasKernel(kernelName: KernelName, backendName: string): boolean {
  return kernels.has(key(kernelName, backendName));
}

export function registerBackend(backend: KernelBackend): void {
  if (backends.has(backend.name)) console.warn(`backend '${backend.name}' is already registered; replacing it`);
  backends.set(backend.name, backend);
}

export function getBackend(name: string): KernelBackend {
  const backend = backends.get(name);
  if (!backend) {
    throw new Error(`no kernel backend named '${name}' (registered: ${[...backends.keys()].join(', ') || 'none'})`);
  }
  return backend;
}

/** Registered backends, highest priority first. */
export function registeredBackends(): KernelBackend[] {
  return [...backends.values()].sort((a, b) => b.priority - a.priority);
}
