/**
 * The workspace index: training-run folders into SQLite, incremental, watched, with progress. See docs/index.md.
 */
export { WorkspaceIndex, hasChanges, indexWorkspace } from './store.js';
export type { CheckpointInfo, IndexChange, IndexCounts, IndexedArray, IndexPassOptions, IndexResult, OpenOptions, PassSummary } from './store.js';
export type { CachedBasis, IndexCaches } from './caches.js';
export { watchWorkspace, type Watcher, type WatchOptions } from './watch.js';
export type { IndexPhase, IndexProgress, ProgressListener } from './progress.js';
export { exampleWorkspace } from './example.js';
export { SCHEMA_VERSION } from './schema.js';
