/**
 * run.json: a run's metadata. Known keys (name, group, seed, lr, labels, layers, metrics) are checked and surfaced;
 * every key, unknown ones included, is kept as written. A key of the wrong type is reported and left out of the
 * surfaced fields (it stays in `meta`); it never stops the run from being indexed.
 */
import type { MetricPoint } from '../domain/index.js';

export interface RunMeta {
  readonly name?: string;
  readonly group?: string;
  readonly seed?: number;
  readonly lr?: number;
  readonly labels?: string;
  /** Layer order, input to output, as declared. */
  readonly layers?: string[];
  /** Numeric values only, ascending by step; one point per step (later entries for a step win). */
  readonly metrics: MetricPoint[];
  /** The whole object as written. */
  readonly meta: Record<string, unknown>;
  /** What is wrong with the file (empty when nothing is). */
  readonly problems: string[];
}

/** Parses run.json text. Text that is not a JSON object gives an empty RunMeta with one problem. */
export function parseRunJson(text: string): RunMeta {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return emptyMeta(`not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return emptyMeta(`must hold a JSON object, found ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const meta = value as Record<string, unknown>;
  const problems: string[] = [];
  const text_ = (key: string): string | undefined => {
    const v = meta[key];
    if (v === undefined || v === null) return undefined;
    // Sweep tools often write a group or label as a number; its decimal text is the same value.
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    problems.push(`"${key}" must be a string, found ${describe(v)}`);
    return undefined;
  };
  const number_ = (key: string): number | undefined => {
    const v = meta[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    problems.push(`"${key}" must be a number, found ${describe(v)}`);
    return undefined;
  };
  const result: { -readonly [K in keyof RunMeta]: RunMeta[K] } = { metrics: [], meta, problems };
  const name = text_('name');
  if (name !== undefined) {
    if (name.trim() === '') problems.push('"name" is empty');
    else result.name = name;
  }
  const group = text_('group');
  if (group !== undefined) result.group = group;
  const seed = number_('seed');
  if (seed !== undefined) result.seed = seed;
  const lr = number_('lr');
  if (lr !== undefined) result.lr = lr;
  const labels = text_('labels');
  if (labels !== undefined) result.labels = labels;
  const layers = parseLayers(meta['layers'], problems);
  if (layers) result.layers = layers;
  result.metrics = parseMetrics(meta['metrics'], problems);
  return result;
}

function parseLayers(value: unknown, problems: string[]): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string' && v !== '')) {
    problems.push('"layers" must be a list of layer names');
    return undefined;
  }
  const seen = new Set<string>();
  for (const layer of value) {
    if (seen.has(layer)) {
      problems.push(`"layers" names "${layer}" twice`);
      return undefined;
    }
    seen.add(layer);
  }
  return [...value];
}

function parseMetrics(value: unknown, problems: string[]): MetricPoint[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push('"metrics" must be a list of {"step", ...} objects');
    return [];
  }
  const byStep = new Map<number, MetricPoint>();
  value.forEach((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`"metrics"[${i}] must be an object`);
      return;
    }
    const record = entry as Record<string, unknown>;
    const step = record['step'];
    if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
      problems.push(`"metrics"[${i}] needs a whole, non-negative "step", found ${describe(step)}`);
      return;
    }
    const point: MetricPoint = byStep.get(step) ?? { step };
    for (const [key, v] of Object.entries(record)) {
      if (key !== 'step' && typeof v === 'number' && Number.isFinite(v)) point[key] = v;
    }
    byStep.set(step, point);
  });
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

function emptyMeta(problem: string): RunMeta {
  return { metrics: [], meta: {}, problems: [problem] };
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number') return String(v);
  return `a ${typeof v}`;
}
