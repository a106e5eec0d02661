/**
 * The job kinds a compute host runs: the explicit list (no scanning), each kind a function of plain
 * structured-clone-able params. Callers name the kind; see pool.ts.
 */
import { UsageError } from '../errors.js';
import { openArray } from '../formats/index.js';
import type { JobHandler, JobHandlers } from './host.js';
import { streamCovariance, type StreamLayout, type StreamedCovariance } from './streaming.js';

export const JOB_COVARIANCE = 'layer.covariance';

export interface CovarianceJobParams extends StreamLayout {
  /** `file` or `file:array`. */
  readonly a: string;
  readonly b?: string;
  readonly blockRows?: number;
}

function isCovarianceParams(value: unknown): value is CovarianceJobParams {
  const v = value as Partial<CovarianceJobParams> | null;
  return typeof v === 'object' && v !== null && typeof v.a === 'string' && (v.b === undefined || typeof v.b === 'string');
}

const covariance: JobHandler = async (params, context): Promise<StreamedCovariance> => {
  if (!isCovarianceParams(params)) throw new UsageError(`${JOB_COVARIANCE} job needs {a, b?} layer specs`);
  const a = await openArray(params.a);
  const b = params.b === undefined ? undefined : await openArray(params.b);
  return streamCovariance(a, b, {
    ...(params.conv ? { conv: params.conv } : {}),
    ...(params.layout ? { layout: params.layout } : {}),
    ...(params.blockRows ? { blockRows: params.blockRows } : {}),
    signal: context.signal,
    onProgress: (done, total, label) => context.progress(done, total, label),
  });
};

export const jobHandlers: JobHandlers = {
  [JOB_COVARIANCE]: covariance,
};
