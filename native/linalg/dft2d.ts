/**
 * Two-dimensional DFT of image-like maps: rows first, then columns, each with the 1-D plan of its length (fft.ts),
 * so any height and width work (odd, prime, non-square).
 *
 *   Z[u, v] = s · Σ_{y<h, x<w} X[y, x] · e^{−2πi·(uy/h + vx/w)},   s = 1 (plain) or 1/√(hw) (unitary).
 *
 * `dft2dChannels` transforms every channel of every datapoint of a channels-last conv layer and writes the result
 * frequency-major — (frequency, datapoint, channel) — because DFT-CCA then works one frequency at a time and wants
 * that frequency's m×c matrix contiguous.
 */
import { fftPlan } from './fft.js';

/** In-place-safe 2-D DFT of one complex map (interleaved, row-major h×w): out ← DFT₂(input), unnormalised. */
export function dft2d(out: Float64Array, input: Float64Array, height: number, width: number): void {
  new Dft2dPlan(height, width).forward(out, input);
}

/** A reusable 2-D transform of one size, holding its scratch rows/columns. */
export class Dft2dPlan {
  private readonly rowIn: Float64Array;
  private readonly rowOut: Float64Array;
  private readonly colIn: Float64Array;
  private readonly colOut: Float64Array;
  private readonly rows: Float64Array;

  constructor(
    readonly height: number,
    readonly width: number,
  ) {
    if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
      throw new RangeError(`dft2d: size must be positive integers, got ${height}×${width}`);
    }
    this.rowIn = new Float64Array(2 * width);
    this.rowOut = new Float64Array(2 * width);
    this.colIn = new Float64Array(2 * height);
    this.colOut = new Float64Array(2 * height);
    this.rows = new Float64Array(2 * height * width);
  }

  /** out ← DFT₂(input), unnormalised; both interleaved h×w (out may be input). */
  forward(out: Float64Array, input: Float64Array): void {
    const h = this.height;
    const w = this.width;
    const n2 = 2 * h * w;
    if (out.length !== n2 || input.length !== n2) throw new RangeError(`dft2d ${h}×${w}: buffers must hold ${n2} values`);
    const fw = fftPlan(w);
    const fh = fftPlan(h);
    const rows = this.rows;
    for (let y = 0; y < h; y++) {
      const o = 2 * y * w;
      this.rowIn.set(input.subarray(o, o + 2 * w));
      fw.forward(this.rowOut, this.rowIn);
      rows.set(this.rowOut, o);
    }
    const colIn = this.colIn;
    const colOut = this.colOut;
    for (let x = 0; x < w; x++) {
      for (let y = 0; y < h; y++) {
        colIn[2 * y] = rows[2 * (y * w + x)]!;
        colIn[2 * y + 1] = rows[2 * (y * w + x) + 1]!;
      }
      fh.forward(colOut, colIn);
      for (let u = 0; u < h; u++) {
        out[2 * (u * w + x)] = colOut[2 * u]!;
        out[2 * (u * w + x) + 1] = colOut[2 * u + 1]!;
      }
    }
  }
}

/** A channels-last conv layer: `data` is real (batch, height, width, channels), C order. */
export interface ChannelMaps {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly data: Float64Array;
}

/** The 2-D spectra of every channel map, frequency-major. */
export interface ChannelSpectra {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** The flat frequency indices u·width + v held, in storage order. */
  readonly frequencies: Int32Array;
  /** Interleaved complex, shape (frequencies.length, batch, channels): (k, i, c) at 2·((k·batch + i)·channels + c). */
  readonly data: Float64Array;
}

export interface Dft2dChannelsOptions {
  /** Flat indices u·width + v to keep (default: all h·w). Real maps need only about half (conjugate symmetry). */
  readonly frequencies?: ArrayLike<number>;
  /** 'unitary' (default) scales by 1/√(hw), so energy is preserved (Parseval); 'none' leaves sums unscaled. */
  readonly normalization?: 'unitary' | 'none';
}

export function dft2dChannels(maps: ChannelMaps, options: Dft2dChannelsOptions = {}): ChannelSpectra {
  const { batch, height: h, width: w, channels: c, data } = maps;
  const hw = h * w;
  if (data.length !== batch * hw * c) {
    throw new RangeError(`dft2dChannels: ${data.length} values for shape (${batch}, ${h}, ${w}, ${c})`);
  }
  const frequencies = Int32Array.from(options.frequencies ?? Array.from({ length: hw }, (_, k) => k));
  for (const f of frequencies) {
    if (!Number.isInteger(f) || f < 0 || f >= hw) throw new RangeError(`dft2dChannels: frequency index ${f} outside 0..${hw - 1}`);
  }
  const scale = (options.normalization ?? 'unitary') === 'unitary' ? 1 / Math.sqrt(hw) : 1;
  const kf = frequencies.length;
  const out = new Float64Array(2 * kf * batch * c);
  const plan = new Dft2dPlan(h, w);
  const map = new Float64Array(2 * hw);
  const spectrum = new Float64Array(2 * hw);
  for (let i = 0; i < batch; i++) {
    const base = i * hw * c;
    for (let ch = 0; ch < c; ch++) {
      // Gather channel ch of datapoint i (stride c in channels-last storage) as a complex map with zero imaginary part.
      for (let p = 0; p < hw; p++) {
        map[2 * p] = data[base + p * c + ch]!;
        map[2 * p + 1] = 0;
      }
      plan.forward(spectrum, map);
      for (let k = 0; k < kf; k++) {
        const f = frequencies[k]!;
        const o = 2 * ((k * batch + i) * c + ch);
        out[o] = spectrum[2 * f]! * scale;
        out[o + 1] = spectrum[2 * f + 1]! * scale;
      }
    }
  }
  return { batch, height: h, width: w, channels: c, frequencies, data: out };
}
