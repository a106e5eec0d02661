/**
 * Errors that reach a user. A `StudioError` is always the user's input or usage being wrong (CLI exit code 2);
 * anything else escaping to the top is a bug (exit code 1). Messages are one line and name the file when there is one.
 */
export type ErrorKind = 'input' | 'usage' | 'cancelled';

export class StudioError extends Error {
  override name = 'StudioError';
  constructor(
    message: string,
    readonly kind: ErrorKind = 'input',
    readonly file?: string,
  ) {
    super(oneLine(file ? `${file}: ${message}` : message));
  }
}

/** Bad content of a file (or of an array inside a container). `file` may be `path` or `path:array`. */
export class InputError extends StudioError {
  override name = 'InputError';
  constructor(file: string | undefined, problem: string) {
    super(problem, 'input', file);
  }
}

/** Wrong command-line usage or option values. */
export class UsageError extends StudioError {
  override name = 'UsageError';
  constructor(problem: string) {
    super(problem, 'usage');
  }
}

export class CancelledError extends StudioError {
  override name = 'CancelledError';
  constructor(what = 'operation') {
    super(`${what} cancelled`, 'cancelled');
  }
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export function isStudioError(err: unknown): err is StudioError {
  return err instanceof StudioError;
}
