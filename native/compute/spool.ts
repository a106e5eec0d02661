/**
 * Prepared bases handed between processes through files instead of the IPC channel. Node's channel moves large typed
 * arrays at ~100–400 MB/s and holds both processes while it does (twelve 512 × 10000 bases, one pair tile, took 4.5 s
 * here); the same bytes written once to a file are read back by a worker from the page cache in tens of milliseconds.
 * The same holds for a worker's result: a decomposition job given a spool path writes its basis there and answers
 * with the path. A spool is one private directory per job, removed with it; each basis is written at most once, and
 * the process that runs the job holds paths, not bases.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PreparedBasis } from '../measures/types.js';
import { decodeBasis, encodeBasis } from './cache.js';

/** A basis that lives in a spool file: what a job's params and results carry in its place. */
export interface SpooledBasis {
  readonly spooled: string;
  /** The file's size (the basis blob's, cache.ts `encodeBasis`). */
  readonly bytes: number;
  /** The basis's layer and numerical rank, for reports. */
  readonly ref: string;
  readonly rank: number;
}

export function isSpooled(value: unknown): value is SpooledBasis {
  return typeof value === 'object' && value !== null && typeof (value as Partial<SpooledBasis>).spooled === 'string';
}

/** Write a basis to `path` (in the worker that computed it) and return its entry. */
export function spoolBasis(basis: PreparedBasis, path: string): SpooledBasis {
  const blob = encodeBasis(basis);
  writeFileSync(path, blob);
  return entryOf(basis, path, blob);
}

function entryOf(basis: PreparedBasis, path: string, blob: Uint8Array): SpooledBasis {
  return { spooled: path, bytes: blob.byteLength, ref: basis.ref, rank: basis.rank };
}

/** A spooled basis's blob, as the basis cache stores it. */
export function readSpooledBlob(entry: SpooledBasis): Uint8Array {
  return readFileSync(entry.spooled);
}

/** Read a spooled basis back. */
export function readSpooled(entry: SpooledBasis): PreparedBasis {
  const basis = decodeBasis(readSpooledBlob(entry));
  if (!basis) throw new Error(`spool file ${entry.spooled} does not hold a basis of this build`);
  return basis;
}

/** Bases or spooled bases → bases (in the process that uses them). */
export function unspool(entries: ReadonlyArray<PreparedBasis | SpooledBasis>): PreparedBasis[] {
  return entries.map((entry) => (isSpooled(entry) ? readSpooled(entry) : entry));
}

export class BasisSpool {
  private directory: string | null = null;
  private readonly written = new Map<PreparedBasis, Promise<SpooledBasis>>();
  private count = 0;

  /**
   * The spooled form of `basis`, written on first use (asynchronously: a job can start while others are written); an
   * entry already spooled passes through.
   */
  entry(basis: PreparedBasis | SpooledBasis): Promise<SpooledBasis> {
    if (isSpooled(basis)) return Promise.resolve(basis);
    const known = this.written.get(basis);
    if (known) return known;
    const path = this.reserve();
    const blob = encodeBasis(basis);
    const written = writeFile(path, blob).then(() => entryOf(basis, path, blob));
    this.written.set(basis, written);
    return written;
  }

  /** A fresh file path in this spool, for a worker to write a basis to (`spoolBasis`); removed with the spool. */
  reserve(): string {
    this.directory ??= mkdtempSync(join(tmpdir(), 'svcca-spool-'));
    return join(this.directory, `basis-${this.count++}.bin`);
  }

  /** Remove the directory and everything in it, once no write is under way. */
  async dispose(): Promise<void> {
    await Promise.allSettled(this.written.values());
    if (this.directory) rmSync(this.directory, { recursive: true, force: true });
    this.directory = null;
    this.written.clear();
  }
}
