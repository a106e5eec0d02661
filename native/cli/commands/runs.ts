import type { IndexError, RunInfo } from '../../api/contract.js';
import { defineCommand } from '../command.js';
import { openIndexFromArgs, progressTo } from './index-cmd.js';

const USAGE = 'svcca-studio runs [WORKSPACE] [--db FILE] [--json]';

/** `runs --json`: the workspace, every run (see docs/index.md for the fields), and what could not be indexed. */
export interface RunsOutput {
  workspace: string;
  runs: RunInfo[];
  errors: IndexError[];
}

export const runsCommand = defineCommand({
  name: 'runs',
  usage: USAGE,
  summary: 'list the runs of a workspace: group, seed, lr, labels, layers, checkpoint steps, metrics (brings the index up to date first)',
  options: {
    db: { type: 'string', description: 'index file (default WORKSPACE/.svcca-studio/index.sqlite)' },
  },
  async run({ positionals, options }, io) {
    const index = openIndexFromArgs(positionals, options.db, io, USAGE);
    try {
      const report = await index.index({ onProgress: progressTo(io) });
      const output: RunsOutput = { workspace: index.root, runs: index.listRuns(), errors: report.errors };
      io.result(output, () => runsTable(output));
      return 0;
    } finally {
      index.close();
    }
  },
});

function runsTable(output: RunsOutput): string {
  const { runs } = output;
  const metricNames = [...new Set(runs.flatMap((r) => r.metrics.flatMap((m) => Object.keys(m)).filter((k) => k !== 'step')))];
  const header = ['name', 'group', 'seed', 'lr', 'labels', 'checkpoints', 'layers', ...metricNames.map((m) => `${m} (last)`)];
  const rows = runs.map((r) => {
    const last = r.metrics[r.metrics.length - 1];
    return [
      r.name,
      r.group ?? '',
      r.seed === undefined ? '' : String(r.seed),
      r.lr === undefined ? '' : String(r.lr),
      r.labels ?? '',
      stepsText(r.steps),
      r.layers.join(' '),
      ...metricNames.map((m) => (last?.[m] === undefined ? '' : String(last[m]))),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const lines = [`${runs.length} run${runs.length === 1 ? '' : 's'} in ${output.workspace}`, '', line(header), ...rows.map(line)];
  if (output.errors.length > 0) {
    lines.push('', `${output.errors.length} problem${output.errors.length === 1 ? '' : 's'} (not indexed):`);
    for (const e of output.errors) lines.push(`  ${e.path}: ${e.error}`);
  }
  return lines.join('\n');
}

function stepsText(steps: Array<number | 'final'>): string {
  if (steps.length === 0) return '0';
  if (steps.length === 1) return `1 (${steps[0]})`;
  return `${steps.length} (${steps[0]} … ${steps[steps.length - 1]})`;
}
