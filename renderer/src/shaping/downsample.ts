/**
 * Downsampling of long timelines so that a chart draws about as many points as it has pixels.
 * Both functions return indices into the input (ascending), so callers keep any per-point payload.
 */

/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013, "Downsampling time series for visual representation", ch. 4):
 * keeps the first and last point and, per bucket, the point forming the largest triangle with the previously kept
 * point and the next bucket's average. Preserves the visual shape of a line better than stride sampling.
 */
export function lttb(xs: ArrayLike<number>, ys: ArrayLike<number>, threshold: number): number[] {
  const n = xs.length;
  if (threshold >= n || threshold < 3) return Array.from({ length: n }, (_, i) => i);
  const kept: number[] = [0];
  const bucket = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    // Average of the next bucket, the triangle's third corner.
    const nextStart = Math.floor((i + 1) * bucket) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * bucket) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += xs[j]!;
      avgY += ys[j]!;
    }
    const count = nextEnd - nextStart;
    avgX /= count;
    avgY /= count;
    const start = Math.floor(i * bucket) + 1;
    const end = Math.floor((i + 1) * bucket) + 1;
    const ax = xs[a]!;
    const ay = ys[a]!;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs((ax - avgX) * (ys[j]! - ay) - (ax - xs[j]!) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    kept.push(best);
    a = best;
  }
  kept.push(n - 1);
  return kept;
}

/**
 * Min-max decimation: per bucket of equal index width, the smallest and the largest value (in x order).
 * Unlike LTTB it never hides a spike, which matters for loss curves; the first and last points are kept.
 */
export function minMax(ys: ArrayLike<number>, buckets: number): number[] {
  const n = ys.length;
  if (buckets <= 0 || n <= 2 * buckets + 2) return Array.from({ length: n }, (_, i) => i);
  const kept: number[] = [0];
  const width = (n - 2) / buckets;
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * width) + 1;
    const end = Math.min(Math.floor((b + 1) * width) + 1, n - 1);
    if (end <= start) continue;
    let lo = start;
    let hi = start;
    for (let j = start + 1; j < end; j++) {
      if (ys[j]! < ys[lo]!) lo = j;
      if (ys[j]! > ys[hi]!) hi = j;
    }
    if (lo === hi) kept.push(lo);
    else kept.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  kept.push(n - 1);
  return kept;
}

/** Picks the points of one series to draw: LTTB to `target` points (finite values only, NaN gaps dropped). */
export function downsampleSeries(points: ReadonlyArray<readonly [number, number]>, target: number): Array<[number, number]> {
  const finite = points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = finite.map((p) => p[0]);
  const ys = finite.map((p) => p[1]);
  return lttb(xs, ys, target).map((i) => [xs[i]!, ys[i]!]);
}
