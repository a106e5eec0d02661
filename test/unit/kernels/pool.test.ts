import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { disposeKernels, gram } from '../../../native/kernels/index.js';
import { accumulate, kernelPool } from '../../../native/kernels/wasm/backend.js';
import { operand, partitionedProduct } from '../../../native/kernels/wasm/partitioned-product.js';
import { KernelPool } from '../../../native/kernels/wasm/pool.js';
import { matrix } from '../../../native/linalg/matrix.js';
import { transpose } from '../../../native/linalg/util.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));

afterAll(disposeKernels);

function ramp(rows: number, cols: number): ReturnType<typeof matrix> {
  return matrix(rows, cols, Float64Array.from({ length: rows * cols }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5));
}

describe('wasm-simd kernel pool', () => {
  test('an idle pool does not keep the process alive, and a pending call does', async () => {
    // A script whose last act is awaiting a multi-threaded gram: it must print the result, then exit by itself.
    const script = `
      import { gram } from './native/kernels/index.ts';
      import { matrix } from './native/linalg/matrix.ts';
      const x = matrix(2000, 64, Float64Array.from({ length: 2000 * 64 }, (_, i) => (i % 13) - 6));
      const g = await gram(x, { backend: 'cpu-wasm-simd' });
      console.log('done', g.data[0]);
    `;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      timeout: 60_000,
    });
    expect(stdout.trim()).toMatch(/^done \d+/);
  });

  test('dispose stops the workers and the next call starts a fresh pool', async () => {
    const x = ramp(3000, 40);
    const before = await gram(x, { backend: 'cpu-wasm-simd' });
    const first = await kernelPool();
    await disposeKernels();
    const after = await gram(x, { backend: 'cpu-wasm-simd' });
    expect(await kernelPool()).not.toBe(first);
    expect(after.data).toEqual(before.data);
    // A pool whose threads died (here: terminated behind the backend's back) is replaced on the next call.
    const second = await kernelPool();
    await second.dispose();
    expect((await gram(x, { backend: 'cpu-wasm-simd' })).data).toEqual(before.data);
    expect(await kernelPool()).not.toBe(second);
  });

  test('results are bit-identical whatever the number of threads (each entry is one fixed-order sum)', async () => {
    const x = ramp(1500, 300);
    const y = ramp(1500, 520);
    const results = [];
    for (const threads of [1, 2, 3]) {
      const pool = await KernelPool.start(threads, accumulate());
      try {
        results.push([await partitionedProduct(pool, operand(x), operand(y)), await partitionedProduct(pool, operand(x), undefined)]);
      } finally {
        await pool.dispose();
      }
    }
    for (const r of results.slice(1)) {
      expect(r[0]).toEqual(results[0]![0]);
      expect(r[1]).toEqual(results[0]![1]);
    }
  });

  test('row chunks (inputs larger than the chunk budget) give the same bits, for both storage layouts', async () => {
    const x = ramp(1500, 300);
    const y = ramp(1500, 130);
    const xt = transpose(x);
    const yt = transpose(y);
    const pool = await KernelPool.start(2, accumulate());
    try {
      const whole = await partitionedProduct(pool, operand(x), operand(y));
      const wholeGram = await partitionedProduct(pool, operand(x), undefined);
      // 1500 rows of 430 float64: a ~97-row budget rounds up to whole 256-row kc blocks, so 6 chunks through both
      // alternating buffers, the last one short.
      const chunk = 97 * 430 * 8;
      expect(await partitionedProduct(pool, operand(x), operand(y), chunk)).toEqual(whole);
      expect(await partitionedProduct(pool, operand(xt, true), operand(yt, true), chunk)).toEqual(whole);
      expect(await partitionedProduct(pool, operand(xt, true), operand(y), chunk)).toEqual(whole);
      expect(await partitionedProduct(pool, operand(xt, true), undefined, 97 * 300 * 8)).toEqual(wholeGram);
    } finally {
      await pool.dispose();
    }
  });

  test('a trap in one worker fails the call with its message, after every worker stopped, and the pool still works', async () => {
    const pool = await KernelPool.start(2, accumulate());
    try {
      const outOfBounds = 2 ** 31 - 1024;
      const queue = {
        counter: 0,
        fn: 'fillZero' as const,
        length: 8,
        // Task 3 writes past the end of the memory; the others are harmless.
        args: (t: number) => (t === 3 ? [outOfBounds, 64] : [1024 + 64 * t, 64]),
      };
      pool.reserve(4096);
      await expect(pool.runParallel([[], []], queue)).rejects.toThrow(/out of bounds/);
      expect(pool.broken).toBe(false);
      const x = ramp(900, 50);
      const y = ramp(900, 70);
      const expected = await partitionedProduct(await kernelPool(), operand(x), operand(y));
      expect(await partitionedProduct(pool, operand(x), operand(y))).toEqual(expected);
    } finally {
      await pool.dispose();
    }
    expect(pool.broken).toBe(true);
  });

  test('a large pool left idle hands its memory back through onIdle', async () => {
    const pool = await KernelPool.start(1, accumulate(), { afterMs: 50, aboveBytes: 1 << 20 });
    let released = 0;
    pool.onIdle = () => released++;
    try {
      await partitionedProduct(pool, operand(ramp(200, 10)), undefined); // a few pages: stays
      await new Promise((r) => setTimeout(r, 150));
      expect(released).toBe(0);
      await partitionedProduct(pool, operand(ramp(4000, 100)), undefined); // > 1 MiB
      expect(pool.memoryBytes).toBeGreaterThan(1 << 20);
      // Polling rather than one fixed wait: on a busy machine the 50 ms timer may fire late.
      for (let waited = 0; released === 0 && waited < 10_000; waited += 25) await new Promise((r) => setTimeout(r, 25));
      expect(released).toBe(1);
    } finally {
      await pool.dispose();
    }
  });

  test('concurrent calls share the memory safely', async () => {
    const xs = [ramp(2500, 33), ramp(1800, 47), ramp(3100, 20)];
    const alone: Awaited<ReturnType<typeof gram>>[] = [];
    for (const x of xs) alone.push(await gram(x, { backend: 'cpu-wasm-simd' }));
    const together = await Promise.all(xs.map((x) => gram(x, { backend: 'cpu-wasm-simd' })));
    together.forEach((g, i) => expect(g.data).toEqual(alone[i]!.data));
  });
});
