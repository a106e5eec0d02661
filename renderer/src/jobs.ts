/**
 * Long calls as jobs: each gets a caller-chosen id, shows its progress from the API's events in the job bar, and
 * can be cancelled. A cancelled job's promise rejects with the server's CancelledError, which callers ignore.
 */
import type { ProgressEvent } from '../../native/api/contract.js';
import { isCancelledError } from '../../native/api/client.js';
import { api, newJobId } from './api.js';
import { reactive } from 'vue';
import { errorText, showError, state } from './store.js';

/** What a view shows about its own last job: computing, failed (with the reason), or cancelled. */
export interface JobOutcome {
  busy: boolean;
  error: string | null;
  cancelled: boolean;
}

export function jobOutcome(): JobOutcome {
  return reactive({ busy: false, error: null, cancelled: false });
}

const external = new Set<string>();
/**
 * Jobs this page started that have ended. A progress event can arrive after its call settled (the server's events
 * and its reply travel apart, and a cancel races both); such a late event must not bring the job back as "external".
 */
const ended = new Set<string>();

export function onProgress(event: ProgressEvent): void {
  let job = state.jobs.find((j) => j.id === event.jobId);
  if (!job) {
    if (ended.has(event.jobId)) return;
    // A job this page did not start (the watcher re-indexing, another window): show it while it runs.
    if (event.total > 0 && event.done >= event.total) return;
    state.jobs.push({ id: event.jobId, label: event.label, done: 0, total: 0, rate: 0, startedAt: Date.now(), cancelling: false });
    job = state.jobs[state.jobs.length - 1]!;
    external.add(event.jobId);
  }
  job.label = event.label || job.label;
  job.done = event.done;
  job.total = event.total;
  job.rate = event.rate;
  if (external.has(event.jobId) && event.total > 0 && event.done >= event.total) {
    external.delete(event.jobId);
    state.jobs.splice(state.jobs.indexOf(job), 1);
  }
}

/** `outcome`: the view's own status, told of the start, a failure (then shown there, not in the error bar) and a cancel. */
export async function runJob<T>(label: string, call: (jobId: string) => Promise<T>, outcome?: JobOutcome): Promise<T | undefined> {
  const id = newJobId(label.split(' ')[0]!.toLowerCase());
  state.jobs.push({ id, label, done: 0, total: 0, rate: 0, startedAt: Date.now(), cancelling: false });
  if (outcome) Object.assign(outcome, { busy: true, error: null, cancelled: false });
  try {
    return await call(id);
  } catch (err) {
    if (isCancelled(err)) {
      if (outcome) outcome.cancelled = true;
      return undefined;
    }
    if (outcome) outcome.error = errorText(err);
    else showError(err);
    return undefined;
  } finally {
    if (outcome) outcome.busy = false;
    ended.add(id);
    const at = state.jobs.findIndex((j) => j.id === id);
    if (at >= 0) state.jobs.splice(at, 1);
  }
}

export const isCancelled = isCancelledError;

export async function cancelJob(id: string): Promise<void> {
  const job = state.jobs.find((j) => j.id === id);
  if (job) job.cancelling = true;
  try {
    await api.cancel(id);
  } catch (err) {
    showError(err);
  }
}

/** Drops the jobs other callers started: after a drop their events stop, so they would stay in the bar forever. */
export function clearExternalJobs(): void {
  for (const id of external) {
    const at = state.jobs.findIndex((j) => j.id === id);
    if (at >= 0) state.jobs.splice(at, 1);
  }
  external.clear();
}
