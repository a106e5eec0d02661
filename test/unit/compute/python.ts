/**
 * The independent float64 reference for these tests: a short numpy/scipy script run by python3, JSON in and out.
 * Only tests use it; the app never depends on python.
 */
import { execFileSync } from 'node:child_process';

export function runPython<T>(script: string, input: unknown): T {
  const out = execFileSync('python3', ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
  });
  return JSON.parse(out) as T;
}
