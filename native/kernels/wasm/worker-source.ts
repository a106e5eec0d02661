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
 * in: { id, calls: [{ fn, args: number[] }] }  out: { id } or { id, error }.
 */
export const WORKER_SOURCE = `
import('node:worker_threads').then(({ parentPort, workerData }) => {
  const instance = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } });
  parentPort.on('message', (request) => {
    try {
      for (const call of request.calls) instance.exports[call.fn](...call.args);
      parentPort.postMessage({ id: request.id });
    } catch (error) {
      parentPort.postMessage({ id: request.id, error: String((error && error.stack) || error) });
    }
  });
});
`;
