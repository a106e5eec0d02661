/**
 * Entry point of a compute host process. Started by the pool with child_process.fork (CLI, serve, tests, and inside
 * the Electron utility process); also usable directly as an Electron utility process entry, where the parent talks
 * through `process.parentPort` instead of process.send.
 */
import { serveJobs, type HostPort } from './host.js';
import { jobHandlers } from './jobs.js';
import type { HostOutbound } from './protocol.js';

/** The part of Electron's utility-process `parentPort` used here (typed locally: no electron import in native/). */
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

function portOfThisProcess(): HostPort {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      postMessage: (message: HostOutbound) => parentPort.postMessage(message),
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
    };
  }
  const send = process.send?.bind(process);
  if (!send) throw new Error('compute worker started without an IPC channel (use child_process.fork or utilityProcess.fork)');
  return {
    postMessage: (message: HostOutbound) => {
      // A parent that went away cannot be told anything; exit instead of throwing into the job.
      if (process.connected) send(message);
    },
    onMessage: (listener) => process.on('message', listener),
  };
}

const port = portOfThisProcess();
serveJobs(port, jobHandlers);
// The IPC channel keeps this process alive; when the parent disconnects, there is nobody to work for.
process.on('disconnect', () => process.exit(0));
port.postMessage({ type: 'ready', pid: process.pid });
