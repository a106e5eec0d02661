import { F64_TOLERANCE, type KernelBackend } from '../backend.js';

export const CPU_JS = 'cpu-js';

/** Plain float64 JavaScript: always available, the reference every other backend is tested against. */
export const cpuJsBackend: KernelBackend = {
  name: CPU_JS,
  device: 'cpu',
  precision: 'f64',
  tolerance: F64_TOLERANCE,
  priority: 0,
  probe: async () => ({ available: true, detail: 'float64 JavaScript, 1 thread', hardware: true }),
  dispose: async () => {},
};
