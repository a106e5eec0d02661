/**
 * One run's checkpoints and layer arrays as the analyses read them: resolved through the workspace index, loaded
 * once per (checkpoint, layer) and kept for the length of one analysis.
 */
import type { RunInfo, StepRef } from '../domain/index.js';
import { InputError } from '../errors.js';
import type { WorkspaceIndex } from '../index/index.js';
import { loadLayer, type LayerData, type LayerOptions } from '../layers/index.js';

export type Step = number | 'final';

export class RunLayers {
  readonly info: RunInfo;
  /** Checkpoints in training order (`final` last). */
  readonly steps: Step[];
  private readonly cache = new Map<string, Promise<LayerData>>();

  constructor(
    readonly index: WorkspaceIndex,
    run: string,
    private readonly options: LayerOptions = {},
  ) {
    // checkpoints() throws the index's own error (naming the runs there are) for an unknown run.
    this.steps = index.checkpoints(run).map((c) => c.step);
    this.info = index.getRun(run)!;
    if (this.steps.length === 0) throw new InputError(index.root, `run "${run}" has no checkpoint folders (step-<digits> or final)`);
  }

  get name(): string {
    return this.info.name;
  }

  /** A step reference (number, 'final' or 'last') as one of this run's checkpoints. */
  resolveStep(ref: StepRef | undefined): Step {
    if (ref === undefined || ref === 'last' || ref === 'final') return this.steps[this.steps.length - 1]!;
    if (this.steps.includes(ref)) return ref;
    throw new InputError(this.index.root, `run "${this.name}" has no checkpoint for step ${ref} (steps: ${this.steps.join(', ')})`);
  }

  /** The layer arrays of one checkpoint, in the run's layer order (input to output). */
  layerNames(step: Step): string[] {
    return this.index.layers(this.name, step).map((a) => a.name);
  }

  load(step: Step, layer: string): Promise<LayerData> {
    const key = `${step}\u0000${layer}`;
    let found = this.cache.get(key);
    if (!found) {
      found = loadLayer(this.index.resolveLayer(this.name, step, layer).spec, this.options);
      this.cache.set(key, found);
      found.catch(() => this.cache.delete(key));
    }
    return found;
  }

  /** The probe accuracy run.json records for a checkpoint, if any. */
  recordedAccuracy(step: Step): number | undefined {
    if (step === 'final') return this.info.metrics[this.info.metrics.length - 1]?.probe_acc;
    return this.info.metrics.find((m) => m.step === step)?.probe_acc;
  }
}

/** Numeric position of a step on the training axis: `final` counts as the largest step the run records. */
export function stepValue(step: Step, info: RunInfo): number | null {
  if (step !== 'final') return step;
  const numeric = [...info.steps.filter((s): s is number => typeof s === 'number'), ...info.metrics.map((m) => m.step)];
  return numeric.length > 0 ? Math.max(...numeric) : null;
}
