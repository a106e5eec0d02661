import { UsageError } from '../errors.js';

/** Declarative option spec: each command states its flags once; parsing, validation and help derive from it. */
export interface OptionSpec {
  readonly type: 'string' | 'number' | 'boolean';
  readonly choices?: readonly string[];
  readonly description?: string;
  /** Integer-only numbers. */
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export type OptionValues<S extends OptionSpecs> = {
  [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : S[K]['type'] extends 'number' ? number : string;
};

export interface ParsedArgs<S extends OptionSpecs> {
  readonly positionals: string[];
  readonly options: OptionValues<S>;
}

/** Parses `--name value`, `--name=value` and boolean `--flag`. Unknown flags and bad values are usage errors. */
export function parseArgs<S extends OptionSpecs>(argv: readonly string[], specs: S): ParsedArgs<S> {
  const positionals: string[] = [];
  const options: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown option --${name}`);
    if (spec.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      options[name] = true;
      continue;
    }
    let raw: string | undefined;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      raw = argv[i + 1];
      i++;
    }
    if (raw === undefined || (raw.startsWith('--') && eq < 0)) throw new UsageError(`option --${name} needs a value`);
    options[name] = convert(name, spec, raw);
  }
  return { positionals, options: options as OptionValues<S> };
}

function convert(name: string, spec: OptionSpec, raw: string): string | number {
  if (spec.type === 'number') {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`option --${name} needs a number, got '${raw}'`);
    if (spec.integer && !Number.isInteger(value)) throw new UsageError(`option --${name} needs a whole number, got '${raw}'`);
    if (spec.min !== undefined && value < spec.min) throw new UsageError(`option --${name} must be at least ${spec.min}, got ${raw}`);
    if (spec.max !== undefined && value > spec.max) throw new UsageError(`option --${name} must be at most ${spec.max}, got ${raw}`);
    return value;
  }
  if (spec.choices && !spec.choices.includes(raw)) {
    throw new UsageError(`option --${name} must be one of ${spec.choices.join('|')}, got '${raw}'`);
  }
  return raw;
}

export function expectPositionals(positionals: readonly string[], names: readonly string[], usage: string): void {
  if (positionals.length < names.length) throw new UsageError(`missing ${names.slice(positionals.length).join(' and ')}; usage: ${usage}`);
  if (positionals.length > names.length) throw new UsageError(`unexpected argument '${positionals[names.length]}'; usage: ${usage}`);
}
