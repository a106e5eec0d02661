/**
 * Runs grouped by a run.json key, summarised per step as mean ± one standard deviation (the band).
 * Runs are aligned on the union of their steps by linear interpolation inside each run's own step range; a run
 * never contributes outside the steps it logged (no extrapolation).
 */
export interface Series {
  name: string;
  points: Array<[number, number]>;
}

export interface GroupSummary {
  key: string;
  runs: string[];
  /** [x, mean, lower, upper, count] per step. */
  rows: Array<[number, number, number, number, number]>;
}

/** The value to group on, as the label shown; missing keys go to '(none)'. */
export function groupLabel(meta: Record<string, unknown>, key: string): string {
  const value = meta[key];
  if (value === undefined || value === null) return '(none)';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function interpolate(points: Array<[number, number]>, x: number): number | null {
  if (points.length === 0 || x < points[0]![0] || x > points[points.length - 1]![0]) return null;
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid]![0] <= x) lo = mid;
    else hi = mid;
  }
  const [x0, y0] = points[lo]!;
  const [x1, y1] = points[hi]!;
  if (x === x0) return y0;
  if (x === x1) return y1;
  return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}

export function summarise(key: string, series: readonly Series[]): GroupSummary {
  const sorted = series.map((s) => ({ name: s.name, points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).sort((a, b) => a[0] - b[0]) }));
  const xs = [...new Set(sorted.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const rows: GroupSummary['rows'] = [];
  for (const x of xs) {
    const values = sorted.map((s) => interpolate(s.points, x)).filter((v): v is number => v !== null);
    if (values.length === 0) continue;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    // Population sd of the runs present: the band shows the spread of these runs, not an estimate's error.
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
    rows.push([x, mean, mean - sd, mean + sd, values.length]);
  }
  return { key, runs: series.map((s) => s.name), rows };
}

/** Splits series by group label, groups in first-seen order. */
export function groupSeries(series: readonly Series[], labelOf: (name: string) => string): Map<string, Series[]> {
  const groups = new Map<string, Series[]>();
  for (const s of series) {
    const label = labelOf(s.name);
    const list = groups.get(label) ?? [];
    list.push(s);
    groups.set(label, list);
  }
  return groups;
}

/** A case-insensitive regular expression filter; an invalid pattern falls back to a plain substring match. */
export function runFilter(pattern: string): (name: string) => boolean {
  if (!pattern.trim()) return () => true;
  try {
    const re = new RegExp(pattern, 'i');
    return (name) => re.test(name);
  } catch {
    const needle = pattern.toLowerCase();
    return (name) => name.toLowerCase().includes(needle);
  }
}
