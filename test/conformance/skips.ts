/**
 * The one place conformance exclusions live, each with its reason. Backends that are unavailable on this machine
 * (e.g. no WebGPU adapter) are skipped automatically with the reason their probe gives; this list is for backends
 * that run but are known not to support a case.
 */
export interface Skip {
  readonly backend: string;
  /** Substring of the test title; omit to skip the whole backend. */
  readonly test?: string;
  readonly reason: string;
}

export const SKIPS: readonly Skip[] = [];

export function skipReason(backend: string, title?: string): string | undefined {
  const hit = SKIPS.find((s) => s.backend === backend && (s.test === undefined || (title ?? '').includes(s.test)));
  return hit?.reason;
}
