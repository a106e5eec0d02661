/**
 * A StudioApi whose answers are plain data, for testing the transports (dispatcher, client, server) on their own:
 * what crosses the wire, not what the services compute. The real services are tested in their own areas and
 * end to end through serve in test/e2e.
 */
import type { CompareRequest, IndexChangedEvent, ProgressEvent, StudioApi, WorkspaceInfo } from '../../../native/api/contract.js';
import { CancelledError, InputError } from '../../../native/errors.js';

export interface RecordingApi extends StudioApi {
  calls: Array<{ method: string; args: unknown[] }>;
  emitProgress(event: ProgressEvent): void;
  emitIndexChanged(event: IndexChangedEvent): void;
}

export function recordingApi(): RecordingApi {
  const calls: RecordingApi['calls'] = [];
  const progress = new Set<(e: ProgressEvent) => void>();
  const changed = new Set<(e: IndexChangedEvent) => void>();
  const running = new Map<string, () => void>();
  const workspace: WorkspaceInfo = { root: '/ws', db: '/ws/.svcca-studio/index.db', runs: 2, checkpoints: 3, arrays: 12, errors: [] };
  const unavailable = (): Promise<never> => Promise.reject(new InputError(undefined, 'not used in transport tests'));
  return {
    calls,
    emitProgress: (e) => progress.forEach((l) => l(e)),
    emitIndexChanged: (e) => changed.forEach((l) => l(e)),
    async workspace() {
      calls.push({ method: 'workspace', args: [] });
      return workspace;
    },
    async openWorkspace(root) {
      calls.push({ method: 'openWorkspace', args: [root] });
      throw new InputError(root, 'no such folder');
    },
    async reindex(options) {
      calls.push({ method: 'reindex', args: [options] });
      // Waits until cancelled: a stand-in for a long job.
      return new Promise((_, reject) => running.set(options?.jobId ?? '', () => reject(new CancelledError('indexing'))));
    },
    async runs() {
      calls.push({ method: 'runs', args: [] });
      return [];
    },
    async resolveLayer(ref) {
      calls.push({ method: 'resolveLayer', args: [ref] });
      return `/ws/${ref.run}/step-1/${ref.layer}.npy`;
    },
    async compare(request: CompareRequest, options) {
      calls.push({ method: 'compare', args: [request, options] });
      return { method: request.method, similarity: 0.5, coefficients: [0.75, 0.25], dims: [2, 2], datapoints: 10, neurons: [3, 4], dropped: [0, 0], backend: 'cpu' };
    },
    matrix: unavailable,
    dynamics: unavailable,
    compress: unavailable,
    stability: unavailable,
    correlate: unavailable,
    groups: unavailable,
    grid: unavailable,
    timesteps: unavailable,
    spectrum: unavailable,
    classSensitivity: unavailable,
    significance: unavailable,
    identify: unavailable,
    groupDynamics: unavailable,
    async cancel(jobId) {
      calls.push({ method: 'cancel', args: [jobId] });
      running.get(jobId)?.();
    },
    onProgress(listener) {
      progress.add(listener);
      return () => progress.delete(listener);
    },
    onIndexChanged(listener) {
      changed.add(listener);
      return () => changed.delete(listener);
    },
  };
}
