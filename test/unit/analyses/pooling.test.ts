/** Adaptive average pooling and the pairing rule for layers of different shapes, against numpy. */
import { describe, expect, it } from 'vitest';
import { describeRows, layerMatrix, pairGrid } from '../../../native/analyses/layer-rows.js';
import { adaptiveAveragePool } from '../../../native/analyses/pooling.js';
import type { LayerData } from '../../../native/layers/index.js';
import { python } from './helpers.js';

const conv = (h: number, w: number, c: number, m = 3): LayerData => ({
  ref: `conv${h}x${w}`,
  datapoints: m,
  spatial: [h, w],
  channels: c,
  data: Float64Array.from({ length: m * h * w * c }, (_, i) => Math.sin(i * 0.37) + i / 50),
});
const dense = (n: number, m = 3): LayerData => ({ ref: 'dense', datapoints: m, spatial: null, channels: n, data: new Float64Array(m * n).fill(1) });

describe('adaptive average pooling', () => {
  it('equals PyTorch-style adaptive windows computed by numpy, divisible or not', () => {
    for (const [h, w, th, tw] of [[8, 8, 4, 4], [5, 7, 3, 2], [6, 4, 1, 1], [3, 3, 3, 3]] as const) {
      const layer = conv(h, w, 2);
      const mine = adaptiveAveragePool(layer.data, 3, [h, w], 2, [th, tw]);
      const ref = python<number[]>(`x = np.array(data['x']).reshape(3, ${h}, ${w}, 2)\nprint(json.dumps(adaptive_pool(x, ${th}, ${tw}).ravel().tolist()))`, { x: Array.from(layer.data) });
      expect(mine.length).toBe(ref.length);
      mine.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 13));
    }
  });
});

describe('pairing layers of different shapes', () => {
  it('channels: the finer conv grid is pooled to the coarser; a conv map meets a dense layer at 1×1', () => {
    expect(pairGrid(conv(8, 8, 2), conv(4, 4, 2), 'channels')).toEqual([4, 4]);
    expect(pairGrid(conv(8, 8, 2), conv(8, 8, 2), 'channels')).toEqual([8, 8]);
    expect(pairGrid(conv(8, 8, 2), dense(5), 'channels')).toBeNull();
    expect(pairGrid(conv(8, 8, 2), conv(4, 4, 2), 'flatten')).toBeNull();
    const m = layerMatrix(conv(8, 8, 2), 'channels', [4, 4]);
    expect([m.rows, m.cols]).toEqual([3 * 16, 2]);
    const g = layerMatrix(conv(8, 8, 2), 'channels', null);
    expect([g.rows, g.cols]).toEqual([3, 2]);
    const f = layerMatrix(conv(8, 8, 2), 'flatten', null);
    expect([f.rows, f.cols]).toEqual([3, 128]);
    expect(describeRows(conv(8, 8, 2), 'channels', [4, 4])).toBe('channels pooled 8x8→4x4');
  });
});
