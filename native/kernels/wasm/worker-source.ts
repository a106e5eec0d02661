/**
 * The whole of a kernel worker, as plain JavaScript evaluated by `new Worker(source, { eval: true })`. All numerical
 * work lives in the generated WebAssembly module; a worker only instantiates it on the shared memory and runs lists
 * of export calls. Being source text rather than a file, it runs unchanged from compiled dist/, from TypeScript
 * under vitest (Node 20 workers do not inherit a TypeScript loader) and inside Electron.
 *
 * It uses dynamic import(), valid whether the eval'd source is taken as CommonJS or as an ES module (the parent's
 * --input-type decides), and the pool starts it with no inherited execArgv: it needs no loader or flags.
 *
 * Protocol: workerData = { module: WebAssembly.Module, memory: WebAssembly.Memory (shared) };
 * in: { id, calls: [{ fn, args }], queue?: { counter, fn, tasks: args[] } }  out: { id } or { id, error }.
 * `calls` run first, in order. Then, with a queue, the worker repeatedly claims the next task index by an atomic
 * add on the int32 at byte `counter` and runs `fn(...tasks[index])` until the index passes the end: all workers
 * share the counter, so a thread slowed by other load on the machine simply takes fewer tasks.
 */
export const WORKER_SOURCE = `
import('node:worker_threads').then(({ parentPort, workerData }) => {
  const instance = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } });
  parentPort.on('message', (request) => {
    try {
      for (const call of request.calls) instance.exports[call.fn](...call.args);
      const queue = request.queue;
      if (queue) {
        const counters = new Int32Array(workerData.memory.buffer, queue.counter, 1);
        const run = instance.exports[queue.fn];
        for (let t = Atomics.add(counters, 0, 1); t < queue.tasks.length; t = Atomics.add(counters, 0, 1)) {
          run(...queue.tasks[t]);
        }
      }
      parentPort.postMessage({ id: request.id });
    } catch (error) {
      parentPort.postMessage({ id: request.id, error: String((error && error.stack) || error) });
    }
  });
});
`;
