import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTART_POLICY, restartDelay } from '../../../main/restart-policy.js';

describe('restart policy', () => {
  it('doubles the delay with each crash inside the window, up to the cap', () => {
    const policy = { ...DEFAULT_RESTART_POLICY, maxCrashesInWindow: 10, maxDelayMs: 3000 };
    const crashes: number[] = [];
    const delays: Array<number | null> = [];
    for (let i = 0; i < 6; i++) {
      crashes.push(1000 * i);
      delays.push(restartDelay(crashes, 1000 * i, policy));
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 3000, 3000]);
  });

  it('gives up on the crash after the allowed number within the window', () => {
    const crashes = [0, 1, 2, 3, 4];
    expect(restartDelay(crashes, 4)).toBe(4000);
    expect(restartDelay([...crashes, 5], 5)).toBeNull();
  });

  it('forgets crashes older than the window, so a process that stayed up starts from the shortest delay', () => {
    // At 60 010 ms only the crashes at 50 000, 50 001 and 60 010 ms are inside the 60 s window: third delay.
    expect(restartDelay([0, 1, 2, 50_000, 50_001, 60_010], 60_010)).toBe(1000);
    expect(restartDelay([0, 1, 2, 3, 4, 200_000], 200_000)).toBe(DEFAULT_RESTART_POLICY.initialDelayMs);
  });
});
