import type { IndexReport } from '../../api/contract.js';
import { UsageError } from '../../errors.js';
import { exampleWorkspace, hasChanges, watchWorkspace, WorkspaceIndex, type IndexProgress, type IndexResult } from '../../index/index.js';
import { defineCommand, type CommandIO } from '../command.js';

const USAGE = 'svcca-studio index [WORKSPACE] [--db FILE] [--watch] [--json]';

export const indexCommand = defineCommand({
  name: 'index',
  usage: USAGE,
  summary:
    'index the training runs of a workspace (headers only; a second run reads only what changed). --watch follows a live job. Without WORKSPACE: the bundled example.',
  options: {
    db: { type: 'string', description: 'index file (default WORKSPACE/.svcca-studio/index.sqlite)' },
    watch: { type: 'boolean', description: 'keep indexing as files change (one result per change; JSON lines under --json)' },
  },
  async run({ positionals, options }, io) {
    const index = openIndexFromArgs(positionals, options.db, io, USAGE);
    const interrupted = new AbortController();
    const onSignal = (): void => interrupted.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      if (!options.watch) {
        const result = await index.index({ onProgress: progressTo(io), signal: interrupted.signal });
        io.result(contractReport(result), () => describeResult(index, result));
        return 0;
      }
      // Watching starts before the first pass, so nothing written in between is missed.
      let first = true;
      const showProgress = progressTo(io);
      const watcher = watchWorkspace(index, {
        initialPass: true,
        signal: interrupted.signal,
        // A bar for the first, full pass; later passes are small and their output is the change itself.
        onProgress: (p) => {
          if (first) showProgress(p);
        },
        onResult: (result) => {
          if (first) {
            first = false;
            io.result(contractReport(result), () => describeResult(index, result));
            io.info(`watching ${index.root} for changes (Ctrl-C to stop)`);
          } else if (hasChanges(result.changes)) {
            io.result(contractReport(result), () => `${new Date().toLocaleTimeString()} ${describeChange(result)}`);
          }
        },
        onError: (err) => io.info(`index pass failed: ${err instanceof Error ? err.message : String(err)}`),
      });
      await new Promise<void>((resolve) => interrupted.signal.addEventListener('abort', () => resolve(), { once: true }));
      await watcher.close();
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      index.close();
    }
  },
});

/**
 * The workspace of a command line (the bundled example when none is given) with its index opened; says on stderr
 * when the index had to go to the per-user cache. Shared by `index` and `runs`.
 */
export function openIndexFromArgs(positionals: readonly string[], db: string | undefined, io: CommandIO, usage: string): WorkspaceIndex {
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'; usage: ${usage}`);
  let workspace = positionals[0];
  if (workspace === undefined) {
    workspace = exampleWorkspace();
    io.info(`no workspace given: using the bundled example ${workspace}`);
  }
  const index = WorkspaceIndex.open(workspace, db === undefined ? {} : { db });
  if (index.note) io.info(`note: ${index.note}`);
  return index;
}

export function progressTo(io: CommandIO): (p: IndexProgress) => void {
  return (p) => io.progress(p.done, p.total, p.phase === 'scan' ? 'scanning folders' : 'reading headers ');
}

/** Exactly the contract's `index --json` object. */
export function contractReport(result: IndexReport): IndexReport {
  return { runs: result.runs, checkpoints: result.checkpoints, arrays: result.arrays, errors: result.errors };
}

function describeResult(index: WorkspaceIndex, result: IndexResult): string {
  const c = result.changes;
  const lines = [
    `${index.root}: ${plural(result.runs, 'run')}, ${plural(result.checkpoints, 'checkpoint')}, ${plural(result.arrays, 'layer array')}`,
    `  ${(c.elapsedMs / 1000).toFixed(2)} s: ${plural(c.filesRead, 'file')} read, ${c.filesRemoved + c.runsRemoved.length} removed` +
      `${c.filesTouched > 0 ? `, ${c.filesTouched} touched (same content)` : ''}; index ${index.dbPath}`,
  ];
  if (result.errors.length > 0) {
    lines.push(`${plural(result.errors.length, 'problem')} (not indexed):`);
    for (const e of result.errors) lines.push(`  ${e.path}: ${e.error}`);
  }
  return lines.join('\n');
}

function describeChange(result: IndexResult): string {
  const c = result.changes;
  const what = [
    c.runsWritten.length > 0 ? `updated ${c.runsWritten.join(', ') || '.'}` : '',
    c.runsRemoved.length > 0 ? `removed ${c.runsRemoved.join(', ')}` : '',
    c.workspaceFilesChanged ? 'probe labels changed' : '',
  ].filter(Boolean);
  const errors = result.errors.length > 0 ? `; ${plural(result.errors.length, 'problem')}: ${result.errors.map((e) => `${e.path}: ${e.error}`).join('; ')}` : '';
  return `${what.join('; ')} → ${plural(result.runs, 'run')}, ${plural(result.checkpoints, 'checkpoint')}, ${plural(result.arrays, 'layer array')}${errors}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
