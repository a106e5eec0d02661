import type { Command } from '../command.js';
import { compareCommand } from './compare.js';
import { compressCommand } from './compress.js';
import { correlateCommand } from './correlate.js';
import { dynamicsCommand } from './dynamics.js';
import { freezeCommand } from './freeze.js';
import { gridCommand } from './grid.js';
import { groupsCommand } from './groups.js';
import { identifyCommand } from './identify.js';
import { indexCommand } from './index-cmd.js';
import { matrixCommand } from './matrix.js';
import { mergeCommand } from './merge.js';
import { runsCommand } from './runs.js';
import { sensitivityCommand } from './sensitivity.js';
import { significanceCommand } from './significance.js';
import { spectrumCommand } from './spectrum.js';
import { stabilityCommand } from './stability.js';
import { timestepsCommand } from './timesteps.js';
import { serveCommand } from './serve.js';

/**
 * The explicit list of commands (no directory scanning): one file per command in this folder.
 * Add a command by importing it and adding one entry below.
 */
export const commands: Record<string, Command> = {
  compare: compareCommand,
  compress: compressCommand,
  correlate: correlateCommand,
  dynamics: dynamicsCommand,
  freeze: freezeCommand,
  grid: gridCommand,
  groups: groupsCommand,
  identify: identifyCommand,
  index: indexCommand,
  matrix: matrixCommand,
  merge: mergeCommand,
  runs: runsCommand,
  sensitivity: sensitivityCommand,
  significance: significanceCommand,
  spectrum: spectrumCommand,
  stability: stabilityCommand,
  timesteps: timestepsCommand,
  serve: serveCommand,
};
