/**
 * The compute caches, kept in the workspace index (tables basis_cache and result_cache, see native/index/caches.ts):
 *
 * - basis cache: one prepared basis (centering, kept neurons, orthonormal basis, coordinates; measures/prepare.ts)
 *   per layer array, keyed by the file's content hash, size and mtime, the array's name inside the file, and every
 *   parameter that changes the basis (epsilon, conv mode, layout, neurons-first, the format version below). N runs
 *   cost N decompositions once; every later question on those layers starts from the cache.
 * - result cache: finished pair similarities and whole matrices, keyed by the basis keys of their inputs and the
 *   measure's parameters. Repeating a question reads one row.
 *
 * Invalidation: a rewritten file has a new size/mtime (and, if its bytes changed, a new content hash), hence new keys:
 * stale entries are never read, and the least recently used bases are pruned past a byte budget.
 * Blobs are self-describing: a small JSON header, then each typed-array field of the basis, 8-byte aligned.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { PreparedBasis } from '../measures/types.js';

/** Bump when prepareBasis's output changes meaning, so bases written by an older build are not reused. */
export const BASIS_FORMAT_VERSION = 1;

/** Default budget of the basis cache (bytes); SVCCA_BASIS_CACHE_MB overrides it. */
export const DEFAULT_BASIS_CACHE_BYTES = 2 * 1024 ** 3;

/** What the caches need from the workspace index (WorkspaceIndex satisfies it). */
export interface CacheStore {
  contentHash(path: string): Promise<string>;
  readonly caches: {
    getBasis(key: string): { blob: Buffer } | undefined;
    putBasis(key: string, contentHash: string, params: string, blob: Uint8Array): void;
    prune(maxBytes: number): void;
    getResult(key: string): unknown;
    putResult(key: string, inputs: readonly string[], params: string, value: unknown): void;
  };
}

/** The identity of one layer array's bytes: content hash plus the stat it was taken at. */
export interface LayerFingerprint {
  readonly contentHash: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export async function fingerprint(store: CacheStore, path: string): Promise<LayerFingerprint> {
  const before = await stat(path);
  const contentHash = await store.contentHash(path);
  return { contentHash, size: before.size, mtimeMs: before.mtimeMs };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Parameters that change a prepared basis. */
export interface BasisParams {
  /** The kernel backend that computes the decomposition's products (a float32 one gives other digits). */
  readonly kernel: string;
  /** The array inside a container, or null for a bare .npy. */
  readonly array: string | null;
  readonly epsilon: number;
  readonly conv: string;
  readonly layout: string;
  readonly neuronsFirst: boolean;
}

export function basisParamsText(params: BasisParams): string {
  return JSON.stringify({ v: BASIS_FORMAT_VERSION, ...params });
}

export function basisKey(fp: LayerFingerprint, params: BasisParams): string {
  return sha256(`basis|${fp.contentHash}|${fp.size}|${fp.mtimeMs}|${basisParamsText(params)}`);
}

export function resultKey(kind: string, inputs: readonly string[], params: string): string {
  return sha256(`${kind}|${inputs.join(',')}|${params}`);
}

export function basisCacheBudget(): number {
  const mb = Number.parseFloat(process.env['SVCCA_BASIS_CACHE_MB'] ?? '');
  return Number.isFinite(mb) && mb >= 0 ? mb * 1024 * 1024 : DEFAULT_BASIS_CACHE_BYTES;
}

// ---- blob encoding -------------------------------------------------------------------------------------------

const MAGIC = 0x42435653; // "SVCB" little-endian
type TypedArrayName = 'Float64Array' | 'Float32Array' | 'Int32Array' | 'Uint8Array';
const CONSTRUCTORS = { Float64Array, Float32Array, Int32Array, Uint8Array } as const;
type AnyTyped = Float64Array | Float32Array | Int32Array | Uint8Array;

interface BlobHeader {
  readonly littleEndian: boolean;
  readonly fields: Record<string, unknown>;
  readonly arrays: Array<{ name: string; type: TypedArrayName; offset: number; length: number }>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function typedName(value: unknown): TypedArrayName | null {
  for (const name of Object.keys(CONSTRUCTORS) as TypedArrayName[]) if (value instanceof CONSTRUCTORS[name]) return name;
  return null;
}

/** Plain fields as JSON, typed-array fields as raw bytes: works for any PreparedBasis shape the measures define. */
export function encodeBasis(basis: PreparedBasis): Uint8Array {
  const fields: Record<string, unknown> = {};
  const arrays: BlobHeader['arrays'] = [];
  const payloads: AnyTyped[] = [];
  let offset = 0;
  for (const [name, value] of Object.entries(basis)) {
    const type = typedName(value);
    if (!type) {
      fields[name] = value;
      continue;
    }
    const typed = value as AnyTyped;
    arrays.push({ name, type, offset, length: typed.length });
    payloads.push(typed);
    offset += align8(typed.byteLength);
  }
  const header = new TextEncoder().encode(JSON.stringify({ littleEndian: LITTLE_ENDIAN, fields, arrays } satisfies BlobHeader));
  const start = align8(12 + header.length);
  const out = new Uint8Array(start + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, BASIS_FORMAT_VERSION, true);
  view.setUint32(8, header.length, true);
  out.set(header, 12);
  arrays.forEach((a, i) => {
    const p = payloads[i]!;
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), start + a.offset);
  });
  return out;
}

/** The basis back, or null for a blob of another version or byte order (then the caller recomputes). */
export function decodeBasis(blob: Uint8Array): PreparedBasis | null {
  if (blob.byteLength < 12) return null;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== BASIS_FORMAT_VERSION) return null;
  const headerLength = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(blob.subarray(12, 12 + headerLength))) as BlobHeader;
  if (header.littleEndian !== LITTLE_ENDIAN) return null;
  const start = align8(12 + headerLength);
  const out: Record<string, unknown> = { ...header.fields };
  for (const a of header.arrays) {
    const Ctor = CONSTRUCTORS[a.type];
    const bytes = a.length * Ctor.BYTES_PER_ELEMENT;
    // Copy into a fresh, aligned buffer: a SQLite blob's offset need not be a multiple of 8.
    const copy = new Uint8Array(bytes);
    copy.set(blob.subarray(start + a.offset, start + a.offset + bytes));
    out[a.name] = new Ctor(copy.buffer);
  }
  return out as unknown as PreparedBasis;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

// ---- cache access --------------------------------------------------------------------------------------------

export interface CacheCounters {
  basisHits: number;
  basisMisses: number;
  pairHits: number;
  pairMisses: number;
  matrixHit: boolean;
}

export function newCounters(): CacheCounters {
  return { basisHits: 0, basisMisses: 0, pairHits: 0, pairMisses: 0, matrixHit: false };
}

/** The cache operations the matrix needs, counting hits and misses; `enabled: false` bypasses both tables. */
export class ComputeCache {
  readonly counters = newCounters();
  private putSinceprune = 0;
  private storedThisCall = 0;

  constructor(
    private readonly store: CacheStore,
    private readonly enabled = true,
    private readonly budget = basisCacheBudget(),
  ) {}

  getBasis(key: string): PreparedBasis | null {
    if (!this.enabled) return null;
    const row = this.store.caches.getBasis(key);
    const basis = row ? decodeBasis(row.blob) : null;
    if (basis) this.counters.basisHits++;
    else this.counters.basisMisses++;
    return basis;
  }

  putBasis(key: string, fp: LayerFingerprint, params: BasisParams, basis: PreparedBasis): void {
    if (!this.enabled) return;
    const blob = encodeBasis(basis);
    this.putBasisBlob(key, fp, params, blob.byteLength, () => blob);
  }

  /** A basis as its blob of `bytes` bytes, read by `blob` only if it will be stored (a spooled basis, spool.ts). */
  putBasisBlob(key: string, fp: LayerFingerprint, params: BasisParams, bytes: number, blob: () => Uint8Array): void {
    if (!this.enabled) return;
    // A basis larger than a quarter of the budget would evict most others for one entry: not worth keeping. And one
    // job never writes more than the budget: it would only evict its own first bases (200 nets × 41 MB = 8 GB of
    // writes for nothing); the pair cache still answers a repeat of the job.
    if (bytes > this.budget / 4 || this.storedThisCall + bytes > this.budget) return;
    this.store.caches.putBasis(key, fp.contentHash, basisParamsText(params), blob());
    this.storedThisCall += bytes;
    this.putSinceprune += bytes;
    if (this.putSinceprune > this.budget / 16) {
      this.store.caches.prune(this.budget);
      this.putSinceprune = 0;
    }
  }

  getResult<T>(key: string): T | undefined {
    if (!this.enabled) return undefined;
    return this.store.caches.getResult(key) as T | undefined;
  }

  putResult(key: string, inputs: readonly string[], params: string, value: unknown): void {
    if (this.enabled) this.store.caches.putResult(key, inputs, params, value);
  }
}
