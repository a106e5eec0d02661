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
import { InputError } from '../errors.js';
import type { LayerData } from '../layers/index.js';
import { complexMatrix, type ComplexMatrix } from '../linalg/complex-matrix.js';
import { dft2dChannels, type ChannelSpectra } from '../linalg/dft2d.js';
import { runKernel, type KernelChoice } from '../kernels/index.js';
import { BatchedMatmul } from '../kernels/names.js';

/** A conv layer, datapoints first, channels last: `data` is (datapoints, height, width, channels) in C order. */
export interface ConvLayer {
  readonly ref: string;
  readonly datapoints: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly data: Float64Array;
}

/** A loaded layer as DFT-CCA reads it; a dense layer has no positions to transform. */
export function convLayerOf(layer: LayerData): ConvLayer {
  if (!layer.spatial) throw new InputError(layer.ref, 'is a dense layer; dft-cca compares conv layers (datapoints, h, w, channels)');
  const [height, width] = layer.spatial;
  return { ref: layer.ref, datapoints: layer.datapoints, height, width, channels: layer.channels, data: layer.data };
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

/** One frequency class's diagonal blocks of the augmented covariances (up to one common factor): Z_AᴴZ_A, Z_BᴴZ_B, Z_AᴴZ_B. */
export interface BlockCovariance {
  readonly aa: ComplexMatrix;
  readonly bb: ComplexMatrix;
  readonly ab: ComplexMatrix;
}

/** A frequency class as this file needs it: the member frequencies of each layer and whether it is the zero class. */
export interface ClassMembers {
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly isZero: boolean;
}

/** Classes per kernel call: bounds the batch's memory (count × m × P inputs and count × P² outputs). */
const CLASSES_PER_BATCH = 64;

/**
 * The covariance blocks of every class through the `BatchedMatmul` kernel: class k's complex data Z = [Z_A | Z_B]
 * (datapoints × class neurons) is stored as the real m × P matrix R_k = [Re Z_A, Im Z_A, Re Z_B, Im Z_B] and one
 * batched call forms every R_kᵀR_k, from which ZᴴZ follows (Re = XᵀX + YᵀY, Im = XᵀY − YᵀX). All classes have the
 * same shape, so they batch without padding; the zero class is centered while it is packed.
 */
export async function blockCovariances(
  spectraA: ChannelSpectra,
  spectraB: ChannelSpectra,
  classes: readonly ClassMembers[],
  backend: KernelChoice,
): Promise<{ blocks: BlockCovariance[]; backend: string }> {
  const m = spectraA.batch;
  const slotA = slotLookup(spectraA);
  const slotB = slotLookup(spectraB);
  const pA = classes[0]!.a.length * spectraA.channels;
  const pB = classes[0]!.b.length * spectraB.channels;
  const width = 2 * (pA + pB);
  const blocks: BlockCovariance[] = [];
  let served = '';
  for (let first = 0; first < classes.length; first += CLASSES_PER_BATCH) {
    const chunk = classes.slice(first, first + CLASSES_PER_BATCH);
    const data = new Float64Array(chunk.length * m * width);
    chunk.forEach((cls, k) => {
      const base = k * m * width;
      packSide(spectraA, cls.a, slotA, data, base, width, 0, pA, cls.isZero);
      packSide(spectraB, cls.b, slotB, data, base, width, 2 * pA, pB, cls.isZero);
    });
    const batch = { count: chunk.length, rows: m, cols: width, data };
    const { output, backend: info } = await runKernel(BatchedMatmul, { a: batch, b: batch }, { transposeA: true, transposeB: false }, backend);
    served = info.name;
    for (let k = 0; k < chunk.length; k++) {
      const c = output.data.subarray(k * width * width, (k + 1) * width * width);
      blocks.push({ aa: complexBlock(c, width, 0, pA, 0, pA), bb: complexBlock(c, width, 2 * pA, pB, 2 * pA, pB), ab: complexBlock(c, width, 0, pA, 2 * pA, pB) });
    }
  }
  return { blocks, backend: served };
}

function slotLookup(spectra: ChannelSpectra): Int32Array {
  const slot = new Int32Array(spectra.height * spectra.width).fill(-1);
  spectra.frequencies.forEach((f, k) => (slot[f] = k));
  return slot;
}

/**
 * Writes one layer's part of R_k: row i gets Re Z at columns [offset, offset + p) and Im Z at [offset + p,
 * offset + 2p), columns ordered (member frequency, channel). With `center`, each column's mean over datapoints is
 * removed (two passes, the second taking what rounding left).
 */
function packSide(
  spectra: ChannelSpectra,
  members: Int32Array,
  slot: Int32Array,
  out: Float64Array,
  base: number,
  width: number,
  offset: number,
  p: number,
  center: boolean,
): void {
  const { batch: m, channels: c, data } = spectra;
  members.forEach((flat, j) => {
    const from = slot[flat]! * m * c;
    for (let i = 0; i < m; i++) {
      const src = 2 * (from + i * c);
      const dst = base + i * width + offset + j * c;
      for (let ch = 0; ch < c; ch++) {
        out[dst + ch] = data[src + 2 * ch]!;
        out[dst + p + ch] = data[src + 2 * ch + 1]!;
      }
    }
  });
  if (!center) return;
  for (let pass = 0; pass < 2; pass++) {
    const mean = new Float64Array(2 * p);
    for (let i = 0; i < m; i++) {
      const row = base + i * width + offset;
      for (let j = 0; j < 2 * p; j++) mean[j]! += out[row + j]!;
    }
    for (let j = 0; j < 2 * p; j++) mean[j]! /= m;
    for (let i = 0; i < m; i++) {
      const row = base + i * width + offset;
      for (let j = 0; j < 2 * p; j++) out[row + j]! -= mean[j]!;
    }
  }
}

/** Z_sᴴZ_t from C = RᵀR, where Z_s's real/imaginary columns start at rs / rs + p and Z_t's at rt / rt + q. */
function complexBlock(c: Float64Array, width: number, rs: number, p: number, rt: number, q: number): ComplexMatrix {
  const out = complexMatrix(p, q);
  for (let s = 0; s < p; s++) {
    const xs = (rs + s) * width;
    const ys = (rs + p + s) * width;
    for (let t = 0; t < q; t++) {
      const xt = rt + t;
      const yt = rt + q + t;
      out.re[s * q + t] = c[xs + xt]! + c[ys + yt]!;
      out.im[s * q + t] = c[xs + yt]! - c[ys + xt]!;
    }
  }
  return out;
}
