/**
 * When to restart the compute process after it died: exponential backoff over the crashes of a recent window, and
 * a stop when it keeps dying (a bad file that crashes a native reader on every start must not spin a core forever).
 * A process that stayed up for a whole window starts again from the shortest delay.
 */
export interface RestartPolicy {
  /** Delay before the first restart. */
  initialDelayMs: number;
  /** Each further crash inside the window multiplies the delay by this. */
  factor: number;
  maxDelayMs: number;
  /** Crashes older than this are forgotten. */
  windowMs: number;
  /** More crashes than this inside the window: stop restarting. */
  maxCrashesInWindow: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 250,
  factor: 2,
  maxDelayMs: 8_000,
  windowMs: 60_000,
  maxCrashesInWindow: 5,
};

/** Crash times still inside the window ending at `now`. */
export function recentCrashes(crashTimes: readonly number[], now: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): number[] {
  return crashTimes.filter((t) => now - t < policy.windowMs);
}

/**
 * The delay before the next restart given every crash so far (the latest included), or null to give up.
 * With the defaults: 250, 500, 1000, 2000, 4000 ms, then stop on the sixth crash within a minute.
 */
export function restartDelay(crashTimes: readonly number[], now: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): number | null {
  const count = recentCrashes(crashTimes, now, policy).length;
  if (count === 0) return policy.initialDelayMs;
  if (count > policy.maxCrashesInWindow) return null;
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (count - 1));
}
