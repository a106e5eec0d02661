import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComputePool } from '../../../native/compute/pool.js';
import { JOB_COVARIANCE } from '../../../native/compute/jobs.js';
import { PRIORITY } from '../../../native/compute/protocol.js';
import { streamCovariance, type StreamedCovariance } from '../../../native/compute/streaming.js';
import { CancelledError, StudioError } from '../../../native/errors.js';
import { openArray } from '../../../native/formats/index.js';
import { rng, writeNpyRows } from './npy.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'svcca-pool-'));
const small = join(dir, 'small.npy');
const big = join(dir, 'big.npy');
const BIG_ROWS = 120_000;

beforeAll(() => {
  const r = rng(1);
  writeNpyRows(small, [500, 6], '<f8', (_, out) => out.forEach((_, j) => (out[j] = r.normal())));
  // Long enough (~1 s of Gram work) that a job is surely still running when the test acts on it.
  writeNpyRows(big, [BIG_ROWS, 128], '<f4', (_, out) => out.forEach((_, j) => (out[j] = r.uniform())));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('compute pool: child-process hosts with a priority queue, crash isolation and cancel', () => {
  it('runs jobs in workers with the same result as in-process, at most one job per worker', async () => {
    const pool = new ComputePool({ size: 2 });
    try {
      const expected = await streamCovariance(await openArray(small), undefined, { blockRows: 64 });
      const results = await Promise.all(
        [1, 2, 3].map(() => pool.run<StreamedCovariance>(JOB_COVARIANCE, { a: small, blockRows: 64 })),
      );
      for (const r of results) {
        expect(r.rows).toBe(500);
        expect(Array.from(r.aa.data)).toEqual(Array.from(expected.aa.data));
      }
      expect(pool.pids.length).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('starts higher-priority jobs first, FIFO within a priority', async () => {
    const pool = new ComputePool({ size: 1 });
    try {
      const started: string[] = [];
      const job = (name: string, priority: number): Promise<unknown> =>
        pool.run(JOB_COVARIANCE, { a: small }, { priority, onStart: () => started.push(name) });
      await Promise.all([
        job('normal-1', PRIORITY.normal),
        job('background', PRIORITY.background),
        job('interactive', PRIORITY.interactive),
        job('normal-2', PRIORITY.normal),
      ]);
      expect(started).toEqual(['interactive', 'normal-1', 'normal-2', 'background']);
    } finally {
      await pool.close();
    }
  });

  it('a worker crash rejects its job with a clear error; the pool restarts the worker and goes on', async () => {
    const pool = new ComputePool({ size: 1 });
    try {
      let crashedPid = 0;
      const doomed = pool.run(JOB_COVARIANCE, { a: big, blockRows: 4096 }, {
        onStart: (pid) => {
          crashedPid = pid;
          process.kill(pid, 'SIGKILL');
        },
      });
      await expect(doomed).rejects.toThrow(/compute worker crashed \(signal SIGKILL\) while running a layer\.covariance job/);
      const after = await pool.run<StreamedCovariance>(JOB_COVARIANCE, { a: small });
      expect(after.rows).toBe(500);
      expect(pool.pids).not.toContain(crashedPid);
    } finally {
      await pool.close();
    }
  });

  it('cancel: rejects at once; a cooperative job stops and its worker stays', async () => {
    // A generous grace period: the job answers at its next block, however loaded the machine.
    const pool = new ComputePool({ size: 1, cancelGraceMs: 5000 });
    try {
      // Cooperative: small blocks, the job sees the cancel between two of them.
      const controller = new AbortController();
      let firstPid = 0;
      const cooperative = pool.run(JOB_COVARIANCE, { a: big, blockRows: 2048 }, {
        signal: controller.signal,
        onProgress: () => controller.abort(),
        onStart: (pid) => (firstPid = pid),
      });
      await expect(cooperative).rejects.toBeInstanceOf(CancelledError);
      expect((await pool.run<StreamedCovariance>(JOB_COVARIANCE, { a: small })).rows).toBe(500);
      expect(pool.pids).toEqual([firstPid]);
    } finally {
      await pool.close();
    }
  });

  it('cancel: a job stuck in one long kernel call is killed after the grace period and its worker replaced', async () => {
    const pool = new ComputePool({ size: 1, cancelGraceMs: 100 });
    try {
      // Stuck: one block of all rows of a pair is three long kernel calls; the worker cannot read the cancel and is killed.
      // Cancelled 300 ms after it starts: past the job's only cancel check (before its one block), well before the
      // end of the pass (~2 s here), so the worker cannot answer within the grace period.
      let stuckPid = 0;
      let cancelled!: () => void;
      const cancelSent = new Promise<void>((resolve) => (cancelled = resolve));
      const stuck = pool.run(JOB_COVARIANCE, { a: big, b: big, blockRows: BIG_ROWS }, {
        jobId: 'stuck',
        onStart: (pid) => {
          stuckPid = pid;
          setTimeout(() => {
            pool.cancel('stuck');
            cancelled();
          }, 300);
        },
      });
      await cancelSent;
      // The caller is answered at once (before the next turn of the event loop), not when the worker stops.
      const first = await Promise.race([
        stuck.then(() => 'resolved', (e: unknown) => (e instanceof CancelledError ? 'cancelled' : 'other error')),
        new Promise((resolve) => setImmediate(() => resolve('still pending'))),
      ]);
      expect(first).toBe('cancelled');
      expect((await pool.run<StreamedCovariance>(JOB_COVARIANCE, { a: small })).rows).toBe(500);
      expect(pool.pids).not.toContain(stuckPid);
      // And the stuck process is really gone (killed, not just forgotten).
      for (let tries = 0; tries < 100 && isAlive(stuckPid); tries++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(isAlive(stuckPid)).toBe(false);
    } finally {
      await pool.close();
    }
  });

  it('a job error crosses as the same kind of error, naming the file', async () => {
    const pool = new ComputePool({ size: 1 });
    try {
      const missing = join(dir, 'missing.npy');
      const err = await pool.run(JOB_COVARIANCE, { a: missing }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StudioError);
      expect((err as Error).message).toContain(missing);
      await expect(pool.run('no.such.kind', {})).rejects.toThrow(/no job kind 'no.such.kind'/);
    } finally {
      await pool.close();
    }
  });

  it('a worker entry that dies on start fails the queued jobs instead of respawning forever', async () => {
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, "throw new Error('boom');\n");
    const pool = new ComputePool({ size: 2, entry: broken, maxStartFailures: 3 });
    try {
      await expect(pool.run(JOB_COVARIANCE, { a: small })).rejects.toThrow(/exits on start \(exit code 1: Error: boom\), 3 times in a row/);
      await expect(pool.run(JOB_COVARIANCE, { a: small })).rejects.toThrow(/exits on start/);
    } finally {
      await pool.close();
    }
  });
});
