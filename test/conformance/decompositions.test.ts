/**
 * The decomposition conformance suite (Eigh, Svd, Cholesky, Qr): written once, run for every registered backend that
 * has the kernels (cpu-js, cpu-wasm-simd, blas, blas-f32); a backend that is unavailable here — blas without the
 * addon or a BLAS library — is reported as skipped with its reason, never as passed (./backends.ts).
 *
 * Inputs have a known answer: S = Q·diag(λ)·Qᵀ and A = U·diag(σ)·Vᵀ with Q, U, V exactly orthogonal products of
 * Householder reflections, so no reference solver is involved. Stated tolerances, relative to the matrix's scale
 * (max |λ| or σ₁), with n the order:
 *   float64 backends: values 1e-12·n, reconstruction 1e-12·n, orthonormality 1e-12·n;
 *   float32 backends: values 1e-5·n, reconstruction 1e-5·n, orthonormality 1e-5·n
 * (measured worst cases here are 10–100× below these; docs/kernels.md).
 */
import { describe, expect, test } from 'vitest';
import { choleskyOf, eighOf, qrOf, svdOf } from '../../native/kernels/index.js';
import { Eigh } from '../../native/kernels/names.js';
import { hasKernel } from '../../native/kernels/registry.js';
import { matrix, type Matrix } from '../../native/linalg/matrix.js';
import { forEachBackend } from './backends.js';
import { seeded } from './reference.js';

/** An n × n orthogonal matrix: the product of `count` Householder reflections I − 2vvᵀ with random unit v. */
function orthogonal(n: number, seed: number, count = 6): Matrix {
  const next = seeded(seed);
  const q = matrix(n, n);
  for (let i = 0; i < n; i++) q.data[i * n + i] = 1;
  for (let h = 0; h < count; h++) {
    const v = Float64Array.from({ length: n }, () => next());
    const norm = Math.hypot(...v);
    for (let i = 0; i < n; i++) v[i]! /= norm;
    // Q ← Q·(I − 2vvᵀ)
    for (let r = 0; r < n; r++) {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += q.data[r * n + k]! * v[k]!;
      for (let k = 0; k < n; k++) q.data[r * n + k]! -= 2 * dot * v[k]!;
    }
  }
  return q;
}

/** X·diag(d)·Yᵀ with X m × r, Y n × r (their first r columns used). */
function compose(x: Matrix, d: Float64Array, y: Matrix): Matrix {
  const r = d.length;
  const out = matrix(x.rows, y.rows);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < y.rows; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += x.data[i * x.cols + k]! * d[k]! * y.data[j * y.cols + k]!;
      out.data[i * y.rows + j] = s;
    }
  }
  return out;
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m;
}

/** max |XᵀX − I| over the columns of X. */
function orthonormalityError(x: Matrix): number {
  let worst = 0;
  for (let a = 0; a < x.cols; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let r = 0; r < x.rows; r++) s += x.data[r * x.cols + a]! * x.data[r * x.cols + b]!;
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

function maxDifference(a: Matrix, b: Matrix): number {
  expect(`${a.rows}×${a.cols}`).toBe(`${b.rows}×${b.cols}`);
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!));
  return worst;
}

function product(a: Matrix, b: Matrix): Matrix {
  const out = matrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const v = a.data[i * a.cols + k]!;
      for (let j = 0; j < b.cols; j++) out.data[i * b.cols + j]! += v * b.data[k * b.cols + j]!;
    }
  }
  return out;
}

/** Spectra with the hard cases: spread, clustered, repeated, zeros (rank deficiency), negative values. */
function spectrum(n: number, kind: 'spread' | 'clustered' | 'deficient' | 'indefinite'): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => {
    if (kind === 'spread') return 10 ** (-6 * (i / Math.max(1, n - 1)));
    if (kind === 'clustered') return i < n / 2 ? 1 + 1e-9 * i : 0.5;
    if (kind === 'deficient') return i < n - 3 ? n - i : 0;
    return (i % 2 === 0 ? 1 : -1) * (n - i);
  });
}

const ORDERS = [1, 2, 17, 70, 150];

await forEachBackend((backend, it) => {
  if (!hasKernel(Eigh, backend.name)) {
    describe.skip(`no decompositions on ${backend.name}: the 'auto' backend runs them`, () => test('none', () => {}));
    return;
  }
  const base = backend.precision === 'f64' ? 1e-12 : 1e-5;
  const options = { backend: backend.name };

  for (const n of ORDERS) {
    for (const kind of ['spread', 'clustered', 'deficient', 'indefinite'] as const) {
      it(`eigh ${n}×${n}, ${kind} spectrum: values, orthonormal vectors, reconstruction`, async () => {
        const q = orthogonal(n, 11 * n + kind.length);
        const lambda = spectrum(n, kind);
        const s = compose(q, lambda, q);
        const scale = maxAbs(lambda);
        const tol = base * Math.max(n, 4);
        const known = Float64Array.from(lambda).sort().reverse();
        const { values, vectors } = await eighOf(s, options);
        for (let i = 0; i < n; i++) expect(Math.abs(values[i]! - known[i]!), `λ${i}`).toBeLessThanOrEqual(tol * scale);
        const v = await vectors();
        expect(orthonormalityError(v)).toBeLessThanOrEqual(tol);
        expect(maxDifference(compose(v, values, v), s)).toBeLessThanOrEqual(tol * scale);
        // Staged: the same values now, the vectors on demand.
        const staged = await eighOf(s, { ...options, vectors: false });
        for (let i = 0; i < n; i++) expect(Math.abs(staged.values[i]! - values[i]!)).toBeLessThanOrEqual(tol * scale);
        expect(orthonormalityError(await staged.vectors())).toBeLessThanOrEqual(tol);
      });
    }
  }

  for (const [m, n] of [[1, 1], [40, 7], [7, 40], [300, 64], [130, 130]] as const) {
    it(`svd ${m}×${n}: singular values, orthonormal U and V, reconstruction`, async () => {
      const r = Math.min(m, n);
      const sigma = Float64Array.from({ length: r }, (_, i) => (i === r - 1 && r > 2 ? 0 : 10 ** (-4 * (i / Math.max(1, r - 1)))));
      const a = compose(orthogonal(m, m + 1), sigma, orthogonal(n, n + 2));
      const tol = base * Math.max(m, n, 4);
      const { u, s, v } = await svdOf(a, options);
      expect(s.length).toBe(r);
      for (let i = 0; i < r; i++) expect(Math.abs(s[i]! - sigma[i]!), `σ${i}`).toBeLessThanOrEqual(tol);
      expect(`${u.rows}×${u.cols} ${v.rows}×${v.cols}`).toBe(`${m}×${r} ${n}×${r}`);
      expect(orthonormalityError(u)).toBeLessThanOrEqual(tol);
      expect(orthonormalityError(v)).toBeLessThanOrEqual(tol);
      expect(maxDifference(compose(u, s, v), a)).toBeLessThanOrEqual(tol);
      const alone = await svdOf(a, { ...options, vectors: false });
      for (let i = 0; i < r; i++) expect(Math.abs(alone.s[i]! - sigma[i]!)).toBeLessThanOrEqual(tol);
    });
  }

  for (const n of [1, 5, 64, 200]) {
    it(`cholesky ${n}×${n}: L lower with a positive diagonal, L·Lᵀ = S, L·L⁻¹ = I`, async () => {
      const lambda = Float64Array.from({ length: n }, (_, i) => 1 + i);
      const s = compose(orthogonal(n, 3 * n), lambda, orthogonal(n, 3 * n));
      const tol = base * Math.max(n, 4);
      const { l, inverse } = await choleskyOf(s, options);
      for (let i = 0; i < n; i++) {
        expect(l.data[i * n + i]!).toBeGreaterThan(0);
        for (let j = i + 1; j < n; j++) expect(l.data[i * n + j], 'upper part of L').toBe(0);
        for (let j = i + 1; j < n; j++) expect(inverse.data[i * n + j], 'upper part of L⁻¹').toBe(0);
      }
      const lt = matrix(n, n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) lt.data[j * n + i] = l.data[i * n + j]!;
      expect(maxDifference(product(l, lt), s)).toBeLessThanOrEqual(tol * n);
      const identity = matrix(n, n);
      for (let i = 0; i < n; i++) identity.data[i * n + i] = 1;
      expect(maxDifference(product(l, inverse), identity)).toBeLessThanOrEqual(tol * n);
    });
  }

  it('cholesky of an indefinite matrix is a RangeError saying so', async () => {
    const s = compose(orthogonal(9, 5), spectrum(9, 'indefinite'), orthogonal(9, 5));
    await expect(choleskyOf(s, options)).rejects.toThrow(RangeError);
    await expect(choleskyOf(s, options)).rejects.toThrow(/not positive definite/);
  });

  for (const [m, n] of [[1, 1], [30, 30], [200, 45]] as const) {
    it(`qr ${m}×${n}: Q orthonormal, R upper triangular, Q·R = A, LAPACK's signs`, async () => {
      const next = seeded(m * n);
      const a = matrix(m, n, Float64Array.from({ length: m * n }, () => next()));
      const tol = base * Math.max(m, 4);
      const { q, r } = await qrOf(a, options);
      expect(orthonormalityError(q)).toBeLessThanOrEqual(tol);
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(r.data[i * n + j]).toBe(0);
      expect(maxDifference(product(q, r), a)).toBeLessThanOrEqual(tol);
      // dgeqrf's convention: R's diagonal has the sign opposite to the column's leading entry after the earlier steps;
      // the JavaScript solver follows it, so both backends agree with numpy's Q column for column.
      const reference = await qrOf(a, { backend: 'cpu-js' });
      for (let i = 0; i < n; i++) expect(Math.sign(r.data[i * n + i]!), `sign of R[${i}][${i}]`).toBe(Math.sign(reference.r.data[i * n + i]!));
    });
  }
});
