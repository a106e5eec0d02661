/**
 * Option parsing shared by the analysis commands (dynamics, compress, sensitivity, spectrum, significance, freeze,
 * identify): step references, the workspace index opened and brought up to date, and a progress reporter.
 */
import type { StepRef } from '../../api/contract.js';
import { UsageError } from '../../errors.js';
import type { WorkspaceIndex } from '../../index/index.js';
import type { AnalysisContext } from '../../analyses/context.js';
import { disposeKernels } from '../../kernels/index.js';
import type { CommandIO } from '../command.js';
import { openIndexFromArgs, progressTo } from './index-cmd.js';

/** `final`, `last` or a step number. */
export function parseStepRef(text: string | undefined, option: string): StepRef | undefined {
  if (text === undefined) return undefined;
  if (text === 'final' || text === 'last') return text;
  if (/^\d+$/.test(text)) return Number(text);
  throw new UsageError(`--${option} must be final, last or a step number, got '${text}'`);
}

export function requireOption<T>(value: T | undefined, option: string, usage: string): T {
  if (value === undefined) throw new UsageError(`missing --${option}; usage: ${usage}`);
  return value;
}

/** Opens WORKSPACE's index, brings it up to date, and runs `body`; the index is closed afterwards. */
export async function withIndex<T>(positionals: readonly string[], db: string | undefined, io: CommandIO, usage: string, body: (index: WorkspaceIndex) => Promise<T>): Promise<T> {
  const index = openIndexFromArgs(positionals, db, io, usage);
  try {
    await index.index({ onProgress: progressTo(io) });
    return await body(index);
  } finally {
    index.close();
  }
}

/**
 * Progress of an analysis on the terminal; SIGINT cancels it. `dispose()` ends both and shuts the kernel workers
 * down, so the process can exit.
 */
export function analysisContext(io: CommandIO): AnalysisContext & { dispose(): Promise<void> } {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  return {
    signal: controller.signal,
    onProgress: (done, total, label) => io.progress(done, total, label.length > 40 ? `${label.slice(0, 39)}…` : label.padEnd(40)),
    dispose: async () => {
      process.off('SIGINT', onSignal);
      await disposeKernels();
    },
  };
}

/**
 * An analysis command's body between its option parsing and its output: the progress context (SIGINT cancels) and
 * the workspace index, both released afterwards; exit code 0.
 */
export async function runAnalysis(
  positionals: readonly string[],
  db: string | undefined,
  io: CommandIO,
  usage: string,
  body: (index: WorkspaceIndex, context: AnalysisContext) => Promise<void>,
): Promise<number> {
  const context = analysisContext(io);
  try {
    await withIndex(positionals, db, io, usage, (index) => body(index, context));
    return 0;
  } finally {
    await context.dispose();
  }
}

export function fixed(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined ? '—' : value.toFixed(digits);
}

/** Left-aligned text table. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
