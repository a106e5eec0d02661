/**
 * From a conv layer to its DFT-CCA blocks: near-constant neurons screened out, one 2-D DFT per channel, the zero
 * class centered, and per frequency class the complex data matrix Z (datapoints × class neurons) whose Gram ZᴴZ is
 * that class's diagonal block of the shift-augmented covariance (derivation in docs/dft-cca.md).
 *
 * Why no other centering: over the augmented dataset a neuron's mean is the same at every position of its shift
 * orbit, so the mean map is invariant under the lattice shifts and its DFT lives on the zero class only. Every
 * other frequency of the augmented data already has mean zero; subtracting the (non-zero) mean of the m original
 * datapoints there would compute something else than the augmented covariance.
 */
import { complexMatrix, type ComplexMatrix } from '../linalg/complex-matrix.js';
import { dft2dChannels, type ChannelSpectra } from '../linalg/dft2d.js';

/** A conv layer, datapoints first, channels last: `data` is (datapoints, height, width, channels) in C order. */
export interface ConvLayer {
  readonly ref: string;
  readonly datapoints: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly data: Float64Array;
}

/**
 * Near-constant neurons of the augmented dataset. A neuron (y, x, c) sees, over all lattice shifts, the values of
 * every position in its residue (y mod step_y, x mod step_x) of channel c, so neurons of one (residue, channel)
 * group share one variance and are dropped together.
 */
export interface NeuronScreen {
  /** Channels with at least one kept group, ascending: the block columns. */
  readonly keptChannels: Int32Array;
  /** Per (residue, channel), residue-major: 1 = near-constant (its neurons are dropped), 0 = kept. */
  readonly dropped: Uint8Array;
  /** Neurons (positions × channels) of the augmented problem that are kept / dropped. */
  readonly keptNeurons: number;
  readonly droppedNeurons: number;
}

/**
 * Screens by variance over the augmented dataset, with the rule of prepare.ts: a (residue, channel) group is dropped
 * when all its values are identical, or when its variance (over all datapoints and the group's positions) is at most
 * `epsilon` × the largest group variance — relative, so rescaling a layer never changes what is dropped.
 */
export function screenNearConstant(layer: ConvLayer, step: readonly [number, number], epsilon: number): NeuronScreen {
  const { datapoints: m, height: h, width: w, channels: c, data } = layer;
  const [sy, sx] = step;
  const residues = sy * sx;
  const groups = residues * c;
  const sum = new Float64Array(groups);
  const first = new Float64Array(groups).fill(Number.NaN);
  const constant = new Uint8Array(groups).fill(1);
  const residueOf = (p: number): number => ((Math.floor(p / w) % sy) * sx + ((p % w) % sx)) * c;
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < h * w; p++) {
      const g = residueOf(p);
      const o = (i * h * w + p) * c;
      for (let ch = 0; ch < c; ch++) {
        const v = data[o + ch]!;
        sum[g + ch]! += v;
        if (Number.isNaN(first[g + ch]!)) first[g + ch] = v;
        else if (v !== first[g + ch]) constant[g + ch] = 0;
      }
    }
  }
  const count = (m * h * w) / residues;
  const mean = sum.map((s) => s / count);
  const variance = new Float64Array(groups);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < h * w; p++) {
      const g = residueOf(p);
      const o = (i * h * w + p) * c;
      for (let ch = 0; ch < c; ch++) {
        const d = data[o + ch]! - mean[g + ch]!;
        variance[g + ch]! += d * d;
      }
    }
  }
  let largest = 0;
  for (let g = 0; g < groups; g++) if (!constant[g]) largest = Math.max(largest, variance[g]!);
  const dropped = new Uint8Array(groups);
  const keptChannel = new Uint8Array(c);
  let droppedGroups = 0;
  for (let g = 0; g < groups; g++) {
    if (constant[g] || !(variance[g]! > epsilon * largest)) {
      dropped[g] = 1;
      droppedGroups++;
    } else keptChannel[g % c] = 1;
  }
  const keptChannels = Int32Array.from(Array.from({ length: c }, (_, ch) => ch).filter((ch) => keptChannel[ch]));
  const perGroup = (h * w) / residues;
  return { keptChannels, dropped, keptNeurons: (groups - droppedGroups) * perGroup, droppedNeurons: droppedGroups * perGroup };
}

/**
 * The spectra of the kept channels at the listed flat frequencies (unitary DFT), with dropped groups set to 0
 * beforehand — a constant 0 over the datapoints, removed again by the zero-class centering, which for CCA is the
 * same as leaving those neurons out (their directions fall below the rank cut-off).
 */
export function layerSpectra(layer: ConvLayer, screen: NeuronScreen, step: readonly [number, number], frequencies: Int32Array): ChannelSpectra {
  const { datapoints: m, height: h, width: w, channels: c, data } = layer;
  const kept = screen.keptChannels;
  const k = kept.length;
  const [sy, sx] = step;
  const reduced = new Float64Array(m * h * w * k);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < h * w; p++) {
      const g = ((Math.floor(p / w) % sy) * sx + ((p % w) % sx)) * c;
      const src = (i * h * w + p) * c;
      const dst = (i * h * w + p) * k;
      for (let j = 0; j < k; j++) {
        const ch = kept[j]!;
        reduced[dst + j] = screen.dropped[g + ch] ? 0 : data[src + ch]!;
      }
    }
  }
  return dft2dChannels({ batch: m, height: h, width: w, channels: k, data: reduced }, { frequencies });
}

/**
 * Z for one class: rows = datapoints, columns = (member frequency, kept channel), frequency-major. `position` maps a
 * flat frequency index to its slot in `spectra`. With `center`, every column has its mean over datapoints removed.
 */
export function classData(spectra: ChannelSpectra, members: Int32Array, position: (flat: number) => number, center: boolean): ComplexMatrix {
  const { batch: m, channels: c, data } = spectra;
  const p = members.length * c;
  const z = complexMatrix(m, p);
  members.forEach((flat, j) => {
    const base = position(flat) * m * c;
    for (let i = 0; i < m; i++) {
      const src = 2 * (base + i * c);
      const dst = i * p + j * c;
      for (let ch = 0; ch < c; ch++) {
        z.re[dst + ch] = data[src + 2 * ch]!;
        z.im[dst + ch] = data[src + 2 * ch + 1]!;
      }
    }
  });
  if (center) centerColumns(z);
  return z;
}

/** Two-pass column centering (the second pass removes what rounding left of the mean). */
function centerColumns(z: ComplexMatrix): void {
  const { rows, cols, re, im } = z;
  for (let pass = 0; pass < 2; pass++) {
    const mr = new Float64Array(cols);
    const mi = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        mr[j]! += re[i * cols + j]!;
        mi[j]! += im[i * cols + j]!;
      }
    }
    for (let j = 0; j < cols; j++) {
      mr[j]! /= rows;
      mi[j]! /= rows;
    }
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        re[i * cols + j]! -= mr[j]!;
        im[i * cols + j]! -= mi[j]!;
      }
    }
  }
}
