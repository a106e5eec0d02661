/**
 * One descriptor per measure: the facts about it that callers used to restate (which measures are symmetric, which
 * take --keep/--dims, which run on DFT-CCA's frequency blocks, what a layer scores against itself), and the option
 * checks that follow from them. Every front end and every job reads these; none keeps its own list.
 */
import { UsageError } from '../errors.js';
import { METHODS, type ConvMode, type Method } from './measure.js';

export interface MeasureDescriptor {
  readonly method: Method;
  /** How the UI and docs name it. */
  readonly label: string;
  /** value(A, B) = value(B, A): all-pairs jobs compute one per unordered pair. */
  readonly symmetric: boolean;
  /** Takes --keep / --dims (how many singular directions of each layer enter). */
  readonly truncatable: boolean;
  /** The fraction of the singular-value sum it keeps when neither --keep nor --dims is given (null: all directions). */
  readonly defaultKeep: number | null;
  /** Runs on DFT-CCA's per-frequency blocks (`--conv dft`). */
  readonly dftCapable: boolean;
  /** Its value for a layer against itself (every canonical correlation is 1; CKA(X, X) = 1). */
  readonly selfValue: number;
}

/** SVCCA's default: the smallest number of directions whose singular values reach 99% of their sum ([Raghu2017-SVCCA] sec. 2). */
export const DEFAULT_KEEP = 0.99;

const descriptor = (method: Method, label: string, facts: Omit<MeasureDescriptor, 'method' | 'label' | 'selfValue'>): MeasureDescriptor => ({
  method,
  label,
  selfValue: 1,
  ...facts,
});

export const MEASURES: Readonly<Record<Method, MeasureDescriptor>> = {
  cca: descriptor('cca', 'CCA', { symmetric: true, truncatable: true, defaultKeep: null, dftCapable: true }),
  svcca: descriptor('svcca', 'SVCCA', { symmetric: true, truncatable: true, defaultKeep: DEFAULT_KEEP, dftCapable: true }),
  // Weighted SVCCA and PWCCA weigh the correlations by the first layer's directions: (A, B) ≠ (B, A).
  'svcca-weighted': descriptor('svcca-weighted', 'Weighted SVCCA', { symmetric: false, truncatable: true, defaultKeep: DEFAULT_KEEP, dftCapable: false }),
  pwcca: descriptor('pwcca', 'PWCCA', { symmetric: false, truncatable: true, defaultKeep: null, dftCapable: true }),
  cka: descriptor('cka', 'linear CKA', { symmetric: true, truncatable: false, defaultKeep: null, dftCapable: false }),
  // DFT-CCA is CCA on the frequency blocks ([Raghu2017-SVCCA] Theorem 1); `--method dft-cca` is shorthand for cca under
  // --conv dft.
  'dft-cca': descriptor('dft-cca', 'DFT-CCA', { symmetric: true, truncatable: true, defaultKeep: null, dftCapable: true }),
};

/** The measures that run on the frequency blocks, as the CLI lists them. */
export const DFT_MEASURES: readonly Method[] = METHODS.filter((m) => MEASURES[m].dftCapable && m !== 'dft-cca');

export interface MeasureChoice {
  readonly method: Method;
  readonly conv?: ConvMode | 'mean';
  readonly keep?: number | undefined;
  readonly dims?: number | undefined;
}

/** --keep and --dims are two ways to say how many directions enter: one at a time. */
export function checkTruncationChoice(keep: number | undefined, dims: number | undefined): void {
  if (keep !== undefined && dims !== undefined) throw new UsageError('give either --keep or --dims, not both');
}

/** Refuses the method/conv/truncation combinations that mean nothing, naming the flag; one wording everywhere. */
export function checkMeasureChoice(choice: MeasureChoice): void {
  const { method, conv, keep, dims } = choice;
  const descriptor = MEASURES[method];
  if (!descriptor) throw new UsageError(`unknown method '${String(method)}'; use one of ${METHODS.join('|')}`);
  checkTruncationChoice(keep, dims);
  if (!descriptor.truncatable && (keep !== undefined || dims !== undefined)) throw new UsageError(`--keep and --dims do not apply to ${method}`);
  if (method === 'dft-cca' && conv !== undefined && conv !== 'dft') {
    throw new UsageError(`--method dft-cca compares conv layers by frequency with --conv dft, not --conv ${conv}`);
  }
  if (conv === 'dft' && !descriptor.dftCapable) throw new UsageError(`--conv dft runs ${DFT_MEASURES.join(', ')} on the frequency blocks, not ${method}`);
}
