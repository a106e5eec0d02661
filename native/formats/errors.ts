import { InputError } from '../errors.js';
import type { FormatName } from './types.js';

/**
 * A file (or an array inside a container) that cannot be read as an array. One base class for every reader, one
 * subclass per reader whose `name` says which reader failed; `file` is `path` or `path:array`.
 */
export class FormatError extends InputError {
  override name = 'FormatError';
  constructor(
    file: string,
    problem: string,
    readonly format?: FormatName,
  ) {
    super(file, problem);
  }
}

export class NpyError extends FormatError {
  override name = 'NpyError';
  constructor(file: string, problem: string) {
    super(file, problem, 'npy');
  }
}

export class NpzError extends FormatError {
  override name = 'NpzError';
  constructor(file: string, problem: string) {
    super(file, problem, 'npz');
  }
}

export class SafetensorsError extends FormatError {
  override name = 'SafetensorsError';
  constructor(file: string, problem: string) {
    super(file, problem, 'safetensors');
  }
}

export class Hdf5Error extends FormatError {
  override name = 'Hdf5Error';
  constructor(file: string, problem: string) {
    super(file, problem, 'hdf5');
  }
}

/** Quote a value from a file for an error message: JSON-style, control characters escaped, long values cut. */
export function quote(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : String(value);
  const shown = JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
  return shown;
}
