import { UsageError } from '../errors.js';

/**
 * How far a compressed member may expand, read once per check from the environment so a user with a legitimately
 * huge or extremely compressible archive can raise them without a rebuild (docs/formats.md, "Limits").
 *   SVCCA_MAX_INFLATE_BYTES  largest uncompressed size one deflated member may declare (bytes; K/M/G/T suffixes)
 *   SVCCA_MAX_INFLATE_RATIO  largest uncompressed ÷ compressed size a deflated member may declare
 * Both are enforced from the zip directory alone, before a byte of data is inflated.
 */
export const DEFAULT_MAX_INFLATE_BYTES = 4 * 1024 ** 3;
/** Real activations deflate by 1–10×, sparse ReLU maps by up to ~60×; deflate itself tops out near 1032×. */
export const DEFAULT_MAX_INFLATE_RATIO = 200;
/** Small members get this much slack over the ratio (a tiny array's header alone compresses very well). */
export const RATIO_SLACK_BYTES = 64 * 1024;

export const INFLATE_BYTES_ENV = 'SVCCA_MAX_INFLATE_BYTES';
export const INFLATE_RATIO_ENV = 'SVCCA_MAX_INFLATE_RATIO';

export interface InflateLimits {
  readonly maxBytes: number;
  readonly maxRatio: number;
}

const SUFFIX: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** `4G`, `512M`, `1000000`, `1.5G` → bytes; anything else is a usage error naming the variable. */
export function parseByteSize(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*$/i.exec(text);
  const value = m ? Number(m[1]) * SUFFIX[m[2]!.toUpperCase()]! : NaN;
  if (!Number.isFinite(value) || value <= 0 || value > Number.MAX_SAFE_INTEGER) {
    throw new UsageError(`${what} must be a positive size in bytes such as 4G or 500M, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  return Math.floor(value);
}

export function inflateLimits(env: NodeJS.ProcessEnv = process.env): InflateLimits {
  const bytes = env[INFLATE_BYTES_ENV];
  const ratio = env[INFLATE_RATIO_ENV];
  let maxRatio = DEFAULT_MAX_INFLATE_RATIO;
  if (ratio !== undefined && ratio !== '') {
    maxRatio = Number(ratio);
    if (!Number.isFinite(maxRatio) || maxRatio < 1) {
      throw new UsageError(`${INFLATE_RATIO_ENV} must be a number of at least 1, got ${JSON.stringify(ratio.slice(0, 40))}`);
    }
  }
  return {
    maxBytes: bytes !== undefined && bytes !== '' ? parseByteSize(bytes, INFLATE_BYTES_ENV) : DEFAULT_MAX_INFLATE_BYTES,
    maxRatio,
  };
}
