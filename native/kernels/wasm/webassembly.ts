/**
 * Typed access to the WebAssembly JS API. This project's TypeScript libs (ES2023 + @types/node 20) carry no
 * WebAssembly declarations and adding the DOM lib would leak browser globals into all of native/, so the few members
 * used here are declared locally and read from globalThis.
 */

/** A compiled module: opaque, cloneable to worker threads. */
export interface WasmModule {
  readonly __wasmModule: unique symbol;
}

export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(deltaPages: number): number;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  /** Synchronous compile: fine in Node and workers; browsers refuse it on the main thread above 4 KiB. */
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  validate(bytes: Uint8Array): boolean;
}

export const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
