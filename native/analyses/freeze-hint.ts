/**
 * Freeze Training hint ([Raghu2017-SVCCA], sec. 4.2): networks converge bottom up, so lower layers can be frozen while
 * the higher ones still train, saving the backward computation of the frozen layers.
 *
 * Schedule from the convergence steps: layer i is frozen at s_i = max(converged_at of layers 0..i) — a layer is
 * frozen only once it AND every layer below it have settled (freezing a layer under a still-training one saves
 * nothing: the gradient must still pass through it). A layer that never settles is never frozen, nor is anything
 * above it. The top layer is never frozen: freezing every layer is stopping early, not Freeze Training.
 *
 * Cost model per training step, with F_i the forward multiply-adds of layer i (layer-costs.ts):
 *   forward = Σ F_i; backward = Σ_i F_i (weight gradients) + Σ_{i≥1} F_i (gradients of each layer's input; the
 *   first layer's input is data and needs none).
 * Freezing removes layer i's weight gradient from s_i on, and layer i's input gradient once every layer below it is
 * frozen (from s_{i−1} on). Savings integrate these over the training steps [0, T], T = the reference step.
 * Without weights, every layer counts as one unit (cost_model 'uniform').
 * The paper's own "linear" regime (layer i of L frozen at i/L of training) is reported beside it for comparison.
 */
import type { LayerCost } from './layer-costs.js';

export interface FreezeEntry {
  readonly layer: string;
  /** When the layer settled (checkpoint step), null if never before the reference. */
  readonly converged_at: number | null;
  /** Step from which it is frozen (never: null). */
  readonly freeze_at: number | null;
  /** Fraction of the training steps it spends frozen. */
  readonly frozen_fraction: number;
}

export interface FreezePlan {
  readonly freeze_at: Array<number | null>;
  /** Fraction of all backward computation saved. */
  readonly backward_saved: number;
  /** Fraction of forward + backward computation saved. */
  readonly training_saved: number;
}

export interface FreezeHint extends FreezePlan {
  readonly total_steps: number;
  readonly cost_model: 'weights' | 'uniform';
  /** Forward multiply-adds per datapoint per layer, as used. */
  readonly layer_flops: Record<string, number>;
  readonly schedule: FreezeEntry[];
  /** [Raghu2017-SVCCA] sec. 4.2's linear regime on the same cost model. */
  readonly linear_schedule: FreezePlan;
}

/**
 * `layers` input to output; `convergedAt[i]` the numeric step layer i settled at (null: never); `totalSteps` the
 * training length T > 0; `costs` per layer or null for the uniform model.
 */
export function freezeHint(layers: readonly string[], convergedAt: ReadonlyArray<number | null>, totalSteps: number, costs: readonly LayerCost[] | null): FreezeHint {
  const L = layers.length;
  const forward = costs ? costs.map((c) => c.forward) : layers.map(() => 1);
  const freezeAt: Array<number | null> = [];
  let running: number | null = 0;
  for (let i = 0; i < L; i++) {
    const at = convergedAt[i] ?? null;
    running = running === null || at === null ? null : Math.max(running, at);
    freezeAt.push(i === L - 1 ? null : running);
  }
  const plan = evaluate(forward, freezeAt, totalSteps);
  const linear = layers.map((_, i) => (i === L - 1 ? null : Math.round(((i + 1) / L) * totalSteps)));
  return {
    total_steps: totalSteps,
    cost_model: costs ? 'weights' : 'uniform',
    layer_flops: Object.fromEntries(layers.map((layer, i) => [layer, forward[i]!])),
    schedule: layers.map((layer, i) => ({
      layer,
      converged_at: convergedAt[i] ?? null,
      freeze_at: freezeAt[i]!,
      frozen_fraction: frozenFraction(freezeAt[i]!, totalSteps),
    })),
    ...plan,
    linear_schedule: evaluate(forward, linear, totalSteps),
  };
}

function frozenFraction(at: number | null, total: number): number {
  return at === null ? 0 : Math.max(0, Math.min(1, (total - at) / total));
}

function evaluate(forward: readonly number[], freezeAt: ReadonlyArray<number | null>, total: number): FreezePlan {
  const L = forward.length;
  let backward = 0;
  let saved = 0;
  for (let i = 0; i < L; i++) {
    const f = forward[i]!;
    backward += f; // weight gradient
    saved += f * frozenFraction(freezeAt[i]!, total);
    if (i >= 1) {
      backward += f; // input gradient, needed while some layer below still trains
      saved += f * frozenFraction(freezeAt[i - 1]!, total);
    }
  }
  const all = backward + forward.reduce((a, b) => a + b, 0);
  return {
    freeze_at: [...freezeAt],
    backward_saved: backward > 0 ? saved / backward : 0,
    training_saved: all > 0 ? saved / all : 0,
  };
}
