/**
 * Progress of a long index operation, as the caller sees it: which phase, how far, how fast. The command line draws
 * a bar from it; the app forwards it as events. Reports are throttled so a fast loop does not flood the caller.
 */
export type IndexPhase = 'scan' | 'read';

export interface IndexProgress {
  /** `scan`: folders listed (total grows as folders are found); `read`: files whose headers were read. */
  readonly phase: IndexPhase;
  readonly done: number;
  readonly total: number;
  /** Units per second since the phase began. */
  readonly rate: number;
  readonly elapsedMs: number;
}

export type ProgressListener = (progress: IndexProgress) => void;

/** Time between two reports of one phase (the last report of a phase is always sent). */
const REPORT_INTERVAL_MS = 100;

export class ProgressMeter {
  private readonly startedAt = performance.now();
  private lastReport = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly phase: IndexPhase,
    private readonly listener: ProgressListener | undefined,
  ) {}

  update(done: number, total: number): void {
    if (!this.listener) return;
    const now = performance.now();
    if (done < total && now - this.lastReport < REPORT_INTERVAL_MS) return;
    this.lastReport = now;
    const elapsedMs = now - this.startedAt;
    this.listener({ phase: this.phase, done, total, rate: elapsedMs > 0 ? (done * 1000) / elapsedMs : 0, elapsedMs });
  }
}
