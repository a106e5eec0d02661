/**
 * Sequence timesteps ([Morcos2018-PWCCA] sec. 4 and App. A.3): a sequence layer (m, T, n) — datapoints, timesteps, units, such as
 * an RNN's hidden state — compared with itself across its timesteps: `matrix[a][b]` is the similarity of the state
 * at timestep a (an m × n layer, side A) with the state at timestep b. 003 finds the hidden state changes a lot along
 * a sequence even up to linear transforms. The same array, read as a whole, enters the comparisons across training
 * (dynamics) with every timestep as a row, as conv positions do under `--conv channels`. A conv layer (m, h, w, c)
 * is taken the same way with its h·w positions (row-major) as the steps: position × position similarity.
 */
import { MEASURES, type Method, type TimestepsRequest, type TimestepsResult } from '../domain/index.js';
import { InputError, UsageError } from '../errors.js';
import type { WorkspaceIndex } from '../index/index.js';
import type { LayerData } from '../layers/index.js';
import { ProgressCounter, type AnalysisContext } from './context.js';
import { measurerFor } from './run-similarity.js';
import { RunLayers } from './run-layers.js';

export const DEFAULT_TIMESTEPS_METHOD: Method = 'svcca';

export async function runTimesteps(store: WorkspaceIndex, request: TimestepsRequest, context: AnalysisContext = {}): Promise<TimestepsResult> {
  const method = request.method ?? DEFAULT_TIMESTEPS_METHOD;
  if (method === 'dft-cca') throw new UsageError('timesteps compares dense hidden states; dft-cca does not apply');
  const { measurer } = measurerFor({ method, conv: 'channels', keep: request.keep, dims: request.dims, epsilon: request.epsilon });
  const run = new RunLayers(store, request.run, { layout: request.layout ?? 'ntc' });
  const step = run.resolveStep(request.step);
  const layer = await run.load(step, request.layer);
  if (layer.spatial === null) {
    throw new InputError(layer.ref, `is (${layer.datapoints}, ${layer.channels}); timesteps needs a sequence layer (datapoints, timesteps, units)`);
  }
  const length = layer.spatial[0] * layer.spatial[1];
  const timesteps = request.timesteps ?? Array.from({ length }, (_, t) => t);
  for (const t of timesteps) if (t >= length) throw new UsageError(`timestep ${t} is past the sequence's end (${length} timesteps: 0–${length - 1})`);
  if (new Set(timesteps).size !== timesteps.length) throw new UsageError('a timestep is listed twice');

  const states = timesteps.map((t) => ({ key: `t${t}`, layer: stateAt(layer, t) }));
  const n = states.length;
  const symmetric = MEASURES[method].symmetric;
  const progress = new ProgressCounter(context, 'timesteps', symmetric ? (n * (n - 1)) / 2 : n * (n - 1));
  const matrix = Array.from({ length: n }, () => new Array<number>(n).fill(MEASURES[method].selfValue));
  for (let a = 0; a < n; a++) {
    for (let b = symmetric ? a + 1 : 0; b < n; b++) {
      if (a === b) continue;
      const value = await progress.step(`t${timesteps[a]} × t${timesteps[b]}`, async () => (await measurer.measure(states[a]!, states[b]!)).similarity);
      matrix[a]![b] = value;
      if (symmetric) matrix[b]![a] = value;
    }
  }
  return { run: run.name, layer: request.layer, step, method, timesteps, matrix, datapoints: layer.datapoints, units: layer.channels, length };
}

/** The state at timestep t: (m, n), from the (m, T, n) buffer (a conv layer's positions flattened to T = h·w). */
function stateAt(layer: LayerData, t: number): LayerData {
  const m = layer.datapoints;
  const n = layer.channels;
  const T = layer.spatial![0] * layer.spatial![1];
  const data = new Float64Array(m * n);
  for (let i = 0; i < m; i++) data.set(layer.data.subarray((i * T + t) * n, (i * T + t + 1) * n), i * n);
  return { ref: `${layer.ref}[t=${t}]`, datapoints: m, spatial: null, channels: n, data };
}
