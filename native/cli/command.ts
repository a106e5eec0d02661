import type { OptionSpecs, ParsedArgs } from './args.js';

/** What a command may do with the terminal. With `--json`, stdout carries exactly one JSON object. */
export interface CommandIO {
  readonly json: boolean;
  /** Print the command's result: the object as JSON under --json, otherwise the human-readable text. */
  result(value: object, human: () => string): void;
  /** Informational lines for people (stderr), suppressed under --json. */
  info(line: string): void;
  /** Progress of a long operation (a redrawn bar on a terminal; nothing under --json or when piped). */
  progress(done: number, total: number, label: string): void;
}

export interface Command<S extends OptionSpecs = OptionSpecs> {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly options: S;
  run(args: ParsedArgs<S>, io: CommandIO): Promise<number | void>;
}

export function defineCommand<S extends OptionSpecs>(command: Command<S>): Command<S> {
  return command;
}
