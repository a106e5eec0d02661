/**
 * The wasm-simd thread pool: one compiled product module, one shared WebAssembly.Memory, one instance per worker
 * thread plus one on the calling thread (for products too small to be worth a message round trip).
 *
 * - Lazy: nothing starts until the first product; `dispose()` terminates the workers and frees the memory, and the
 *   next product starts a fresh pool.
 * - Idle workers are unref'd, so an idle pool never keeps the process alive; they are ref'd while a call is in
 *   flight so that `await gram(x)` at the end of a script is not cut short.
 * - One call at a time: callers share the memory, so `exclusive` serialises them.
 * - Memory grows to the largest product seen and wasm memory cannot shrink, so a large pool left idle is handed
 *   back through `onIdle` (the backend drops it; the next call starts a new one).
 */
import { Worker } from 'node:worker_threads';
import { MAX_PAGES, PAGE_BYTES, productModuleBytes, type Accumulate, type ProductExports } from './product-module.js';
import { WebAssemblyApi, type WasmMemory } from './webassembly.js';
import { WORKER_SOURCE } from './worker-source.js';

export interface IdleRelease {
  readonly afterMs: number;
  readonly aboveBytes: number;
}

/** A pool holding more than 256 MiB is released after 30 s without calls. */
export const DEFAULT_IDLE_RELEASE: IdleRelease = { afterMs: 30_000, aboveBytes: 256 * 2 ** 20 };

export interface ExportCall {
  readonly fn: keyof ProductExports;
  readonly args: readonly number[];
}

/** Tasks shared by all workers through an atomic counter (see worker-source.ts); args differ per worker. */
export interface TaskQueue {
  /** Byte offset of the int32 task counter in the shared memory. */
  readonly counter: number;
  readonly fn: keyof ProductExports;
  /** Task count. */
  readonly length: number;
  /** The arguments of task `t` when run by worker `w`. */
  args(t: number, w: number): readonly number[];
}

/** One worker's part of a parallel run: calls first, then tasks from the shared queue. */
interface WorkerRequest {
  readonly calls: readonly ExportCall[];
  readonly queue?: { readonly counter: number; readonly fn: string; readonly tasks: readonly (readonly number[])[] };
}

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

class PoolWorker {
  private pending: Pending | undefined;
  private nextId = 0;
  private failed: Error | undefined;

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: { id: number; error?: string }) => this.settle(reply.error ? new Error(reply.error) : undefined));
    worker.on('error', (error: Error) => {
      this.failed = error;
      this.settle(error);
    });
    worker.on('exit', (code) => {
      this.failed ??= new Error(`kernel worker exited with code ${code}`);
      this.settle(this.failed);
    });
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
  }

  private settle(error: Error | undefined): void {
    const pending = this.pending;
    this.pending = undefined;
    this.worker.unref();
    if (!pending) return;
    if (error) pending.reject(error);
    else pending.resolve();
  }

  /** False once the thread died (crash, exit, terminate): the pool must then be replaced. */
  get alive(): boolean {
    return this.failed === undefined;
  }

  run(request: WorkerRequest): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.pending) return Promise.reject(new Error('kernel worker is busy'));
    return new Promise<void>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.ref();
      this.worker.postMessage({ id: this.nextId++, ...request });
    });
  }

  async terminate(): Promise<void> {
    this.failed ??= new Error('kernel pool disposed');
    await this.worker.terminate();
  }
}

export class KernelPool {
  private lock: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * Called once the pool has been idle for `idle.afterMs` while its memory exceeds `idle.aboveBytes`: wasm memory
   * never shrinks, so the owner drops the pool (returning the memory) and starts a new one on the next call.
   */
  onIdle: (() => void) | undefined;

  private constructor(
    private readonly memory: WasmMemory,
    /** The instance on the calling thread. */
    readonly local: ProductExports,
    private readonly workers: readonly PoolWorker[],
    private readonly idle: IdleRelease,
  ) {}

  static async start(threads: number, accumulate: Accumulate, idle: IdleRelease = DEFAULT_IDLE_RELEASE): Promise<KernelPool> {
    // threads = 0: a pool of the calling thread alone (every product runs `onCaller`), on a private memory: copies
    // in and out of a SharedArrayBuffer take V8's slower relaxed-atomic path.
    const shared = threads > 0;
    const module = await WebAssemblyApi.compile(productModuleBytes({ accumulate, shared }));
    const memory = new WebAssemblyApi.Memory({ initial: 1, maximum: MAX_PAGES, shared });
    const instance = new WebAssemblyApi.Instance(module, { env: { memory } });
    const workers = Array.from(
      { length: Math.max(0, threads) },
      () => new PoolWorker(new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { module, memory } })),
    );
    return new KernelPool(memory, instance.exports as unknown as ProductExports, workers, idle);
  }

  get threads(): number {
    return this.workers.length;
  }

  /** Runs `task` after every earlier one finished (the memory is shared by all callers). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    clearTimeout(this.idleTimer);
    const run = this.lock.then(task, task);
    this.lock = run.catch(() => undefined).then(() => {
      if (--this.pending === 0) this.armIdleRelease();
    });
    return run;
  }

  private armIdleRelease(): void {
    if (this.memory.buffer.byteLength <= this.idle.aboveBytes) return;
    this.idleTimer = setTimeout(() => {
      if (this.pending === 0) this.onIdle?.();
    }, this.idle.afterMs);
    this.idleTimer.unref();
  }

  /** Bytes of shared memory currently held. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Makes the memory at least `bytes` long (it never shrinks; `dispose` frees it). */
  reserve(bytes: number): void {
    const pages = Math.ceil(bytes / PAGE_BYTES);
    if (pages > MAX_PAGES) {
      throw new RangeError(`product needs ${(bytes / 2 ** 30).toFixed(1)} GiB of kernel memory, more than wasm32's 4 GiB`);
    }
    const current = this.memory.buffer.byteLength / PAGE_BYTES;
    if (pages > current) this.memory.grow(pages - current);
  }

  /** A fresh view (growing the memory replaces the buffer object). */
  f64(): Float64Array {
    return new Float64Array(this.memory.buffer);
  }

  /**
   * Runs `setup[w]` on worker w, all workers in parallel, then lets them share the queue's tasks. On the calling
   * thread instead (`onCaller`) for products too small to be worth messages: same calls, same tasks, in order.
   */
  async runParallel(setup: readonly (readonly ExportCall[])[], queue: TaskQueue, onCaller = false): Promise<void> {
    if (onCaller) {
      const local = this.local as unknown as Record<string, (...args: readonly number[]) => void>;
      for (const calls of setup) for (const call of calls) local[call.fn]!(...call.args);
      for (let t = 0; t < queue.length; t++) local[queue.fn]!(...queue.args(t, 0));
      return;
    }
    if (setup.length > this.workers.length) throw new RangeError('more call lists than kernel workers');
    Atomics.store(new Int32Array(this.memory.buffer, queue.counter, 1), 0, 0);
    // Wait for every worker even when one fails: the others may still be writing the shared memory, which the next
    // call would reuse.
    const outcomes = await Promise.allSettled(
      setup.map((calls, w) =>
        this.workers[w]!.run({
          calls,
          queue: { counter: queue.counter, fn: queue.fn, tasks: Array.from({ length: queue.length }, (_, t) => queue.args(t, w)) },
        }),
      ),
    );
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) throw failure.reason;
  }

  /** True when a worker thread died; the backend then replaces the pool. */
  get broken(): boolean {
    return this.workers.some((w) => !w.alive);
  }

  async dispose(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.onIdle = undefined;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
