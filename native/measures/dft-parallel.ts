/**
 * Runs DFT-CCA's per-block work on worker threads. Frequency blocks do not interact ([Raghu2017-SVCCA], appendix C.5),
 * so a batch of blocks is cut into contiguous shares, one per thread, and the results are put back in order; each
 * thread runs the same code as the main thread would (dft-tasks.ts), so the answer does not depend on the thread count.
 *
 * The threads are started on first use and kept (a matrix job calls DFT-CCA many times); idle threads are unref'd,
 * so they never keep a process alive. A thread that fails rejects its share with the error and is replaced on the
 * next call. From the compiled tree the entry is dft-worker.js beside this file; from source (vitest, tsx) the .ts
 * entry is loaded through tsx's loader, which a worker thread has to register itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { kernelThreads } from '../kernels/threads.js';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ComplexEighResult } from '../linalg/complex-eigh.js';
import type { ComplexMatrix } from '../linalg/complex-matrix.js';
import type { BlockCcaResult } from './dft-block-cca.js';
import { runBlockTask, type BlockCcaInput, type BlockTask, type BlockTaskResult } from './dft-tasks.js';

interface Pending {
  resolve(result: BlockTaskResult): void;
  reject(err: Error): void;
}

interface Thread {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  failed: boolean;
}

const threads: Thread[] = [];
let nextId = 0;

/**
 * How many threads a run of DFT-CCA may use by default: every core, unless SVCCA_KERNEL_THREADS (the kernels' own
 * cap, for shared machines and processes that already run one job per core) says fewer.
 */
export const defaultBlockThreads = kernelThreads;

/** Hermitian eigendecompositions of the blocks on up to `count` threads (1 or fewer: here), in input order. */
export async function eighBlocks(items: readonly ComplexMatrix[], count: number): Promise<ComplexEighResult[]> {
  const shares = split(items, count).map((part) => run({ kind: 'eigh', items: part }, count));
  return (await Promise.all(shares)).flat() as ComplexEighResult[];
}

/** The CCA of each block on up to `count` threads (1 or fewer: here), in input order. */
export async function ccaBlocks(items: readonly BlockCcaInput[], count: number): Promise<BlockCcaResult[]> {
  const shares = split(items, count).map((part) => run({ kind: 'cca', items: part }, count));
  return (await Promise.all(shares)).flat() as BlockCcaResult[];
}

/** Contiguous shares, one per thread (a single share when running here). */
function split<T>(items: readonly T[], count: number): T[][] {
  const parts = Math.max(1, Math.min(Math.floor(count), items.length));
  return Array.from({ length: parts }, (_, t) => items.slice(Math.floor((t * items.length) / parts), Math.floor(((t + 1) * items.length) / parts)));
}

let shareIndex = 0;

function run(task: BlockTask, count: number): Promise<BlockTaskResult> {
  if (count <= 1 || task.items.length === 0) return Promise.resolve(runBlockTask(task));
  return send(thread(shareIndex++ % Math.floor(count)), task);
}

/** Stops the threads (tests, shutdown); later calls start new ones. */
export async function disposeBlockThreads(): Promise<void> {
  const all = threads.splice(0);
  await Promise.all(all.map((t) => t.worker.terminate()));
}

function send(t: Thread, task: BlockTask): Promise<BlockTaskResult> {
  const id = nextId++;
  return new Promise<BlockTaskResult>((resolve, reject) => {
    t.pending.set(id, { resolve, reject });
    t.worker.ref();
    t.worker.postMessage({ id, task });
  });
}

function thread(index: number): Thread {
  const existing = threads[index];
  if (existing && !existing.failed) return existing;
  const worker = startWorker();
  const t: Thread = { worker, pending: new Map(), failed: false };
  const settle = (id: number, outcome: { result?: BlockTaskResult; error?: string }): void => {
    const p = t.pending.get(id);
    if (!p) return;
    t.pending.delete(id);
    if (t.pending.size === 0) worker.unref();
    if (outcome.error !== undefined) p.reject(new Error(`DFT-CCA block thread: ${outcome.error}`));
    else p.resolve(outcome.result!);
  };
  const fail = (err: Error): void => {
    t.failed = true;
    for (const [id] of t.pending) settle(id, { error: err.message });
  };
  worker.on('message', (message: { id: number; result?: BlockTaskResult; error?: string }) => settle(message.id, message));
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`thread exited with code ${code}`)));
  worker.unref();
  threads[index] = t;
  return t;
}

function startWorker(): Worker {
  const here = fileURLToPath(import.meta.url);
  const compiled = here.replace(/dft-parallel\.(ts|js)$/, 'dft-worker.js');
  if (here.endsWith('.js') && existsSync(compiled)) return new Worker(compiled);
  const source = pathToFileURL(here.replace(/dft-parallel\.(ts|js)$/, 'dft-worker.ts')).href;
  const loader = pathToFileURL(tsxEsmApi()).href;
  const bootstrap = `import(${JSON.stringify(loader)}).then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(bootstrap, { eval: true });
}

/** tsx's ESM loader API (its package `exports` entry for `import`; require.resolve would give the CommonJS one). */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return join(dirname(manifest), pkg.exports['./esm/api']!.import.default);
}
