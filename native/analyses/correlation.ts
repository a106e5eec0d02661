/**
 * Pearson's r and Spearman's ρ of two samples with their two-sided p-values, as scipy.stats.pearsonr and spearmanr
 * compute them: ρ is Pearson's r of the ranks (ties get their average rank), and both p-values come from the t
 * statistic t = r·√((n−2)/(1−r²)) with n − 2 degrees of freedom. Fewer than 3 points, or a constant sample: null.
 */
import { twoSidedT } from './student-t.js';

export interface CorrelationStats {
  pearson: number | null;
  spearman: number | null;
  p_value: number | null;
  spearman_p_value: number | null;
}

export function correlationStats(x: readonly number[], y: readonly number[]): CorrelationStats {
  if (x.length !== y.length) throw new RangeError(`correlation of ${x.length} and ${y.length} values`);
  const pearson = pearsonR(x, y);
  const spearman = pearsonR(ranks(x), ranks(y));
  return { pearson, spearman, p_value: pValue(pearson, x.length), spearman_p_value: pValue(spearman, x.length) };
}

export function pearsonR(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n < 3) return null;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** 1-based ranks, ties sharing their mean rank. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]![0] === order[start]![0]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) out[order[k]![1]] = rank;
    start = end + 1;
  }
  return out;
}

function pValue(r: number | null, n: number): number | null {
  if (r === null) return null;
  if (Math.abs(r) === 1) return 0;
  return twoSidedT(r * Math.sqrt((n - 2) / (1 - r * r)), n - 2);
}
