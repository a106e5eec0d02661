/**
 * The similarity measures the sampling analyses (significance, layer identification) can run, behind one shape:
 * prepare each side once, optionally permute a prepared side's datapoints (cheap: the prepared forms are
 * permutation-equivariant), compare. The CCA family and linear CKA go through measures/ (prepared bases);
 * `cka-debiased` is the debiased linear CKA measures/cka.ts reports beside the plain one; `cka-rbf` is
 * kernel-cka.ts's RBF CKA.
 */
import { InputError, UsageError } from '../errors.js';
import { matrix, type Matrix } from '../linalg/matrix.js';
import { BASIS_METHODS, compareBases, type BasisMethod } from '../measures/compare.js';
import { prepareBasis } from '../measures/prepare.js';
import type { PreparedBasis } from '../measures/types.js';
import { centeredKernel, ckaOfCentered, DEFAULT_RBF_SIGMA } from './kernel-cka.js';

/** Above this many rows the m × m Gram costs more memory than it saves time; linear CKA then uses the bases. */
export const GRAM_ROUTE_MAX_ROWS = 2_000;

export type AnalysisMethod = BasisMethod | 'cka-debiased' | 'cka-rbf';
export const ANALYSIS_METHODS: readonly AnalysisMethod[] = [...BASIS_METHODS, 'cka-debiased', 'cka-rbf'];

export interface MeasureSpec {
  readonly method: AnalysisMethod;
  readonly keep?: number;
  readonly dims?: number;
  readonly epsilon?: number;
  /** cka-rbf: σ as a fraction of the median distance. */
  readonly sigma?: number;
}

export type Prepared = { readonly kind: 'basis'; readonly basis: PreparedBasis } | { readonly kind: 'gram'; readonly gram: Matrix; readonly ref: string };

export function checkAnalysisMethod(method: string): AnalysisMethod {
  if ((ANALYSIS_METHODS as readonly string[]).includes(method)) return method as AnalysisMethod;
  throw new UsageError(`unknown method '${method}'; use one of ${ANALYSIS_METHODS.join('|')}`);
}

/**
 * `gram`: prepare linear CKA (plain or debiased) as a centered datapoint Gram matrix too — O(m²) per pair instead of
 * O(m·k²), the cheaper route when one layer meets many others and has many directions (up to GRAM_ROUTE_MAX_ROWS).
 */
export async function prepareFor(spec: MeasureSpec, x: Matrix, ref: string, options: { gram?: boolean } = {}): Promise<Prepared> {
  if (spec.method === 'cka-rbf') return { kind: 'gram', gram: centeredKernel(x, { kernel: 'rbf', sigma: spec.sigma ?? DEFAULT_RBF_SIGMA }, ref), ref };
  if (options.gram && x.rows <= GRAM_ROUTE_MAX_ROWS && (spec.method === 'cka' || spec.method === 'cka-debiased')) {
    return { kind: 'gram', gram: centeredKernel(x, { kernel: 'linear', debiased: spec.method === 'cka-debiased' }, ref), ref };
  }
  return { kind: 'basis', basis: await prepareBasis(x, { epsilon: spec.epsilon, ref }) };
}

/**
 * The prepared form of the same layer with its datapoints reordered: datapoint d of the result is datapoint
 * order[d] of the input; each datapoint owns `rowsPerDatapoint` consecutive rows (conv positions).
 */
export function permutePrepared(p: Prepared, order: Int32Array, rowsPerDatapoint: number): Prepared {
  if (p.kind === 'gram') {
    if (rowsPerDatapoint !== 1) throw new RangeError('permutePrepared: Gram matrices have one row per datapoint');
    const m = p.gram.rows;
    const out = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      const src = order[i]! * m;
      for (let j = 0; j < m; j++) out[i * m + j] = p.gram.data[src + order[j]!]!;
    }
    return { kind: 'gram', gram: matrix(m, m, out), ref: p.ref };
  }
  const b = p.basis;
  const width = b.rank * rowsPerDatapoint;
  const basis = new Float64Array(b.basis.length);
  for (let d = 0; d < order.length; d++) basis.set(b.basis.subarray(order[d]! * width, (order[d]! + 1) * width), d * width);
  return { kind: 'basis', basis: { ...b, basis } };
}

export async function compareFor(spec: MeasureSpec, a: Prepared, b: Prepared): Promise<{ similarity: number; coefficients: number[] }> {
  if (a.kind === 'gram' || b.kind === 'gram') {
    if (a.kind !== 'gram' || b.kind !== 'gram') throw new TypeError('compareFor: mixed prepared kinds');
    if (a.gram.rows !== b.gram.rows) throw new InputError(b.ref, `has ${b.gram.rows} datapoints but ${a.ref} has ${a.gram.rows}`);
    // Kernel CKA is ⟨K̃, L̃⟩ / (‖K̃‖·‖L̃‖) for either centering (the debiased one is centered that way already).
    return { similarity: ckaOfCentered(a.gram, b.gram), coefficients: [] };
  }
  const { method, keep, dims, epsilon } = spec;
  if (method === 'cka-rbf') throw new TypeError('compareFor: cka-rbf needs Gram matrices');
  if (method === 'cka' || method === 'cka-debiased') {
    const result = await compareBases(a.basis, b.basis, { method: 'cka', epsilon });
    if (method === 'cka') return result;
    const debiased = (result as { debiased?: unknown }).debiased;
    if (typeof debiased !== 'number') throw new InputError(a.basis.ref, 'debiased CKA is undefined here (it needs at least 4 datapoints and layers that vary)');
    return { similarity: debiased, coefficients: [] };
  }
  return compareBases(a.basis, b.basis, { method, keep, dims, epsilon });
}
