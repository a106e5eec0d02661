/**
 * When a layer has converged to its reference (final) form: the first checkpoint from which its similarity to the
 * reference reaches `threshold` and stays at or above it at every later checkpoint before the reference.
 * The reference checkpoint itself is left out (a layer always equals itself there), so `null` means "not settled
 * before the end of training". The papers give no threshold; DEFAULT_CONVERGENCE_THRESHOLD is this project's choice
 * (docs/analyses.md).
 */
import { UsageError } from '../errors.js';

export const DEFAULT_CONVERGENCE_THRESHOLD = 0.9;

export function checkThreshold(threshold: number): number {
  if (!(threshold > 0 && threshold <= 1)) throw new UsageError(`--threshold must be in (0, 1], got ${threshold}`);
  return threshold;
}

/**
 * `timeline[i]` is the similarity at `steps[i]`; `reference` is the index of the reference checkpoint.
 * Returns the index of the convergence checkpoint, or -1.
 */
export function convergenceIndex(timeline: readonly number[], reference: number, threshold: number): number {
  let first = -1;
  for (let i = 0; i < reference; i++) {
    if (timeline[i]! >= threshold) {
      if (first === -1) first = i;
    } else {
      first = -1;
    }
  }
  return first;
}
