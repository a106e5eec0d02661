/**
 * Prepared bases handed between processes through files instead of the IPC channel. Node's channel moves large typed
 * arrays at ~100–400 MB/s and holds both processes while it does (twelve 512 × 10000 bases, one pair tile, took 4.5 s
 * here); the same bytes written once to a file are read back by a worker from the page cache in tens of milliseconds.
 * A spool is one private directory per job, removed with it; each basis is written at most once.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PreparedBasis } from '../measures/types.js';
import { decodeBasis, encodeBasis } from './cache.js';

/** A basis that lives in a spool file: what a job's params carry in its place. */
export interface SpooledBasis {
  readonly spooled: string;
}

export function isSpooled(value: unknown): value is SpooledBasis {
  return typeof value === 'object' && value !== null && typeof (value as Partial<SpooledBasis>).spooled === 'string';
}

/** Read a spooled basis back (in the worker). */
export function readSpooled(entry: SpooledBasis): PreparedBasis {
  const basis = decodeBasis(readFileSync(entry.spooled));
  if (!basis) throw new Error(`spool file ${entry.spooled} does not hold a basis of this build`);
  return basis;
}

/** Bases or spooled bases → bases. */
export function unspool(entries: ReadonlyArray<PreparedBasis | SpooledBasis>): PreparedBasis[] {
  return entries.map((entry) => (isSpooled(entry) ? readSpooled(entry) : entry));
}

export class BasisSpool {
  private directory: string | null = null;
  private readonly written = new Map<PreparedBasis, Promise<SpooledBasis>>();
  private count = 0;

  /** The spooled form of `basis`, written on first use (asynchronously: a job can start while others are written). */
  entry(basis: PreparedBasis): Promise<SpooledBasis> {
    const known = this.written.get(basis);
    if (known) return known;
    this.directory ??= mkdtempSync(join(tmpdir(), 'svcca-spool-'));
    const entry = { spooled: join(this.directory, `basis-${this.count++}.bin`) };
    const written = writeFile(entry.spooled, encodeBasis(basis)).then(() => entry);
    this.written.set(basis, written);
    return written;
  }

  /** Remove the directory and everything in it, once no write is under way. */
  async dispose(): Promise<void> {
    await Promise.allSettled(this.written.values());
    if (this.directory) rmSync(this.directory, { recursive: true, force: true });
    this.directory = null;
    this.written.clear();
  }
}
