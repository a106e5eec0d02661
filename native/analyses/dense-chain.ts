/**
 * The dense layers after a compressed layer, rebuilt from the checkpoint's saved parameters (PyTorch state-dict
 * names: `<layer>.weight` (out, in), `<layer>.bias` (out)) so the compression preview can run the rest of the
 * network on projected activations.
 *
 * Each stage's nonlinearity is not in the weights, so it is read off the saved activations: the stage is applied
 * to its saved input and must reproduce its saved output either as is (identity) or after max(·, 0) (ReLU), to
 * within STAGE_TOLERANCE of the output's scale. Anything else is reported rather than guessed.
 */
import { InputError } from '../errors.js';
import { openArray } from '../formats/index.js';
import type { IndexedArray } from '../index/index.js';
import { matrix, type Matrix } from '../linalg/matrix.js';
import { matmulNT } from '../linalg/util.js';

export type Activation = 'identity' | 'relu';

/**
 * Relative agreement a rebuilt stage must reach with the saved activations. Saved values are usually float32
 * (relative rounding 6e-8) and the sums behind them have tens to thousands of terms; 1e-3 of the output's largest
 * magnitude separates "same function" from "different function" by orders of magnitude either way.
 */
export const STAGE_TOLERANCE = 1e-3;

export interface DenseStage {
  readonly name: string;
  /** out × in. */
  readonly weight: Matrix;
  readonly bias: Float64Array | null;
  readonly activation: Activation;
  /** Largest |rebuilt − saved| relative to the saved output's scale (null when nothing was saved to check). */
  readonly mismatch: number | null;
}

/** x·Wᵀ + b (rows = datapoints). */
export function affine(x: Matrix, stage: Pick<DenseStage, 'weight' | 'bias'>): Matrix {
  const out = matmulNT(x, stage.weight);
  const b = stage.bias;
  if (b) {
    const cols = out.cols;
    for (let r = 0; r < out.rows; r++) for (let j = 0; j < cols; j++) out.data[r * cols + j]! += b[j]!;
  }
  return out;
}

export function activate(x: Matrix, activation: Activation): Matrix {
  if (activation === 'identity') return x;
  const out = matrix(x.rows, x.cols, Float64Array.from(x.data));
  for (let i = 0; i < out.data.length; i++) if (out.data[i]! < 0) out.data[i] = 0;
  return out;
}

/** Runs the chain on the first stage's pre-activation output `z0` (what the projection changes). */
export function finishChain(z0: Matrix, stages: readonly DenseStage[]): Matrix {
  let x = activate(z0, stages[0]!.activation);
  for (let s = 1; s < stages.length; s++) x = activate(affine(x, stages[s]!), stages[s]!.activation);
  return x;
}

/** Index of the largest value of each row (the first on ties). */
export function argmaxRows(x: Matrix): Int32Array {
  const out = new Int32Array(x.rows);
  for (let r = 0; r < x.rows; r++) {
    let best = 0;
    const o = r * x.cols;
    for (let j = 1; j < x.cols; j++) if (x.data[o + j]! > x.data[o + best]!) best = j;
    out[r] = best;
  }
  return out;
}

export interface StageSource {
  readonly name: string;
  /** Saved output of this stage (post-activation), when the stage is a layer of the run. */
  readonly saved: Matrix | null;
  /** How errors name the saved output (its file or `file:array`). */
  readonly ref?: string;
}

/**
 * Builds the stages from the checkpoint's parameter arrays. `input` is the saved input of the first stage (the
 * compressed layer, flattened); each later stage is checked against its own saved input (the previous stage's
 * saved output), so float32 rounding does not accumulate along the chain.
 */
export async function buildDenseChain(input: Matrix, sources: readonly StageSource[], parameters: readonly IndexedArray[], where: string): Promise<DenseStage[]> {
  const byName = new Map(parameters.map((p) => [p.name, p]));
  const stages: DenseStage[] = [];
  let x = input;
  for (const source of sources) {
    const weightArray = byName.get(`${source.name}.weight`);
    if (!weightArray) {
      const have = parameters.filter((p) => p.name.endsWith('.weight')).map((p) => p.name).join(', ') || 'none';
      throw new InputError(where, `no parameter "${source.name}.weight" in this checkpoint's weights (weights: ${have}); the compression preview needs the next layer's weights`);
    }
    if (weightArray.shape.length !== 2) {
      throw new InputError(weightArray.spec, `has shape (${weightArray.shape.join(', ')}): "${source.name}" is not a dense layer; the compression preview needs dense (out, in) layers after the compressed one`);
    }
    const [out, inputs] = weightArray.shape as [number, number];
    if (inputs !== x.cols) {
      throw new InputError(weightArray.spec, `has ${inputs} inputs but the layer feeding it has ${x.cols} neurons (flattened in (h, w, c) order for conv layers)`);
    }
    const weight = matrix(out, inputs, await (await openArray(weightArray.spec)).readAll());
    const biasArray = byName.get(`${source.name}.bias`);
    let bias: Float64Array | null = null;
    if (biasArray) {
      if (biasArray.shape.length !== 1 || biasArray.shape[0] !== out) throw new InputError(biasArray.spec, `has shape (${biasArray.shape.join(', ')}), expected (${out})`);
      bias = await (await openArray(biasArray.spec)).readAll();
    }
    const z = affine(x, { weight, bias });
    const { activation, mismatch } = inferActivation(z, source.saved, source.name, source.ref ?? source.name);
    stages.push({ name: source.name, weight, bias, activation, mismatch });
    if (!source.saved) break; // a stage with no saved output ends the chain: its output is the prediction
    x = source.saved;
  }
  return stages;
}

function inferActivation(z: Matrix, saved: Matrix | null, name: string, ref: string): { activation: Activation; mismatch: number | null } {
  if (!saved) return { activation: 'identity', mismatch: null };
  if (saved.rows !== z.rows || saved.cols !== z.cols) {
    throw new InputError(ref, `saved activations are ${saved.rows}×${saved.cols} but the weights give ${z.rows}×${z.cols}`);
  }
  let scale = 0;
  for (let i = 0; i < saved.data.length; i++) scale = Math.max(scale, Math.abs(saved.data[i]!));
  let identity = 0;
  let relu = 0;
  for (let i = 0; i < z.data.length; i++) {
    const v = z.data[i]!;
    const s = saved.data[i]!;
    identity = Math.max(identity, Math.abs(v - s));
    relu = Math.max(relu, Math.abs(Math.max(v, 0) - s));
  }
  const norm = scale > 0 ? scale : 1;
  const best: Activation = identity <= relu ? 'identity' : 'relu';
  const mismatch = Math.min(identity, relu) / norm;
  if (mismatch > STAGE_TOLERANCE) {
    throw new InputError(
      ref,
      `cannot rebuild this layer from the previous one and "${name}.weight"/"${name}.bias": off by ${(identity / norm).toExponential(2)} without and ${(relu / norm).toExponential(2)} with ReLU (relative to its largest activation); the compression preview supports dense layers with ReLU or no activation`,
    );
  }
  return { activation: best, mismatch };
}
