/**
 * Adaptive average pooling of a channels-last conv layer to a smaller spatial grid, with PyTorch's
 * `adaptive_avg_pool2d` windows: output cell i along an axis of size H → t averages input rows
 * [⌊i·H/t⌋, ⌈(i+1)·H/t⌉). When t divides H this is plain H/t × W/t average pooling; t = 1 is global average pooling,
 * which is also the zero frequency of the 2-D DFT (the only frequency a dense layer can be paired with).
 */

/** (m, h, w, c) → (m, th, tw, c), both C order. */
export function adaptiveAveragePool(
  data: Float64Array,
  datapoints: number,
  [h, w]: readonly [number, number],
  channels: number,
  [th, tw]: readonly [number, number],
): Float64Array {
  if (th < 1 || tw < 1 || th > h || tw > w) throw new RangeError(`adaptiveAveragePool: cannot pool ${h}×${w} to ${th}×${tw}`);
  if (th === h && tw === w) return data;
  const out = new Float64Array(datapoints * th * tw * channels);
  const rowStart = (i: number): number => Math.floor((i * h) / th);
  const rowEnd = (i: number): number => Math.ceil(((i + 1) * h) / th);
  const colStart = (j: number): number => Math.floor((j * w) / tw);
  const colEnd = (j: number): number => Math.ceil(((j + 1) * w) / tw);
  const acc = new Float64Array(channels);
  for (let n = 0; n < datapoints; n++) {
    const inBase = n * h * w * channels;
    for (let i = 0; i < th; i++) {
      const r0 = rowStart(i);
      const r1 = rowEnd(i);
      for (let j = 0; j < tw; j++) {
        const c0 = colStart(j);
        const c1 = colEnd(j);
        acc.fill(0);
        for (let r = r0; r < r1; r++) {
          for (let s = c0; s < c1; s++) {
            const o = inBase + (r * w + s) * channels;
            for (let c = 0; c < channels; c++) acc[c]! += data[o + c]!;
          }
        }
        const scale = 1 / ((r1 - r0) * (c1 - c0));
        const outBase = ((n * th + i) * tw + j) * channels;
        for (let c = 0; c < channels; c++) out[outBase + c] = acc[c]! * scale;
      }
    }
  }
  return out;
}
