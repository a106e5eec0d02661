import { isStudioError, oneLine } from '../errors.js';
import { parseArgs } from './args.js';
import type { Command } from './command.js';
import { commands } from './commands/index.js';
import { createIO } from './io.js';

const COMMON = { json: { type: 'boolean', description: 'print exactly one JSON object on stdout' } } as const;

function helpText(): string {
  const lines = ['usage: svcca-studio <command> [options]', '', 'commands:'];
  for (const c of Object.values(commands)) lines.push(`  ${c.usage}`, `      ${c.summary}`);
  lines.push('', 'Every command takes --json. Exit code 2: bad input or usage; 1: a bug.');
  return lines.join('\n');
}

/** Runs one command line and returns the exit code; never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${helpText()}\n`);
    return name ? 0 : 2;
  }
  const command: Command | undefined = (commands as Record<string, Command>)[name];
  if (!command) {
    process.stderr.write(`error: unknown command '${name}'; run 'svcca-studio --help'\n`);
    return 2;
  }
  if (rest.includes('--help')) {
    process.stdout.write(`usage: ${command.usage}\n${command.summary}\n`);
    return 0;
  }
  try {
    const args = parseArgs(rest, { ...COMMON, ...command.options });
    const io = createIO(Boolean(args.options['json']));
    const code = await command.run(args, io);
    return code ?? 0;
  } catch (err) {
    if (isStudioError(err)) {
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    const text = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
    process.stderr.write(`error: internal: ${oneLine(text.split('\n')[0] ?? '')}\n${process.env['SVCCA_DEBUG'] ? text : ''}`);
    return 1;
  }
}
