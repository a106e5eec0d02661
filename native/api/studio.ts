/**
 * The in-process StudioApi: the services wired together for one open workspace. Serve (over WebSocket) and the
 * Electron main process (over IPC) put a transport in front of it; the CLI calls the same services directly.
 *
 * Jobs: every long call runs under a job id (the caller's, or a fresh one) with its own AbortController, reports
 * progress events under that id, and `cancel(jobId)` aborts it (the call then rejects with CancelledError).
 * The index is opened, brought up to date in the background (progress under the job id `index-open-<n>`), and
 * watched, so runs being written appear while they are written (indexChanged events).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { exampleWorkspace, watchWorkspace, WorkspaceIndex } from '../index/index.js';
import type { IndexProgress, Watcher } from '../index/index.js';
import { disposeKernels } from '../kernels/index.js';
import { compareForStudio } from './studio-compare.js';
import { runMatrix } from '../compute/matrix.js';
import { runCompress } from '../analyses/compression.js';
import { runDynamics } from '../analyses/dynamics.js';
import { runStability } from '../analyses/stability.js';
import { runCorrelate } from '../analyses/correlate.js';
import { runGroups } from '../analyses/groups.js';
import { runGrid } from '../analyses/grid.js';
import { runTimesteps } from '../analyses/timesteps.js';
import type { AnalysisContext } from '../analyses/context.js';
import { runSpectrum } from '../analyses/intrinsic-dim.js';
import { runClassSensitivity } from '../analyses/class-sensitivity.js';
import { runSignificance } from '../analyses/significance.js';
import { layerIdentification } from '../analyses/layer-identification.js';
import { runGroupDynamics } from '../analyses/group-dynamics.js';
import { CancelledError, InputError, UsageError } from '../errors.js';
import type {
  CallOptions,
  CompareRequest,
  CompareResult,
  CompressRequest,
  CompressResult,
  CorrelateRequest,
  CorrelateResult,
  DynamicsRequest,
  DynamicsResult,
  GridRequest,
  GridResult,
  GroupsRequest,
  GroupsResult,
  IndexChangedEvent,
  IndexReport,
  LayerRef,
  MatrixRequest,
  MatrixResult,
  ProgressEvent,
  RunInfo,
  StabilityRequest,
  StabilityResult,
  StudioApi,
  TimestepsRequest,
  TimestepsResult,
  Unsubscribe,
  WorkspaceInfo,
  SpectrumRequest,
  SpectrumResult,
  SensitivityRequest,
  SensitivityResult,
  RunSignificanceRequest,
  RunSignificanceResult,
  IdentifyRequest,
  IdentifyResult,
  GroupDynamicsRequest,
  GroupDynamicsResult,
} from './contract.js';

export interface StudioOptions {
  /** Workspace folder; default the bundled example workspace. */
  root?: string;
  /** Index file of the starting workspace; default the index's own choice (inside the workspace, or a per-user cache). */
  db?: string;
  /** Follow changes on disk (default true). */
  watch?: boolean;
}

export type Studio = StudioApi & {
  /** Resolves when the first index pass of the open workspace has finished. */
  ready(): Promise<void>;
  close(): Promise<void>;
};

/** What a job body gets: the signal to honour and a progress reporter. */
interface JobContext {
  signal: AbortSignal;
  progress(done: number, total: number, label?: string): void;
}

let openCounter = 0;

/** A job's signal and progress as an analysis takes them. */
async function requireFolder(root: string): Promise<string> {
  const full = resolve(root);
  const info = await stat(full).catch(() => null);
  if (!info) throw new InputError(full, 'no such folder');
  if (!info.isDirectory()) throw new InputError(full, 'not a folder');
  return full;
}

export async function createStudio(options: StudioOptions = {}): Promise<Studio> {
  const progressListeners = new Set<(event: ProgressEvent) => void>();
  const changeListeners = new Set<(event: IndexChangedEvent) => void>();
  const jobs = new Map<string, AbortController>();
  let jobCounter = 0;

  const emitProgress = (event: ProgressEvent): void => {
    for (const listener of progressListeners) listener(event);
  };

  /** Runs `body` as a job: registered for cancel, reporting progress under its id, always unregistered. */
  async function job<T>(label: string, options: CallOptions | undefined, body: (context: JobContext) => Promise<T>): Promise<T> {
    const jobId = options?.jobId ?? `job-${++jobCounter}`;
    if (jobs.has(jobId)) throw new UsageError(`job id '${jobId}' is already running`);
    const controller = new AbortController();
    jobs.set(jobId, controller);
    const startedAt = performance.now();
    let last: ProgressEvent | null = null;
    const progress = (done: number, total: number, text?: string): void => {
      const seconds = (performance.now() - startedAt) / 1000;
      last = { jobId, label: text ?? label, done, total, rate: seconds > 0 ? done / seconds : 0 };
      emitProgress(last);
    };
    try {
      const result = await body({ signal: controller.signal, progress });
      if (controller.signal.aborted) throw new CancelledError(label);
      return result;
    } catch (err) {
      if (controller.signal.aborted && !(err instanceof CancelledError)) throw new CancelledError(label);
      throw err;
    } finally {
      jobs.delete(jobId);
      // Every job ends with done === total > 0, so a listener that did not start it (another window, the job bar)
      // knows it is over even when there was nothing to count.
      const end = last as ProgressEvent | null;
      if (!end || end.total <= 0 || end.done < end.total) progress(Math.max(1, end?.total ?? 1), Math.max(1, end?.total ?? 1), end?.label ?? label);
    }
  }

  const indexProgress =
    (context: JobContext) =>
    (p: IndexProgress): void =>
      context.progress(p.done, p.total, p.phase === 'scan' ? 'Scanning workspace' : 'Reading array headers');

  interface Open {
    index: WorkspaceIndex;
    watcher: Watcher | null;
    offChange: Unsubscribe;
    ready: Promise<void>;
  }

  /** `db` names the index file of the workspace given at start only; a workspace opened later uses its own default. */
  function open(root: string, db?: string): Open {
    const index = WorkspaceIndex.open(root, db !== undefined ? { db } : {});
    const offChange = index.onChange((change) => {
      const event: IndexChangedEvent = { root: change.root, report: change.report };
      for (const listener of changeListeners) listener(event);
    });
    const state: Open = { index, watcher: null, offChange, ready: Promise.resolve() };
    state.ready = job('Indexing workspace', { jobId: `index-open-${++openCounter}` }, async (context) => {
      await index.index({ signal: context.signal, onProgress: indexProgress(context) });
    }).then(() => {
      if (options.watch !== false && current === state) state.watcher = watchWorkspace(index, { onError: () => undefined });
    });
    return state;
  }

  async function shut(state: Open): Promise<void> {
    state.offChange();
    await state.ready.catch(() => undefined);
    await state.watcher?.close();
    state.index.close();
  }

  let current: Open = open(await requireFolder(options.root ?? exampleWorkspace()), options.db);

  const info = (): WorkspaceInfo => ({ root: current.index.root, db: current.index.dbPath, ...current.index.report() });
  const ready = (): Promise<void> => current.ready.catch((err: unknown) => {
    // A cancelled first pass leaves a partial index, still usable; anything else is the user's to see.
    if (!(err instanceof CancelledError)) throw err;
  });

  /** An analysis over the open workspace as a job (progress and cancel wired). */
  async function analysis<T>(label: string, callOptions: CallOptions | undefined, body: (index: WorkspaceIndex, context: AnalysisContext) => Promise<T>): Promise<T> {
    // The job is registered before the first index pass is awaited, so a cancel sent meanwhile is not lost.
    return job(label, callOptions, async (context) => {
      await ready();
      if (context.signal.aborted) throw new CancelledError(label);
      return body(current.index, { signal: context.signal, onProgress: (done, total, text) => context.progress(done, total, text) });
    });
  }

  const studio: Studio = {
    ready,
    async workspace() {
      return info();
    },
    async openWorkspace(root) {
      const folder = await requireFolder(root);
      const previous = current;
      for (const controller of jobs.values()) controller.abort();
      current = open(folder);
      await shut(previous);
      await ready();
      return info();
    },
    async reindex(callOptions) {
      await ready();
      const index = current.index;
      return job('Indexing workspace', callOptions, async (context): Promise<IndexReport> => {
        const { changes: _changes, ...report } = await index.index({ signal: context.signal, onProgress: indexProgress(context) });
        return report;
      });
    },
    async runs(): Promise<RunInfo[]> {
      await ready();
      return current.index.listRuns();
    },
    async resolveLayer(ref: LayerRef) {
      await ready();
      return current.index.resolveLayer(ref.run, ref.step ?? 'last', ref.layer).spec;
    },
    async compare(request: CompareRequest, callOptions?: CallOptions): Promise<CompareResult> {
      return job('Comparing two layers', callOptions, (context) => compareForStudio(request, context));
    },
    async matrix(request: MatrixRequest, callOptions?: CallOptions): Promise<MatrixResult> {
      return analysis('All-pairs matrix', callOptions, (index, context) => runMatrix(index, request, context));
    },
    async dynamics(request: DynamicsRequest, callOptions?: CallOptions): Promise<DynamicsResult> {
      return analysis('Learning dynamics', callOptions, (index, context) => runDynamics(index, request, context));
    },
    async compress(request: CompressRequest, callOptions?: CallOptions): Promise<CompressResult> {
      return analysis('Compression preview', callOptions, (index, context) => runCompress(index, request, context));
    },
    async stability(request: StabilityRequest, callOptions?: CallOptions): Promise<StabilityResult> {
      return analysis('Stable and unstable directions', callOptions, (index, context) => runStability(index, request, context));
    },
    async correlate(request: CorrelateRequest, callOptions?: CallOptions): Promise<CorrelateResult> {
      return analysis('Similarity against a metric', callOptions, (index, context) => runCorrelate(index, request, context));
    },
    async groups(request: GroupsRequest, callOptions?: CallOptions): Promise<GroupsResult> {
      return analysis('Within- and between-group distances', callOptions, (index, context) => runGroups(index, request, context));
    },
    async grid(request: GridRequest, callOptions?: CallOptions): Promise<GridResult> {
      return analysis('Layers × layers grid', callOptions, (index, context) => runGrid(index, request, context));
    },
    async timesteps(request: TimestepsRequest, callOptions?: CallOptions): Promise<TimestepsResult> {
      return analysis('Similarity across sequence timesteps', callOptions, (index, context) => runTimesteps(index, request, context));
    },
    async spectrum(request: SpectrumRequest, callOptions?: CallOptions): Promise<SpectrumResult> {
      return analysis('Spectra', callOptions, (index, context) => runSpectrum(index, request, context));
    },
    async classSensitivity(request: SensitivityRequest, callOptions?: CallOptions): Promise<SensitivityResult> {
      return analysis('Class sensitivity', callOptions, (index, context) => runClassSensitivity(index, request, context));
    },
    async significance(request: RunSignificanceRequest, callOptions?: CallOptions): Promise<RunSignificanceResult> {
      return analysis('Significance', callOptions, (index, context) => runSignificance(index, { ...request, method: request.method ?? 'svcca' }, context));
    },
    async identify(request: IdentifyRequest = {}, callOptions?: CallOptions): Promise<IdentifyResult> {
      return analysis('Layer identification', callOptions, (index, context) => layerIdentification(index, request, context));
    },
    async groupDynamics(request: GroupDynamicsRequest, callOptions?: CallOptions): Promise<GroupDynamicsResult> {
      return analysis('Group dynamics', callOptions, (index, context) => runGroupDynamics(index, request, context));
    },
    async cancel(jobId) {
      // Cancelling a job that already ended is not an error: the race is inherent to a remote cancel.
      jobs.get(jobId)?.abort();
    },
    onProgress(listener) {
      progressListeners.add(listener);
      return () => progressListeners.delete(listener);
    },
    onIndexChanged(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
    async close() {
      for (const controller of jobs.values()) controller.abort();
      await shut(current);
      // Kernel worker threads would keep the process alive.
      await disposeKernels();
      progressListeners.clear();
      changeListeners.clear();
    },
  };
  return studio;
}
