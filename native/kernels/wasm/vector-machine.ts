/**
 * A private WebAssembly memory with the vector module (vector-module.ts) instantiated on it. A solver sizes it once,
 * lays its arrays out in it as Float64Array views (`alloc`), works on them from TypeScript, and hands the views'
 * byteOffsets to the SIMD loops. One machine per solver call, so concurrent async callers never share state; the
 * module is compiled once per thread and instantiating it costs microseconds.
 */
import { MAX_PAGES, PAGE_BYTES } from './product-module.js';
import { vectorModuleBytes, type VectorExports } from './vector-module.js';
import { WebAssemblyApi, type WasmMemory, type WasmModule } from './webassembly.js';

let compiled: WasmModule | undefined;

const ALIGN = 16;

export class VectorMachine {
  readonly exports: VectorExports;
  private readonly memory: WasmMemory;
  private top = 0;

  /** Room for arrays of the given lengths (float64 elements), each aligned to 16 bytes. */
  constructor(lengths: readonly number[]) {
    let bytes = 0;
    for (const n of lengths) bytes += Math.ceil((n * 8) / ALIGN) * ALIGN;
    compiled ??= new WebAssemblyApi.Module(vectorModuleBytes());
    const pages = Math.max(1, Math.ceil(bytes / PAGE_BYTES));
    if (pages > MAX_PAGES) {
      throw new RangeError(`the dense solvers need ${(bytes / 2 ** 30).toFixed(1)} GiB of WebAssembly memory here; 4 GiB is the most one can hold`);
    }
    this.memory = new WebAssemblyApi.Memory({ initial: pages, maximum: pages });
    this.exports = new WebAssemblyApi.Instance(compiled, { env: { memory: this.memory } }).exports as unknown as VectorExports;
  }

  /** A zero-filled array in this machine's memory; pass `array.byteOffset` to the exports. */
  alloc(length: number): Float64Array {
    const view = new Float64Array(this.memory.buffer, this.top, length);
    this.top += Math.ceil((length * 8) / ALIGN) * ALIGN;
    return view;
  }
}
