/**
 * Within-group and between-group similarity of runs grouped by a run.json key (e.g. `labels`: true vs random,
 * `lr`), with a one-sided permutation test that within-group similarity exceeds between-group similarity — the
 * comparison of [Morcos2018-PWCCA] sec. 3.1 (generalizing nets converge to more similar solutions than memorizing nets)
 * and sec. 3.3 (learning rate clusters).
 *
 * Each unordered pair counts once, with the symmetric similarity (S[i][j] + S[j][i]) / 2 (PWCCA is not symmetric).
 * Statistic T = mean over within-group pairs − mean over between-group pairs. Null hypothesis: the group labels are
 * exchangeable. p = (number of relabelings, with the observed one, whose T ≥ T_observed) / (relabelings counted).
 * When the distinct relabelings (a multinomial coefficient) number at most `permutations`, all are enumerated and
 * p is exact; otherwise `permutations` random relabelings (plus the observed one) with a fixed seed, so the same
 * question always gives the same p.
 */
import type { GroupStats } from '../domain/index.js';
import { mulberry32, shuffleInPlace } from './sampling.js';

export const DEFAULT_PERMUTATIONS = 9999;
export const DEFAULT_SEED = 0x5eed;
/** The group of runs whose run.json lacks the key. */
export const MISSING_VALUE = '(none)';

export interface GroupStatsOptions {
  /** Random relabelings when exact enumeration would take more (default 9999). */
  readonly permutations?: number;
  readonly seed?: number;
}

export interface GroupStatsResult extends GroupStats {
  /** True when every distinct relabeling was enumerated (then p is exact). */
  readonly exact: boolean;
  /** Mean within − mean between. */
  readonly difference: number | null;
}

/** The group label of a run for a run.json key: the value as text (numbers as JSON writes them). */
export function groupValue(meta: Readonly<Record<string, unknown>>, key: string): string {
  const value = meta[key];
  if (value === undefined || value === null) return MISSING_VALUE;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function groupStats(
  runs: readonly string[],
  values: readonly string[],
  similarity: readonly (readonly number[])[],
  key: string,
  options: GroupStatsOptions = {},
): GroupStatsResult {
  const n = runs.length;
  if (values.length !== n || similarity.length !== n) throw new RangeError(`group stats: ${n} runs, ${values.length} labels, ${similarity.length} rows`);
  const permutations = options.permutations ?? DEFAULT_PERMUTATIONS;

  const distinct = [...new Set(values)].sort();
  const label = Int32Array.from(values, (v) => distinct.indexOf(v));
  const pairs = symmetricPairs(similarity);

  const groups = distinct.map((value, g) => {
    const members = runs.filter((_, i) => label[i] === g);
    return { value, runs: members, within_mean: withinMeanOf(pairs, label, n, g) };
  });

  const observed = statistic(pairs, label, n);
  const base = { key, groups, within_mean: observed.within, between_mean: observed.between };
  if (observed.within === null || observed.between === null) {
    return { ...base, p_value: null, permutations: 0, exact: false, difference: null };
  }
  const t0 = observed.within - observed.between;
  // Compare with a hair of slack so a relabeling equal to the observed one up to rounding counts as "as extreme".
  const atLeast = (t: number): boolean => t >= t0 - 1e-12 * Math.max(1, Math.abs(t0));

  const sizes = distinct.map((_, g) => label.reduce((c, l) => c + (l === g ? 1 : 0), 0));
  const total = multinomial(sizes);
  let hits = 0;
  let counted = 0;
  let exact = false;
  if (total <= permutations + 1) {
    exact = true;
    forEachRelabeling(sizes, (relabel) => {
      const s = statistic(pairs, relabel, n);
      counted++;
      if (atLeast(s.within! - s.between!)) hits++;
    });
  } else {
    const rand = mulberry32(options.seed ?? DEFAULT_SEED);
    const shuffled = Int32Array.from(label);
    hits = 1; // the observed labeling
    counted = 1;
    for (let p = 0; p < permutations; p++) {
      shuffleInPlace(shuffled, rand);
      const s = statistic(pairs, shuffled, n);
      counted++;
      if (atLeast(s.within! - s.between!)) hits++;
    }
  }
  return { ...base, p_value: hits / counted, permutations: counted, exact, difference: t0 };
}

/** Upper triangle of (S + Sᵀ)/2, row by row. */
function symmetricPairs(s: readonly (readonly number[])[]): Float64Array {
  const n = s.length;
  const out = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = (s[i]![j]! + s[j]![i]!) / 2;
      if (!Number.isFinite(v)) throw new RangeError(`similarity[${i}][${j}] is not finite`);
      out[k++] = v;
    }
  }
  return out;
}

function statistic(pairs: Float64Array, label: Int32Array, n: number): { within: number | null; between: number | null } {
  let ws = 0;
  let wc = 0;
  let bs = 0;
  let bc = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const li = label[i];
    for (let j = i + 1; j < n; j++) {
      const v = pairs[k++]!;
      if (label[j] === li) {
        ws += v;
        wc++;
      } else {
        bs += v;
        bc++;
      }
    }
  }
  return { within: wc > 0 ? ws / wc : null, between: bc > 0 ? bs / bc : null };
}

function withinMeanOf(pairs: Float64Array, label: Int32Array, n: number, g: number): number | null {
  let sum = 0;
  let count = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = pairs[k++]!;
      if (label[i] === g && label[j] === g) {
        sum += v;
        count++;
      }
    }
  }
  return count > 0 ? sum / count : null;
}

/** n! / (n1! n2! …), as a float (only compared against the permutation budget). */
function multinomial(sizes: readonly number[]): number {
  let result = 1;
  let placed = 0;
  for (const size of sizes) {
    for (let i = 1; i <= size; i++) {
      placed++;
      result = (result * placed) / i;
    }
  }
  return Math.round(result);
}

/** Every distinct assignment of labels with the given group sizes (each multiset permutation once). */
function forEachRelabeling(sizes: readonly number[], visit: (label: Int32Array) => void): void {
  const n = sizes.reduce((a, b) => a + b, 0);
  const label = new Int32Array(n);
  const left = Int32Array.from(sizes);
  const place = (pos: number): void => {
    if (pos === n) {
      visit(label);
      return;
    }
    for (let g = 0; g < left.length; g++) {
      if (left[g] === 0) continue;
      left[g]!--;
      label[pos] = g;
      place(pos + 1);
      left[g]!++;
    }
  };
  place(0);
}

