/**
 * Worker-thread entry for DFT-CCA's per-block work (dft-parallel.ts): the blocks are independent, so each thread
 * takes a contiguous share and runs exactly the code the main thread would (same results, bit for bit).
 */
import { parentPort } from 'node:worker_threads';
import { runBlockTask, transferables, type BlockTask } from './dft-tasks.js';

const port = parentPort;
if (!port) throw new Error('dft-worker must run as a worker thread');
port.on('message', (message: { id: number; task: BlockTask }) => {
  try {
    const result = runBlockTask(message.task);
    port.postMessage({ id: message.id, result }, transferables(result));
  } catch (err) {
    port.postMessage({ id: message.id, error: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) });
  }
});
