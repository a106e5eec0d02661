/**
 * Cholesky factorisation S = L·Lᵀ of a symmetric positive definite matrix, and the inverse transpose L⁻ᵀ that
 * turns nearly orthonormal columns into orthonormal ones (Q ← Q·L⁻ᵀ, the second pass of CholeskyQR2).
 */
import { matrix, type Matrix } from './matrix.js';
import { transpose } from './util.js';

/** Lower-triangular L (row-major, upper part zero). Throws RangeError when a pivot is not positive. */
export function cholesky(s: Matrix): Matrix {
  const n = s.rows;
  if (s.cols !== n) throw new RangeError(`cholesky: matrix is ${s.rows}×${s.cols}, not square`);
  const l = matrix(n, n);
  const ld = l.data;
  const sd = s.data;
  for (let i = 0; i < n; i++) {
    const io = i * n;
    for (let j = 0; j <= i; j++) {
      const jo = j * n;
      let sum = sd[io + j]!;
      for (let k = 0; k < j; k++) sum -= ld[io + k]! * ld[jo + k]!;
      if (i === j) {
        if (!(sum > 0)) throw new RangeError(`cholesky: matrix is not positive definite (pivot ${i} is ${sum})`);
        ld[io + i] = Math.sqrt(sum);
      } else {
        ld[io + j] = sum / ld[jo + j]!;
      }
    }
  }
  return l;
}

/** L⁻ᵀ for lower-triangular L: upper triangular, computed column by column by back substitution. */
export function inverseTransposeLower(l: Matrix): Matrix {
  const n = l.rows;
  const ld = l.data;
  // X = L⁻¹ (lower) by forward substitution on each unit vector, then transpose.
  const x = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let i = c; i < n; i++) {
      let sum = i === c ? 1 : 0;
      const io = i * n;
      for (let k = c; k < i; k++) sum -= ld[io + k]! * x[k * n + c]!;
      x[io + c] = sum / ld[io + i]!;
    }
  }
  const out = matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) out.data[j * n + i] = x[i * n + j]!;
  return out;
}

/** Orders up to this run the scalar loops above; larger ones recurse on halves. */
const RECURSIVE_FROM = 129;

/**
 * S = L·Lᵀ and X = L⁻¹ together, recursively on halves so the O(n³) work — about (4/3)·n³ flops — runs in
 * `product` (xᵀ·y, the float64 kernel):
 *   L₁₁, X₁₁ from S₁₁;  L₂₁ = S₂₁·X₁₁ᵀ;  L₂₂, X₂₂ from S₂₂ − L₂₁·L₂₁ᵀ;  X₂₁ = −X₂₂·(L₂₁·X₁₁).
 * Throws RangeError when a pivot is not positive.
 */
export async function choleskyInverse(s: Matrix, product: (x: Matrix, y: Matrix) => Promise<Matrix>): Promise<{ l: Matrix; inverse: Matrix }> {
  const n = s.rows;
  if (s.cols !== n) throw new RangeError(`cholesky: matrix is ${s.rows}×${s.cols}, not square`);
  if (n < RECURSIVE_FROM) {
    const l = cholesky(s);
    return { l, inverse: transpose(inverseTransposeLower(l)) };
  }
  const n1 = n >> 1;
  const top = await choleskyInverse(block(s, 0, n1, 0, n1), product);
  const l21 = await product(block(s, 0, n1, n1, n), transpose(top.inverse)); // S₁₂ᵀ·X₁₁ᵀ = S₂₁·X₁₁ᵀ
  const l21t = transpose(l21);
  const schur = block(s, n1, n, n1, n);
  const update = await product(l21t, l21t); // L₂₁·L₂₁ᵀ
  for (let i = 0; i < schur.data.length; i++) schur.data[i]! -= update.data[i]!;
  const bottom = await choleskyInverse(schur, product);
  const t = await product(l21t, top.inverse); // L₂₁·X₁₁
  const x21 = await product(transpose(bottom.inverse), t); // X₂₂·L₂₁·X₁₁
  const l = matrix(n, n);
  const inverse = matrix(n, n);
  place(l, top.l, 0, 0);
  place(l, l21, n1, 0);
  place(l, bottom.l, n1, n1);
  place(inverse, top.inverse, 0, 0);
  place(inverse, bottom.inverse, n1, n1);
  for (let i = 0; i < x21.data.length; i++) x21.data[i] = -x21.data[i]!;
  place(inverse, x21, n1, 0);
  return { l, inverse };
}

function block(s: Matrix, r0: number, r1: number, c0: number, c1: number): Matrix {
  const out = matrix(r1 - r0, c1 - c0);
  for (let r = r0; r < r1; r++) out.data.set(s.data.subarray(r * s.cols + c0, r * s.cols + c1), (r - r0) * (c1 - c0));
  return out;
}

function place(into: Matrix, part: Matrix, r0: number, c0: number): void {
  for (let r = 0; r < part.rows; r++) into.data.set(part.data.subarray(r * part.cols, (r + 1) * part.cols), (r0 + r) * into.cols + c0);
}
