/**
 * A pool of compute host processes: at most one heavy job per worker and, by default, one worker per core.
 *
 * - Priority queue: higher `priority` first, FIFO among equals (PRIORITY in protocol.ts names the levels).
 * - Crash isolation: a worker that exits while running a job rejects that job with an error naming the job kind,
 *   the exit code or signal, and is replaced; queued jobs go to the replacement. A worker that dies before it is
 *   ready several times in a row means the entry itself is broken: everything queued is rejected rather than
 *   respawned forever. The caller never waits on a job that no process runs.
 * - Cancel: the job's promise rejects with CancelledError at once; the worker is asked to stop, and if it has not
 *   answered within `cancelGraceMs` (a job busy in one long kernel call cannot read messages) it is killed and
 *   replaced, so a cancelled job never holds a core.
 * - Workers are forked from the compiled `worker.js` beside this file, or from `worker.ts` through tsx's loader when
 *   this module itself runs from source (vitest, tsx); inside Electron they run with ELECTRON_RUN_AS_NODE.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CancelledError } from '../errors.js';
import { fromWireError, isHostOutbound, PRIORITY, type HostInbound, type HostOutbound } from './protocol.js';

export interface PoolOptions {
  /** Worker processes (default: available cores). */
  readonly size?: number;
  /** The worker entry file (default: worker.js or worker.ts beside this module). */
  readonly entry?: string;
  /** Extra Node flags for the workers (the tsx loader is added for a .ts entry). */
  readonly execArgv?: readonly string[];
  /** How long a cancelled job's worker may take to stop before it is killed (default 1000 ms). */
  readonly cancelGraceMs?: number;
  /** Workers that die before becoming ready, in a row, before the pool gives up (default 3). */
  readonly maxStartFailures?: number;
}

export interface RunOptions {
  readonly priority?: number;
  readonly signal?: AbortSignal;
  readonly jobId?: string;
  onProgress?(done: number, total: number, label: string): void;
  /** Called when a worker picks the job up (with its process id). */
  onStart?(pid: number): void;
}

interface Job {
  readonly jobId: string;
  readonly kind: string;
  readonly params: unknown;
  readonly priority: number;
  readonly seq: number;
  readonly options: RunOptions;
  resolve(value: unknown): void;
  reject(err: Error): void;
  settled: boolean;
  cleanup(): void;
}

interface Worker {
  readonly child: ChildProcess;
  ready: boolean;
  job: Job | null;
  /** Set when the worker is being retired (cancel timeout, close); its exit then rejects nothing new. */
  retiring: boolean;
  killTimer: NodeJS.Timeout | null;
  /** The end of what the worker wrote to stderr: a crash report quotes its last line. */
  stderrTail: string;
}

let jobCounter = 0;

export function defaultWorkerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  const js = here.replace(/pool\.(ts|js)$/, 'worker.js');
  if (here.endsWith('.js') && existsSync(js)) return js;
  return here.replace(/pool\.(ts|js)$/, 'worker.ts');
}

export class ComputePool {
  readonly size: number;
  private readonly entry: string;
  private readonly execArgv: string[];
  private readonly cancelGraceMs: number;
  private readonly maxStartFailures: number;
  private readonly workers = new Set<Worker>();
  private readonly queue: Job[] = [];
  private readonly byId = new Map<string, Job>();
  private startFailures = 0;
  private seq = 0;
  private closed = false;
  private brokenReason: string | null = null;

  constructor(options: PoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
    this.entry = options.entry ?? defaultWorkerEntry();
    const loader = this.entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
    this.execArgv = [...loader, ...(options.execArgv ?? [])];
    this.cancelGraceMs = options.cancelGraceMs ?? 1000;
    this.maxStartFailures = options.maxStartFailures ?? 3;
  }

  /** Run one job on some worker. Rejects with the job's own error, a CancelledError, or a crash report. */
  run<T = unknown>(kind: string, params: unknown, options: RunOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new Error('compute pool is closed'));
    if (this.brokenReason) return Promise.reject(new Error(this.brokenReason));
    if (options.signal?.aborted) return Promise.reject(new CancelledError(`${kind} job`));
    const jobId = options.jobId ?? `job-${process.pid}-${++jobCounter}`;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => this.cancel(jobId);
      const job: Job = {
        jobId,
        kind,
        params,
        priority: options.priority ?? PRIORITY.normal,
        seq: this.seq++,
        options,
        resolve: (value) => resolve(value as T),
        reject,
        settled: false,
        cleanup: () => options.signal?.removeEventListener('abort', onAbort),
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.byId.set(jobId, job);
      this.enqueue(job);
      this.dispatch();
    });
  }

  /** Cancel a queued or running job: its promise rejects with CancelledError now. */
  cancel(jobId: string): void {
    const job = this.byId.get(jobId);
    if (!job) return;
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    this.settle(job, new CancelledError(`${job.kind} job`));
    for (const worker of this.workers) {
      if (worker.job !== job) continue;
      this.send(worker, { type: 'cancel', jobId });
      // The worker is still busy until it answers; if it cannot (stuck in a kernel), replace it.
      worker.killTimer = setTimeout(() => this.retire(worker), this.cancelGraceMs);
    }
  }

  /** Jobs waiting plus jobs running. */
  get pending(): number {
    return this.byId.size;
  }

  /** Process ids of the live workers, not counting those being stopped (for diagnostics and tests). */
  get pids(): number[] {
    return [...this.workers]
      .filter((w) => !w.retiring)
      .map((w) => w.child.pid)
      .filter((pid): pid is number => pid !== undefined);
  }

  /** Reject everything outstanding and stop the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of [...this.byId.values()]) this.settle(job, new Error('compute pool closed before the job finished'));
    this.queue.length = 0;
    const exits = [...this.workers].map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.child.exitCode !== null || worker.child.signalCode !== null) return resolve();
          worker.child.once('exit', () => resolve());
          this.retire(worker);
        }),
    );
    await Promise.all(exits);
  }

  private enqueue(job: Job): void {
    // Insert after every job of higher or equal priority: FIFO within a level.
    let at = this.queue.length;
    while (at > 0 && this.queue[at - 1]!.priority < job.priority) at--;
    this.queue.splice(at, 0, job);
  }

  private dispatch(): void {
    if (this.closed) return;
    for (const worker of this.workers) {
      if (this.queue.length === 0) return;
      if (worker.ready && !worker.job && !worker.retiring) this.assign(worker, this.queue.shift()!);
    }
    // Start workers for the remaining queue, up to the pool size.
    const starting = [...this.workers].filter((w) => !w.ready && !w.retiring).length;
    let wanted = Math.min(this.queue.length - starting, this.size - this.liveCount());
    while (wanted-- > 0) this.spawn();
  }

  private liveCount(): number {
    return [...this.workers].filter((w) => !w.retiring).length;
  }

  private assign(worker: Worker, job: Job): void {
    worker.job = job;
    this.send(worker, { type: 'submit', jobId: job.jobId, kind: job.kind, params: job.params, priority: job.priority });
  }

  private spawn(): void {
    const env = { ...process.env };
    // Each worker's kernels get its share of the cores: a pool of one worker per core would otherwise start
    // cores² kernel threads, which then take turns (an explicit SVCCA_KERNEL_THREADS is left as given).
    env['SVCCA_KERNEL_THREADS'] ??= String(Math.max(1, Math.floor(availableParallelism() / this.size)));
    // Inside Electron, process.execPath is the Electron binary; this makes it behave as plain Node.
    if (process.versions['electron']) env['ELECTRON_RUN_AS_NODE'] = '1';
    const child = fork(this.entry, [], { execArgv: this.execArgv, serialization: 'advanced', env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const worker: Worker = { child, ready: false, job: null, retiring: false, killTimer: null, stderrTail: '' };
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      worker.stderrTail = (worker.stderrTail + chunk).slice(-4096);
    });
    this.workers.add(worker);
    child.on('message', (message: unknown) => {
      if (isHostOutbound(message)) this.onMessage(worker, message);
    });
    child.on('error', () => {
      // 'exit' follows (or the spawn failed and exit reports it); nothing to do twice.
    });
    child.once('exit', (code, signal) => this.onExit(worker, code, signal));
  }

  private onMessage(worker: Worker, message: HostOutbound): void {
    if (message.type === 'ready') {
      worker.ready = true;
      this.startFailures = 0;
      this.dispatch();
      return;
    }
    const job = worker.job;
    if (!job || message.jobId !== job.jobId) return;
    switch (message.type) {
      case 'started':
        if (worker.child.pid !== undefined) job.options.onStart?.(worker.child.pid);
        return;
      case 'progress':
        if (!job.settled) job.options.onProgress?.(message.done, message.total, message.label);
        return;
      case 'result':
      case 'error':
        if (worker.killTimer) clearTimeout(worker.killTimer);
        worker.killTimer = null;
        worker.job = null;
        if (message.type === 'result') this.settle(job, null, message.value);
        else this.settle(job, fromWireError(message.error));
        this.dispatch();
        return;
    }
  }

  private onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    this.workers.delete(worker);
    if (worker.killTimer) clearTimeout(worker.killTimer);
    const job = worker.job;
    worker.job = null;
    const reason = crashLine(worker.stderrTail);
    const how = (signal ? `signal ${signal}` : `exit code ${code}`) + (reason ? `: ${reason}` : '');
    if (job && !job.settled) {
      this.settle(job, new Error(`compute worker crashed (${how}) while running a ${job.kind} job; the worker was restarted`));
    }
    if (this.closed) return;
    if (!worker.ready && !worker.retiring) {
      this.startFailures++;
      if (this.startFailures >= this.maxStartFailures) {
        this.brokenReason = `compute worker ${this.entry} exits on start (${how}), ${this.startFailures} times in a row`;
        for (const queued of this.queue.splice(0)) this.settle(queued, new Error(this.brokenReason));
        return;
      }
    }
    this.dispatch();
  }

  /** Stop a worker for good (stuck after cancel, or closing); its exit handler cleans up. */
  private retire(worker: Worker): void {
    worker.retiring = true;
    worker.child.kill('SIGKILL');
    // Queued work needs a worker in its place now, not after the exit event.
    this.dispatch();
  }

  private send(worker: Worker, message: HostInbound): void {
    if (worker.child.connected) worker.child.send(message);
  }

  private settle(job: Job, err: Error | null, value?: unknown): void {
    if (job.settled) return;
    job.settled = true;
    job.cleanup();
    this.byId.delete(job.jobId);
    if (err) job.reject(err);
    else job.resolve(value);
  }
}

/** The line of a dying process's stderr that says why: the last `SomethingError: …` line, else the last line. */
function crashLine(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at ') && !/^Node\.js v/.test(l));
  return lines.filter((l) => /^[A-Za-z]*Error\b|^FATAL|out of memory/i.test(l)).pop() ?? lines.pop();
}
