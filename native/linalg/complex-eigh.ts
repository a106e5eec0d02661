/**
 * Hermitian eigendecomposition H = V·diag(λ)·Vᴴ (λ real, V unitary), for the complex frequency blocks of DFT-CCA.
 *
 * Algorithm (the complex counterpart of eigh.ts, as in LAPACK's zhetrd + zsteqr):
 *  1. Householder reduction H = Q·T·Qᴴ, T Hermitian tridiagonal with a real diagonal and complex off-diagonal e_k.
 *     The reflector for column k is chosen with α = −e^{i·arg x₀}·‖x‖, so v₀ = x₀ − α never cancels.
 *  2. A diagonal unitary D (φ₀ = 1, φ_{k+1} = φ_k·e_k/|e_k|) turns T into the REAL symmetric tridiagonal
 *     T' = Dᴴ·T·D with off-diagonal |e_k|: same eigenvalues, eigenvectors y = D·w.
 *  3. Implicit QL with shifts on T' (tql2 of EISPACK/JAMA), rotating real eigenvectors stored as rows.
 *  4. Eigenvectors of H: Q·D·W, with the reflectors applied to D·W last to first.
 * Why not the real embedding [[Re, −Im], [Im, Re]]: it doubles every eigenvalue, so a cut-off falling inside a pair
 * splits it, and its eigenvectors mix the pair arbitrarily; this solver has neither problem and does about half the arithmetic.
 * Accuracy: backward stable, |λ̂ − λ| ≲ n·ε·‖H‖, eigenvectors orthonormal to ~n·ε (tested against numpy.linalg.eigh).
 */
import { complexMatrix, type ComplexMatrix } from './complex-matrix.js';
import { rotatedRows, tridiagonalQL } from './tridiagonal-ql.js';

export interface ComplexEighResult {
  /** Eigenvalues, descending. */
  readonly values: Float64Array;
  /** Columns are the unit eigenvectors in the order of `values` (0×0 when vectors were not asked for). */
  readonly vectors: ComplexMatrix;
}

export interface ComplexEighOptions {
  /** Compute eigenvectors (default true). */
  readonly vectors?: boolean;
}

export function complexEigh(hermitian: ComplexMatrix, options: ComplexEighOptions = {}): ComplexEighResult {
  const n = hermitian.rows;
  if (hermitian.cols !== n) throw new RangeError(`complexEigh: matrix is ${hermitian.rows}×${hermitian.cols}, not square`);
  const wantVectors = options.vectors ?? true;
  if (n === 0) return { values: new Float64Array(0), vectors: complexMatrix(0, 0) };

  // Hermitian part of the input ((H + Hᴴ)/2): a Gram accumulated with rounding is then exactly Hermitian.
  const ar = new Float64Array(n * n);
  const ai = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    ar[i * n + i] = hermitian.re[i * n + i]!;
    for (let j = 0; j < i; j++) {
      const r = 0.5 * (hermitian.re[i * n + j]! + hermitian.re[j * n + i]!);
      const im = 0.5 * (hermitian.im[i * n + j]! - hermitian.im[j * n + i]!);
      ar[i * n + j] = r;
      ai[i * n + j] = im;
      ar[j * n + i] = r;
      ai[j * n + i] = -im;
    }
  }

  const d = new Float64Array(n);
  const offRe = new Float64Array(n);
  const offIm = new Float64Array(n);
  const reflectors = tridiagonalize(ar, ai, n, d, offRe, offIm);

  // Phases that make the off-diagonal real and non-negative.
  const phaseRe = new Float64Array(n);
  const phaseIm = new Float64Array(n);
  const e = new Float64Array(n);
  phaseRe[0] = 1;
  for (let k = 0; k + 1 < n; k++) {
    const mag = Math.hypot(offRe[k]!, offIm[k]!);
    e[k] = mag;
    let ur = 1;
    let ui = 0;
    if (mag > 0) {
      ur = offRe[k]! / mag;
      ui = offIm[k]! / mag;
    }
    phaseRe[k + 1] = phaseRe[k]! * ur - phaseIm[k]! * ui;
    phaseIm[k + 1] = phaseRe[k]! * ui + phaseIm[k]! * ur;
  }
  e[n - 1] = 0;

  // Rows of w are the eigenvectors of T' (identity to start).
  const rows = wantVectors ? rotatedRows(n) : null;
  tridiagonalQL(d, e, n, rows);
  const w = rows?.w;

  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[j]! - d[i]!);
  const values = new Float64Array(n);
  for (let k = 0; k < n; k++) values[k] = d[order[k]!]!;
  if (!w) return { values, vectors: complexMatrix(0, 0) };

  // Y = D·W in the output's column order: Y[r][k] = φ_r·w_{order[k]}[r].
  const yr = new Float64Array(n * n);
  const yi = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const src = order[k]! * n;
    for (let r = 0; r < n; r++) {
      const v = w[src + r]!;
      yr[r * n + k] = phaseRe[r]! * v;
      yi[r * n + k] = phaseIm[r]! * v;
    }
  }
  applyReflectors(reflectors, n, yr, yi);
  return { values, vectors: complexMatrix(n, n, yr, yi) };
}

/** One Householder reflector P = I − β·v·vᴴ acting on rows/columns `start`.. of the matrix. */
interface Reflector {
  readonly start: number;
  readonly beta: number;
  readonly vr: Float64Array;
  readonly vi: Float64Array;
}

/**
 * Reduces the Hermitian (ar, ai) to tridiagonal form in place, column by column, reading and updating only the lower
 * triangle (the upper one goes stale), which halves the work of the two O(n²) steps per column. On return d is the
 * real diagonal and (offRe, offIm)[k] = T[k+1][k]; the reflectors are returned in the order they were applied.
 */
function tridiagonalize(ar: Float64Array, ai: Float64Array, n: number, d: Float64Array, offRe: Float64Array, offIm: Float64Array): Reflector[] {
  const reflectors: Reflector[] = [];
  const pr = new Float64Array(n);
  const pi = new Float64Array(n);
  for (let k = 0; k + 2 < n; k++) {
    const start = k + 1;
    const len = n - start;
    // x = H[k+1.., k], column k below the diagonal (lower triangle).
    const vr = new Float64Array(len);
    const vi = new Float64Array(len);
    let scale = 0;
    let tail = 0;
    for (let j = 0; j < len; j++) {
      const o = (start + j) * n + k;
      vr[j] = ar[o]!;
      vi[j] = ai[o]!;
      scale = Math.max(scale, Math.abs(vr[j]!), Math.abs(vi[j]!));
      if (j > 0) tail += Math.abs(vr[j]!) + Math.abs(vi[j]!);
    }
    const x0r = vr[0]!;
    const x0i = vi[0]!;
    if (scale === 0 || tail === 0) {
      // Already tridiagonal in this column.
      offRe[k] = x0r;
      offIm[k] = x0i;
      continue;
    }
    let sumsq = 0;
    for (let j = 0; j < len; j++) {
      const a = vr[j]! / scale;
      const b = vi[j]! / scale;
      sumsq += a * a + b * b;
    }
    const sigma = scale * Math.sqrt(sumsq);
    const abs0 = Math.hypot(x0r, x0i);
    const phr = abs0 > 0 ? x0r / abs0 : 1;
    const phi = abs0 > 0 ? x0i / abs0 : 0;
    // α = −phase·σ ; v = x − α·e₁ ; ‖v‖² = 2σ(σ + |x₀|) ; β = 2/‖v‖².
    const alphaR = -phr * sigma;
    const alphaI = -phi * sigma;
    vr[0] = x0r - alphaR;
    vi[0] = x0i - alphaI;
    const beta = 1 / (sigma * (sigma + abs0));

    // p = β·A₂₂·v from the lower triangle: row i gives A[i][j]·v_j to p_i (j ≤ i) and conj(A[i][j])·v_i to p_j
    // (j < i), one contiguous pass per row.
    pr.fill(0, 0, len);
    pi.fill(0, 0, len);
    for (let i = 0; i < len; i++) {
      const ro = (start + i) * n + start;
      const vir = vr[i]!;
      const vii = vi[i]!;
      let sr = 0;
      let si = 0;
      for (let j = 0; j < i; j++) {
        const hr = ar[ro + j]!;
        const hi = ai[ro + j]!;
        sr += hr * vr[j]! - hi * vi[j]!;
        si += hr * vi[j]! + hi * vr[j]!;
        pr[j]! += hr * vir + hi * vii;
        pi[j]! += hr * vii - hi * vir;
      }
      const hd = ar[ro + i]!;
      pr[i]! += sr + hd * vir;
      pi[i]! += si + hd * vii;
    }
    // K = (β/2)·vᴴp (real for Hermitian A₂₂) ; w = β·p − K·v ; A₂₂ ← A₂₂ − v·wᴴ − w·vᴴ (lower triangle).
    let kr = 0;
    for (let j = 0; j < len; j++) {
      pr[j] = beta * pr[j]!;
      pi[j] = beta * pi[j]!;
      kr += vr[j]! * pr[j]! + vi[j]! * pi[j]!;
    }
    const kk = 0.5 * beta * kr;
    for (let j = 0; j < len; j++) {
      pr[j] = pr[j]! - kk * vr[j]!;
      pi[j] = pi[j]! - kk * vi[j]!;
    }
    for (let i = 0; i < len; i++) {
      const ro = (start + i) * n + start;
      const vir = vr[i]!;
      const vii = vi[i]!;
      const wir = pr[i]!;
      const wii = pi[i]!;
      for (let j = 0; j <= i; j++) {
        // v_i·conj(w_j) + w_i·conj(v_j)
        const wjr = pr[j]!;
        const wji = pi[j]!;
        const vjr = vr[j]!;
        const vji = vi[j]!;
        ar[ro + j]! -= vir * wjr + vii * wji + wir * vjr + wii * vji;
        ai[ro + j]! -= vii * wjr - vir * wji + wii * vjr - wir * vji;
      }
    }
    offRe[k] = alphaR;
    offIm[k] = alphaI;
    reflectors.push({ start, beta, vr, vi });
  }
  for (let i = 0; i < n; i++) d[i] = ar[i * n + i]!;
  if (n >= 2) {
    offRe[n - 2] = ar[(n - 1) * n + n - 2]!;
    offIm[n - 2] = ai[(n - 1) * n + n - 2]!;
  }
  return reflectors;
}

/** Y ← Q·Y with Q = P₀·P₁⋯, i.e. the reflectors applied last to first (each touches rows start..n−1). */
function applyReflectors(reflectors: readonly Reflector[], n: number, yr: Float64Array, yi: Float64Array): void {
  const tr = new Float64Array(n);
  const ti = new Float64Array(n);
  for (let q = reflectors.length - 1; q >= 0; q--) {
    const { start, beta, vr, vi } = reflectors[q]!;
    const len = n - start;
    // t = vᴴ·Y[start..] (one value per column), accumulated row by row.
    tr.fill(0);
    ti.fill(0);
    for (let j = 0; j < len; j++) {
      const a = vr[j]!;
      const b = -vi[j]!;
      const ro = (start + j) * n;
      for (let c = 0; c < n; c++) {
        const y1 = yr[ro + c]!;
        const y2 = yi[ro + c]!;
        tr[c]! += a * y1 - b * y2;
        ti[c]! += a * y2 + b * y1;
      }
    }
    // Y[start..] −= β·v·t
    for (let j = 0; j < len; j++) {
      const a = beta * vr[j]!;
      const b = beta * vi[j]!;
      const ro = (start + j) * n;
      for (let c = 0; c < n; c++) {
        yr[ro + c]! -= a * tr[c]! - b * ti[c]!;
        yi[ro + c]! -= a * ti[c]! + b * tr[c]!;
      }
    }
  }
}
