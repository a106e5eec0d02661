/**
 * Dense complex matrices for the frequency blocks of DFT-CCA: row-major, real and imaginary parts in two
 * Float64Arrays (split storage keeps every inner loop a plain real multiply-add over contiguous memory, which is what
 * JavaScript engines vectorise best; interleaved storage is kept for FFT buffers only).
 */

export interface ComplexMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

export function complexMatrix(rows: number, cols: number, re?: Float64Array, im?: Float64Array): ComplexMatrix {
  const r = re ?? new Float64Array(rows * cols);
  const i = im ?? new Float64Array(rows * cols);
  if (r.length !== rows * cols || i.length !== rows * cols) {
    throw new RangeError(`complex matrix data has ${r.length}/${i.length} values, expected ${rows}×${cols}`);
  }
  return { rows, cols, re: r, im: i };
}

/** Aᴴ·A (cols × cols), Hermitian: one triangle is accumulated row by row over A, then mirrored. */
export function adjointGram(a: ComplexMatrix): ComplexMatrix {
  const { rows, cols: p, re, im } = a;
  const gr = new Float64Array(p * p);
  const gi = new Float64Array(p * p);
  for (let r = 0; r < rows; r++) {
    const o = r * p;
    for (let s = 0; s < p; s++) {
      // Row s of the lower triangle gets conj(a_s)·a_t for t ≤ s.
      const xr = re[o + s]!;
      const xi = im[o + s]!;
      if (xr === 0 && xi === 0) continue;
      const go = s * p;
      for (let t = 0; t <= s; t++) {
        const yr = re[o + t]!;
        const yi = im[o + t]!;
        gr[go + t]! += xr * yr + xi * yi;
        gi[go + t]! += xr * yi - xi * yr;
      }
    }
  }
  for (let s = 0; s < p; s++) {
    gi[s * p + s] = 0; // exactly real on the diagonal
    for (let t = 0; t < s; t++) {
      gr[t * p + s] = gr[s * p + t]!;
      gi[t * p + s] = -gi[s * p + t]!;
    }
  }
  return complexMatrix(p, p, gr, gi);
}

/** Aᴴ·B (a.cols × b.cols); A and B share their row count. */
export function adjointTimes(a: ComplexMatrix, b: ComplexMatrix): ComplexMatrix {
  if (a.rows !== b.rows) throw new RangeError(`adjointTimes: ${a.rows}×${a.cols}ᴴ · ${b.rows}×${b.cols}`);
  const p = a.cols;
  const q = b.cols;
  const or = new Float64Array(p * q);
  const oi = new Float64Array(p * q);
  for (let r = 0; r < a.rows; r++) {
    const ao = r * p;
    const bo = r * q;
    for (let s = 0; s < p; s++) {
      const xr = a.re[ao + s]!;
      const xi = a.im[ao + s]!;
      if (xr === 0 && xi === 0) continue;
      const oo = s * q;
      for (let t = 0; t < q; t++) {
        const yr = b.re[bo + t]!;
        const yi = b.im[bo + t]!;
        or[oo + t]! += xr * yr + xi * yi;
        oi[oo + t]! += xr * yi - xi * yr;
      }
    }
  }
  return complexMatrix(p, q, or, oi);
}

/** A·B. */
export function complexTimes(a: ComplexMatrix, b: ComplexMatrix): ComplexMatrix {
  if (a.cols !== b.rows) throw new RangeError(`complexTimes: ${a.rows}×${a.cols} · ${b.rows}×${b.cols}`);
  const n = a.rows;
  const p = a.cols;
  const q = b.cols;
  const or = new Float64Array(n * q);
  const oi = new Float64Array(n * q);
  for (let i = 0; i < n; i++) {
    const oo = i * q;
    for (let k = 0; k < p; k++) {
      const xr = a.re[i * p + k]!;
      const xi = a.im[i * p + k]!;
      if (xr === 0 && xi === 0) continue;
      const bo = k * q;
      for (let j = 0; j < q; j++) {
        const yr = b.re[bo + j]!;
        const yi = b.im[bo + j]!;
        or[oo + j]! += xr * yr - xi * yi;
        oi[oo + j]! += xr * yi + xi * yr;
      }
    }
  }
  return complexMatrix(n, q, or, oi);
}

/** Aᴴ. */
export function adjoint(a: ComplexMatrix): ComplexMatrix {
  const { rows, cols } = a;
  const or = new Float64Array(rows * cols);
  const oi = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      or[j * rows + i] = a.re[i * cols + j]!;
      oi[j * rows + i] = -a.im[i * cols + j]!;
    }
  }
  return complexMatrix(cols, rows, or, oi);
}
