/**
 * How many threads the numerical code may use: every core, unless SVCCA_KERNEL_THREADS says fewer (benchmarks,
 * shared machines, and the compute pool, which gives each of its workers an equal share so that workers × threads
 * never exceeds the cores). Read in one place so that every consumer agrees.
 */
import { availableParallelism } from 'node:os';

export const KERNEL_THREADS_ENV = 'SVCCA_KERNEL_THREADS';

export function kernelThreads(env: NodeJS.ProcessEnv = process.env): number {
  const requested = Number.parseInt(env[KERNEL_THREADS_ENV] ?? '', 10);
  return Number.isInteger(requested) && requested > 0 ? requested : availableParallelism();
}
