/**
 * Option builders shared by the analysis views: heatmaps with a colour bar and titled axes, step axes, and the
 * colour scale. Every picture here is meant to stand alone in a paper: axis titles with units, a legend or a
 * colour bar.
 */
import type { ChartOption } from './echarts.js';

/** Viridis, perceptually even and readable on both themes. */
/** Line colours (the app-wide palette, charts/echarts.ts), for views that colour series by hand. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export const VIRIDIS = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];

export interface HeatmapSpec {
  x: readonly string[];
  y: readonly string[];
  /** values[yIndex][xIndex]. */
  values: ReadonlyArray<ReadonlyArray<number>>;
  xName: string;
  yName: string;
  /** Colour bar title, with units. */
  scaleName: string;
  min?: number;
  max?: number;
  digits?: number;
  /** Left margin for long row labels. */
  left?: number;
}

export function heatmapOption(spec: HeatmapSpec): ChartOption {
  const digits = spec.digits ?? 2;
  const data: Array<[number, number, number]> = [];
  spec.values.forEach((row, i) => row.forEach((v, j) => data.push([j, i, v])));
  const flat = data.map((d) => d[2]);
  const min = spec.min ?? Math.min(...flat, 0);
  const max = spec.max ?? Math.max(...flat, 1);
  const cells = spec.x.length * spec.y.length;
  return {
    // Room on the right for the colour bar's title, centred over the bar.
    grid: { left: spec.left ?? 70, right: Math.max(96, 12 + 7 * spec.scaleName.length), top: 16, bottom: 56 },
    // p.value, not p.data: a cell given as { value, itemStyle } (an outlined cell) has its numbers there.
    tooltip: { formatter: (p: { value: [number, number, number] }) => `${spec.yName} ${spec.y[p.value[1]]} · ${spec.xName} ${spec.x[p.value[0]]}<br/>${spec.scaleName}: ${p.value[2].toFixed(4)}` },
    xAxis: { type: 'category', data: [...spec.x], name: spec.xName, nameLocation: 'middle', nameGap: 30, splitArea: { show: false } },
    yAxis: { type: 'category', data: [...spec.y], name: spec.yName, nameLocation: 'middle', nameGap: (spec.left ?? 70) - 18, inverse: true },
    // The colour bar: its title and top value above it, its bottom value below (no drag handles, whose labels collide).
    visualMap: {
      min,
      max,
      calculable: false,
      orient: 'vertical',
      right: 4,
      top: 'middle',
      itemHeight: 150,
      itemWidth: 14,
      text: [`${spec.scaleName}\n${max.toFixed(digits)}`, min.toFixed(digits)],
      textGap: 6,
      textStyle: { lineHeight: 16 },
      inRange: { color: VIRIDIS },
    },
    series: [
      {
        type: 'heatmap',
        data,
        label: { show: cells <= 48, fontSize: 10, formatter: (p: { value: [number, number, number] }) => p.value[2].toFixed(digits) },
        emphasis: { itemStyle: { borderColor: '#000', borderWidth: 1 } },
      },
    ],
  };
}

/** Steps as numbers for a value axis; a 'final' folder sits one past the largest numbered step. */
export function stepNumbers(steps: ReadonlyArray<number | 'final'>): number[] {
  const numeric = steps.filter((s): s is number => typeof s === 'number');
  const last = numeric.length ? Math.max(...numeric) : 0;
  return steps.map((s) => (s === 'final' ? last + 1 : s));
}

/** A training-step x axis: logarithmic when checkpoints are spaced geometrically (0 drawn at the first tick). */
export function stepAxis(steps: ReadonlyArray<number | 'final'>): { axis: ChartOption; x: number[] } {
  const xs = stepNumbers(steps);
  const positive = xs.filter((s) => s > 0);
  const geometric = positive.length >= 3 && Math.max(...positive) / Math.min(...positive) > 50;
  // log axes cannot hold 0: step 0 sits at half the smallest positive step, labelled as such in the tooltip.
  const floor = positive.length ? Math.min(...positive) / 2 : 1;
  const x = geometric ? xs.map((s) => (s > 0 ? s : floor)) : xs;
  return {
    x,
    axis: {
      type: geometric ? 'log' : 'value',
      name: geometric ? 'training step (log scale; step 0 at the left edge)' : 'training step',
      nameLocation: 'middle',
      nameGap: 28,
      scale: !geometric,
      min: geometric ? floor : undefined,
      axisLabel: { formatter: (v: number) => (geometric && v <= floor ? '0' : v.toLocaleString('en-US')) },
    },
  };
}

/** A legend that wraps instead of scrolling (every entry visible in an exported picture) and the grid top it needs. */
export function wrappingLegend(entries: number, perRow = 6): { legend: ChartOption; top: number } {
  const rows = Math.max(1, Math.ceil(entries / perRow));
  return { legend: { top: 4, type: 'plain', itemGap: 10, itemWidth: 18 }, top: 26 + 22 * rows };
}

/**
 * Vertical error bars (mean ± sd) at x positions `xs` on a value axis, as a custom series under `name` (its legend
 * entry toggles them with the means). Points with a null mean or sd draw nothing.
 */
export function errorBars(name: string, color: string, xs: readonly number[], means: ReadonlyArray<number | null>, sds: ReadonlyArray<number | null>): ChartOption {
  const data = means.flatMap((m, i) => (m === null || sds[i] === null || sds[i] === undefined ? [] : [[xs[i]!, m - sds[i]!, m + sds[i]!]]));
  return {
    name,
    type: 'custom',
    silent: true,
    z: 3,
    itemStyle: { color },
    data,
    renderItem: (_params: unknown, api: { value: (i: number) => number; coord: (p: [number, number]) => [number, number]; style: (extra?: object) => object }) => {
      const lo = api.coord([api.value(0), api.value(1)]);
      const hi = api.coord([api.value(0), api.value(2)]);
      const x = lo[0];
      const style = { stroke: color, lineWidth: 1.5 };
      return {
        type: 'group',
        children: [
          { type: 'line', shape: { x1: x, y1: lo[1], x2: x, y2: hi[1] }, style },
          { type: 'line', shape: { x1: x - 4, y1: lo[1], x2: x + 4, y2: lo[1] }, style },
          { type: 'line', shape: { x1: x - 4, y1: hi[1], x2: x + 4, y2: hi[1] }, style },
        ],
      };
    },
  };
}
