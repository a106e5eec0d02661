/**
 * Colour maps for similarity images. Viridis (perceptually uniform, readable in grey and by colour-blind readers)
 * as the degree-6 polynomial fit by Matt Zucker (shadertoy "viridis, magma, …" fits, within 2% of matplotlib's table per channel).
 */
export type Rgb = readonly [number, number, number];

const VIRIDIS = [
  [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
  [0.1050930431085774, 1.404613529898575, 1.384590162594685],
  [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
  [-4.634230498983486, -5.799100973351585, -19.33244095627987],
  [6.228269936347081, 14.17993336680509, 56.69055260068105],
  [4.776384997670288, -13.74514537774601, -65.35303263337234],
  [-5.435455855934631, 4.645852612178535, 26.3124352495832],
] as const;

/** Viridis at t ∈ [0, 1] as 0–255 integers. */
export function viridis(t: number): Rgb {
  const x = Math.min(1, Math.max(0, t));
  const channel = (c: 0 | 1 | 2): number => {
    let v = 0;
    for (let k = VIRIDIS.length - 1; k >= 0; k--) v = v * x + VIRIDIS[k]![c];
    return Math.round(Math.min(1, Math.max(0, v)) * 255);
  };
  return [channel(0), channel(1), channel(2)];
}

/** A 256-entry RGBA lookup table, so that colouring a big matrix is one table read per cell. */
export function lookupTable(map: (t: number) => Rgb = viridis): Uint8ClampedArray {
  const table = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const [r, g, b] = map(i / 255);
    table.set([r, g, b, 255], i * 4);
  }
  return table;
}

export function cssColor([r, g, b]: Rgb): string {
  return `rgb(${r}, ${g}, ${b})`;
}

/** Distinct colours for group bars (Okabe–Ito, safe for colour-blind readers), cycled past eight groups. */
export const GROUP_COLOURS = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#999999'];
