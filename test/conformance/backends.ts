/**
 * Runs one suite once per registered backend: `await forEachBackend((backend, it) => { it('…', …) })` wraps the
 * suite in `describe('[backend-name]')`, so every test title says which backend broke, and applies the skips of
 * ./skips.ts. Backends whose probe says unavailable are reported as skipped with that reason.
 */
import './software-gpu.js';
import { afterAll, describe, test } from 'vitest';
import type { KernelBackend } from '../../native/kernels/backend.js';
import { disposeKernels } from '../../native/kernels/index.js';
import { registeredBackends } from '../../native/kernels/registry.js';
import { skipReason } from './skips.js';

export type BackendTest = (title: string, body: () => Promise<void> | void) => void;

export async function forEachBackend(suite: (backend: KernelBackend, it: BackendTest) => void): Promise<void> {
  afterAll(disposeKernels);
  for (const backend of registeredBackends()) {
    const availability = await backend.probe();
    const wholeSkip = availability.available ? skipReason(backend.name) : availability.reason;
    if (wholeSkip !== undefined) {
      describe.skip(`[${backend.name}] skipped: ${wholeSkip}`, () => test('unavailable', () => {}));
      continue;
    }
    describe(`[${backend.name}]`, () => {
      const it: BackendTest = (title, body) => {
        const reason = skipReason(backend.name, title);
        if (reason !== undefined) test.skip(`${title} (skipped: ${reason})`, body);
        else test(title, body);
      };
      suite(backend, it);
    });
  }
}
