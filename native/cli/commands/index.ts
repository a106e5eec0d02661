import type { Command } from '../command.js';
import { indexCommand } from './index-cmd.js';
import { matrixCommand } from './matrix.js';
import { runsCommand } from './runs.js';
import { serveCommand } from './serve.js';

/**
 * The explicit list of commands (no directory scanning): one file per command in this folder.
 * Add a command by importing it and adding one entry below.
 */
export const commands: Record<string, Command> = {
  index: indexCommand,
  matrix: matrixCommand,
  runs: runsCommand,
  serve: serveCommand,
};
