/**
 * The part of one sorted series to draw for a visible x range, decimated to the pixel columns: the points inside
 * the range plus one neighbour on each side (so lines run to the edges), and — when there are more points than
 * `2 × columns` — per column the first, lowest, highest and last point, in x order (min-max decimation keeps
 * every spike and the line's connectivity).
 */
export interface SortedSeries {
  xs: Float64Array;
  ys: Float64Array;
}

/** First index with xs[i] >= x (xs ascending). */
export function lowerBound(xs: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with xs[i] > x (xs ascending). */
export function upperBound(xs: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function visibleSlice(series: SortedSeries, x0: number, x1: number, columns: number): { xs: number[]; ys: number[] } {
  const { xs, ys } = series;
  const n = xs.length;
  const start = Math.max(0, lowerBound(xs, x0) - 1);
  const end = Math.min(n, upperBound(xs, x1) + 1);
  const outX: number[] = [];
  const outY: number[] = [];
  if (end - start <= 2 * columns) {
    for (let i = start; i < end; i++) {
      outX.push(xs[i]!);
      outY.push(ys[i]!);
    }
    return { xs: outX, ys: outY };
  }
  const width = (x1 - x0) / columns;
  let i = start;
  while (i < end) {
    const column = Math.floor((xs[i]! - x0) / width);
    let j = i;
    let lo = i;
    let hi = i;
    while (j < end && Math.floor((xs[j]! - x0) / width) === column) {
      if (ys[j]! < ys[lo]!) lo = j;
      if (ys[j]! > ys[hi]!) hi = j;
      j++;
    }
    const last = j - 1;
    for (const k of [...new Set([i, Math.min(lo, hi), Math.max(lo, hi), last])].sort((a, b) => a - b)) {
      outX.push(xs[k]!);
      outY.push(ys[k]!);
    }
    i = j;
  }
  return { xs: outX, ys: outY };
}
