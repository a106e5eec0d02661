/**
 * canonicalPair: both sides' canonical directions of a square M from one decomposition. Pinned by the defining
 * relations (M·v_i = ρ_i·u_i, Mᵀ·u_i = ρ_i·v_i, VᵀV = I) and against numpy's SVD where the directions are determined.
 */
import { describe, expect, it } from 'vitest';
import { canonicalCorrelations, canonicalPair } from '../../../native/measures/correlations.js';
import { matrix, type Matrix } from '../../../native/linalg/matrix.js';
import { matmul, transpose } from '../../../native/linalg/util.js';
import { python, randomMatrix, toNested } from '../linalg/helpers.js';

function orthonormal(rows: number, cols: number, seed: number): Matrix {
  const q = python<number[][]>('out = np.linalg.qr(np.array(inp["x"]))[0]', { x: toNested(randomMatrix(rows, cols, seed)) });
  return matrix(rows, cols, Float64Array.from(q.flat()));
}

/** U·diag(s)·Vᵀ for random orthogonal U, V. */
function withSingularValues(s: readonly number[], seed: number): Matrix {
  const k = s.length;
  const u = orthonormal(k, k, seed);
  const v = orthonormal(k, k, seed + 1);
  const us = matrix(k, k);
  for (let r = 0; r < k; r++) for (let i = 0; i < k; i++) us.data[r * k + i] = u.data[r * k + i]! * s[i]!;
  return matmul(us, transpose(v));
}

/**
 * M·v_i = ρ_i·u_i and Mᵀ·u_i = ρ_i·v_i to `tolerance` for the first `resolved` columns (default all), VᵀV = I; the
 * columns past `resolved` (σ below what an eigendecomposition of M·Mᵀ can tell from 0, ~√ε·‖M‖) only lie in the near
 * null space: ‖M·v_i‖ ≤ 1e-7.
 */
function checkRelations(m: Matrix, result: { rho: Float64Array; u: Matrix | null; v: Matrix }, tolerance: number, resolved = m.rows): void {
  const k = m.rows;
  const u = result.u!;
  const { v, rho } = result;
  const mv = matmul(m, v);
  const mtu = matmul(transpose(m), u);
  const vtv = matmul(transpose(v), v);
  let residual = 0;
  let orthogonality = 0;
  let nearNull = 0;
  for (let r = 0; r < k; r++) {
    for (let i = 0; i < k; i++) {
      if (i < resolved) residual = Math.max(residual, Math.abs(mv.data[r * k + i]! - rho[i]! * u.data[r * k + i]!), Math.abs(mtu.data[r * k + i]! - rho[i]! * v.data[r * k + i]!));
      else nearNull = Math.max(nearNull, Math.abs(mv.data[r * k + i]!));
      orthogonality = Math.max(orthogonality, Math.abs(vtv.data[r * k + i]! - (r === i ? 1 : 0)));
    }
  }
  expect(residual).toBeLessThan(tolerance);
  expect(orthogonality).toBeLessThan(tolerance);
  expect(nearNull).toBeLessThan(1e-7);
}

describe('canonicalPair (U and V of a square M from one eigendecomposition)', () => {
  it('two random bases in R^200: the same ρ and U as canonicalCorrelations, V as numpy\'s SVD', async () => {
    const qa = orthonormal(200, 40, 11);
    const qb = orthonormal(200, 40, 12);
    const m = matmul(transpose(qa), qb);
    const pair = await canonicalPair(m);
    const alone = await canonicalCorrelations(m, true);
    expect(Array.from(pair.rho)).toEqual(Array.from(alone.rho));
    expect(Array.from(pair.u!.data)).toEqual(Array.from(alone.u!.data));
    checkRelations(m, pair, 1e-13);
    const reference = python<{ s: number[]; vt: number[][] }>('u, s, vt = np.linalg.svd(np.array(inp["m"]))\nout = {"s": s, "vt": vt}', { m: toNested(m) });
    for (let i = 0; i < 40; i++) {
      expect(pair.rho[i]).toBeCloseTo(reference.s[i]!, 13);
      let dot = 0;
      for (let r = 0; r < 40; r++) dot += pair.v.data[r * 40 + i]! * reference.vt[i]![r]!;
      expect(Math.abs(dot)).toBeCloseTo(1, 9); // the same direction up to sign
    }
  });

  it('shared and orthogonal directions (ρ = 1 ×6, 0 ×6): V spans the null space of M where ρ = 0', async () => {
    const q = orthonormal(120, 18, 21);
    const pick = (cols: number[]): Matrix => {
      const out = matrix(120, cols.length);
      for (let r = 0; r < 120; r++) cols.forEach((c, i) => (out.data[r * cols.length + i] = q.data[r * 18 + c]!));
      return out;
    };
    const m = matmul(transpose(pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])), pick([0, 1, 2, 3, 4, 5, 12, 13, 14, 15, 16, 17]));
    const pair = await canonicalPair(m);
    for (let i = 0; i < 6; i++) expect(pair.rho[i]).toBeCloseTo(1, 14);
    for (let i = 6; i < 12; i++) expect(pair.rho[i]).toBeLessThan(1e-14);
    checkRelations(m, pair, 1e-13);
  });

  it('graded singular values down to zero (1 … 1e-12, 0): the relations hold, and V matches numpy where σ is resolved', async () => {
    const s = [1, 0.9, 0.6, 0.3, 0.12, 0.08, 0.05, 1e-3, 1e-5, 1e-8, 1e-12, 0];
    const m = withSingularValues(s, 31);
    const pair = await canonicalPair(m);
    // u_i from M·Mᵀ carries ~ε·‖M‖²/gap(σ²) — about 1e-12 at σ = 1e-5 — and so does the relation.
    checkRelations(m, pair, 1e-11, 9);
    const reference = python<{ vt: number[][] }>('u, s, vt = np.linalg.svd(np.array(inp["m"]))\nout = {"vt": vt}', { m: toNested(m) });
    for (let i = 0; i < 9; i++) {
      let dot = 0;
      for (let r = 0; r < s.length; r++) dot += pair.v.data[r * s.length + i]! * reference.vt[i]![r]!;
      expect(Math.abs(dot)).toBeCloseTo(1, 5); // σ = 1e-5 is resolved to ~1e-6 by an eigendecomposition of M·Mᵀ
    }
  });

  it('M = 0 and M of size 1', async () => {
    const zero = await canonicalPair(matrix(5, 5));
    expect(Array.from(zero.rho)).toEqual([0, 0, 0, 0, 0]);
    checkRelations(matrix(5, 5), zero, 1e-15);
    const one = await canonicalPair(matrix(1, 1, Float64Array.of(-0.5)));
    expect(one.rho[0]).toBeCloseTo(0.5, 15);
    checkRelations(matrix(1, 1, Float64Array.of(-0.5)), one, 1e-15);
  });

  it('refuses a non-square M', async () => {
    await expect(canonicalPair(matrix(3, 4))).rejects.toThrow(/square/);
  });
});
