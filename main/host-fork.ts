/**
 * The compute host as a Node child process (`fork`), for plain-Node use: tests, tools, and any front end that wants
 * the host out of its own process without Electron. Main uses the utility-process twin in main/window-host.ts.
 */
import { fork } from 'node:child_process';
import { hostArgs } from './host-port.js';
import type { HostChild, SpawnHost } from './host-supervisor.js';

export interface ForkOptions {
  /** The host entry: out/main/host.mjs when built, or main/host.ts with `execArgv: ['--import', 'tsx']`. */
  entry: string;
  execArgv?: string[];
  db?: string;
  /** Where the child's stdout/stderr go; default: inherited. */
  stdio?: 'inherit' | 'ignore';
}

export function forkHost(options: ForkOptions): SpawnHost {
  return (root) => {
    const child = fork(options.entry, hostArgs(options.db === undefined ? { root } : { root, db: options.db }), {
      execArgv: options.execArgv ?? [],
      // Structured clone, as across Electron's MessagePorts: both transports carry the same values.
      serialization: 'advanced',
      stdio: options.stdio === 'ignore' ? ['ignore', 'ignore', 'ignore', 'ipc'] : ['inherit', 'inherit', 'inherit', 'ipc'],
    });
    const handle: HostChild & { pid: number | undefined } = {
      pid: child.pid,
      postMessage: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => void child.on('message', listener),
      onExit: (listener) => void child.once('exit', (code) => listener(code)),
      kill: () => void child.kill(),
    };
    return handle;
  };
}
