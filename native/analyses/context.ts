/**
 * What every long analysis accepts from its caller (the studio's job runner, the CLI): a progress reporter and a
 * cancel signal. Analyses check the signal between units of work (one comparison, one checkpoint), so a cancel
 * takes effect within one unit.
 */
import { CancelledError } from '../errors.js';

export interface AnalysisContext {
  onProgress?(done: number, total: number, label: string): void;
  signal?: AbortSignal;
}

/** Throws CancelledError when the caller has aborted. */
export function throwIfCancelled(context: AnalysisContext, what: string): void {
  if (context.signal?.aborted) throw new CancelledError(what);
}

/** Counts finished units against a known total and reports each one. */
export class ProgressCounter {
  private done = 0;

  constructor(
    private readonly context: AnalysisContext,
    private readonly what: string,
    readonly total: number,
  ) {}

  /**
   * Lets the event loop turn, checks for a cancel, then does one unit of work. The turn matters: with synchronous
   * kernels (the BLAS addon) a loop of units awaits only settled promises, so without it the cancel message and the
   * progress events of a long job would wait, unread and unsent, until the whole job had finished.
   */
  async step<T>(label: string, work: () => Promise<T> | T): Promise<T> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    throwIfCancelled(this.context, this.what);
    const value = await work();
    this.done++;
    this.context.onProgress?.(Math.min(this.done, this.total), this.total, label);
    return value;
  }
}
