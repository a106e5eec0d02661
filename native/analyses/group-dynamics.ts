/**
 * Learning dynamics across the runs of a group (run.json "group"): each run with at least two checkpoints is analysed
 * on its own (dynamics.ts, each against its own final checkpoint), then the per-layer timelines and tensors are
 * averaged over the checkpoints every such run has. `converged_at` applies the convergence rule to the mean
 * timeline; `converged_at_by_run` keeps each run's own.
 */
import type { DynamicsRequest } from '../domain/index.js';
import { InputError } from '../errors.js';
import type { WorkspaceIndex } from '../index/index.js';
import type { AnalysisContext } from './context.js';
import { checkThreshold, convergenceIndex, DEFAULT_CONVERGENCE_THRESHOLD } from './convergence.js';
import { DEFAULT_DYNAMICS_METHOD, runDynamics, type RunDynamicsResult } from './dynamics.js';
import type { Step } from './run-layers.js';

export interface GroupDynamicsRequest extends Omit<DynamicsRequest, 'run' | 'reference'> {
  group: string;
}

export interface GroupDynamicsResult {
  group: string;
  runs: string[];
  layers: string[];
  /** Checkpoints every run of the group has, the last being each run's reference. */
  steps: Step[];
  method: string;
  threshold: number;
  to_final: Record<string, number[]>;
  /** Standard deviation over runs (0 for a single run). */
  to_final_sd: Record<string, number[]>;
  tensor: number[][][];
  converged_at: Record<string, Step | null>;
  converged_at_by_run: Record<string, Record<string, Step | null>>;
}

export async function runGroupDynamics(store: WorkspaceIndex, request: GroupDynamicsRequest, context: AnalysisContext = {}): Promise<GroupDynamicsResult> {
  const threshold = checkThreshold(request.threshold ?? DEFAULT_CONVERGENCE_THRESHOLD);
  const all = store.listRuns();
  const members = all.filter((r) => r.group === request.group);
  if (members.length === 0) {
    const groups = [...new Set(all.map((r) => r.group).filter((g): g is string => g !== undefined))];
    throw new InputError(store.root, `no run has group "${request.group}" (groups: ${groups.join(', ') || 'none'})`);
  }
  const dynamic = members.filter((r) => r.steps.length >= 2);
  if (dynamic.length === 0) throw new InputError(store.root, `no run of group "${request.group}" has more than one checkpoint; dynamics need several`);

  const results: RunDynamicsResult[] = [];
  for (const [i, info] of dynamic.entries()) {
    const perRun: AnalysisContext = {
      signal: context.signal,
      onProgress: (done, total, label) => context.onProgress?.(i * total + done, dynamic.length * total, `${info.name} ${label}`),
    };
    const { group: _group, ...rest } = request;
    results.push(await runDynamics(store, { ...rest, run: info.name, classSensitivity: false }, perRun));
  }
  const layers = results[0]!.layers;
  for (const r of results) {
    if (r.layers.join('\u0000') !== layers.join('\u0000')) {
      throw new InputError(store.root, `runs of group "${request.group}" have different layers (${results[0]!.run}: ${layers.join(', ')}; ${r.run}: ${r.layers.join(', ')})`);
    }
  }
  // Checkpoints shared by all runs; each run's reference (its last) stands as 'the end of training'.
  const shared = results[0]!.steps.slice(0, -1).filter((s) => results.every((r) => r.steps.slice(0, -1).includes(s)));
  const steps: Step[] = [...shared, results[0]!.reference];
  const pick = (r: RunDynamicsResult, s: Step, index: number): number => (index === steps.length - 1 ? r.steps.length - 1 : r.steps.indexOf(s));

  const toFinal: Record<string, number[]> = {};
  const toFinalSd: Record<string, number[]> = {};
  const convergedAt: Record<string, Step | null> = {};
  layers.forEach((layer) => {
    const columns = steps.map((s, k) => results.map((r) => r.to_final[layer]![pick(r, s, k)]!));
    toFinal[layer] = columns.map(meanOf);
    toFinalSd[layer] = columns.map(sdOf);
    const at = convergenceIndex(toFinal[layer]!, steps.length - 1, threshold);
    convergedAt[layer] = at === -1 ? null : steps[at]!;
  });
  const tensor = steps.map((s, k) => layers.map((_, i) => layers.map((_, j) => meanOf(results.map((r) => r.tensor[pick(r, s, k)]![i]![j]!)))));
  return {
    group: request.group,
    runs: results.map((r) => r.run),
    layers,
    steps,
    method: request.method ?? DEFAULT_DYNAMICS_METHOD,
    threshold,
    to_final: toFinal,
    to_final_sd: toFinalSd,
    tensor,
    converged_at: convergedAt,
    converged_at_by_run: Object.fromEntries(results.map((r) => [r.run, r.converged_at])),
  };
}

function meanOf(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function sdOf(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = meanOf(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}
