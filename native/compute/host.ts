/**
 * The job-running side of the compute protocol, independent of how the process was started: a child process
 * (process.send / process.on('message')), an Electron utility process (process.parentPort), or a test harness all
 * reduce to the minimal `HostPort` below.
 *
 * Jobs run one after another in arrival order (the pool gives each host one heavy job at a time: one per core).
 * A cancel aborts the job's AbortSignal; handlers check it between blocks of work, so they must yield to the event
 * loop now and then (see `yieldToEvents`) for the cancel message to be read at all.
 */
import { CancelledError } from '../errors.js';
import { isHostInbound, toWireError, type HostOutbound, type SubmitMessage } from './protocol.js';

export interface HostPort {
  postMessage(message: HostOutbound): void;
  onMessage(listener: (message: unknown) => void): void;
}

export interface JobContext {
  readonly jobId: string;
  readonly signal: AbortSignal;
  progress(done: number, total: number, label: string): void;
}

export type JobHandler = (params: unknown, context: JobContext) => Promise<unknown>;

export type JobHandlers = Readonly<Record<string, JobHandler>>;

/** Lets queued messages (a cancel) in between compute blocks; then throws if the job was cancelled. */
export async function yieldToEvents(signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal?.aborted) throw new CancelledError('job');
}

export function serveJobs(port: HostPort, handlers: JobHandlers): void {
  const queue: SubmitMessage[] = [];
  const controllers = new Map<string, AbortController>();
  let running = false;

  const pump = async (): Promise<void> => {
    if (running) return;
    running = true;
    while (queue.length > 0) {
      const job = queue.shift()!;
      const controller = controllers.get(job.jobId)!;
      try {
        if (controller.signal.aborted) throw new CancelledError('job');
        const handler = handlers[job.kind];
        if (!handler) throw new Error(`compute host has no job kind '${job.kind}'`);
        port.postMessage({ type: 'started', jobId: job.jobId });
        const value = await handler(job.params, {
          jobId: job.jobId,
          signal: controller.signal,
          progress: (done, total, label) => port.postMessage({ type: 'progress', jobId: job.jobId, done, total, label }),
        });
        port.postMessage({ type: 'result', jobId: job.jobId, value });
      } catch (err) {
        port.postMessage({ type: 'error', jobId: job.jobId, error: toWireError(err) });
      } finally {
        controllers.delete(job.jobId);
      }
    }
    running = false;
  };

  port.onMessage((message) => {
    if (!isHostInbound(message)) return;
    if (message.type === 'cancel') {
      controllers.get(message.jobId)?.abort();
      return;
    }
    controllers.set(message.jobId, new AbortController());
    queue.push(message);
    void pump();
  });
}
