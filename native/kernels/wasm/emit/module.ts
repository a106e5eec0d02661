/**
 * Assembles a WebAssembly binary from generated functions: one imported shared memory ("env" "memory"), functions
 * with i32/f64/v128 parameters, all exported by name. Section layout: WebAssembly Core Specification 2.0, 5.5.
 */
import { Code, uleb, ValType } from './code.js';

export interface FunctionSpec {
  readonly name: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  readonly locals: readonly ValType[];
  readonly body: Code;
}

/**
 * Hands out local indices (parameters first, as the binary format numbers them) and collects the function body.
 * `local(type)` declares one more local; `body` is where the generator writes instructions.
 */
export class FunctionBuilder {
  readonly body = new Code();
  private readonly extra: ValType[] = [];

  constructor(
    readonly name: string,
    readonly params: readonly ValType[],
    readonly results: readonly ValType[] = [],
  ) {}

  /** Index of parameter `i`. */
  param(i: number): number {
    if (i < 0 || i >= this.params.length) throw new RangeError(`${this.name}: no parameter ${i}`);
    return i;
  }

  local(type: ValType): number {
    this.extra.push(type);
    return this.params.length + this.extra.length - 1;
  }

  spec(): FunctionSpec {
    return { name: this.name, params: this.params, results: this.results, locals: this.extra, body: this.body };
  }
}

export interface MemoryImport {
  readonly initialPages: number;
  readonly maximumPages: number;
  readonly shared: boolean;
}

function section(id: number, payload: number[], out: number[]): void {
  out.push(id);
  uleb(payload.length, out);
  out.push(...payload);
}

function name(text: string, out: number[]): void {
  const bytes = new TextEncoder().encode(text);
  uleb(bytes.length, out);
  out.push(...bytes);
}

export function assembleModule(memory: MemoryImport, functions: readonly FunctionSpec[]): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

  // Type section: one signature per function (duplicates are allowed and keep indices trivial).
  const types: number[] = [];
  uleb(functions.length, types);
  for (const f of functions) {
    types.push(0x60);
    uleb(f.params.length, types);
    types.push(...f.params);
    uleb(f.results.length, types);
    types.push(...f.results);
  }
  section(1, types, out);

  // Import section: the memory, shared so that every worker's instance computes on the same bytes.
  const imports: number[] = [];
  uleb(1, imports);
  name('env', imports);
  name('memory', imports);
  imports.push(0x02, memory.shared ? 0x03 : 0x01);
  uleb(memory.initialPages, imports);
  uleb(memory.maximumPages, imports);
  section(2, imports, out);

  const funcs: number[] = [];
  uleb(functions.length, funcs);
  functions.forEach((_, i) => uleb(i, funcs));
  section(3, funcs, out);

  const exports: number[] = [];
  uleb(functions.length, exports);
  functions.forEach((f, i) => {
    name(f.name, exports);
    exports.push(0x00);
    uleb(i, exports);
  });
  section(7, exports, out);

  const code: number[] = [];
  uleb(functions.length, code);
  for (const f of functions) {
    const body: number[] = [];
    // Locals are declared as (count, type) runs.
    const runs: Array<[number, ValType]> = [];
    for (const t of f.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(runs.length, body);
    for (const [count, t] of runs) {
      uleb(count, body);
      body.push(t);
    }
    body.push(...f.body.bytes, 0x0b);
    uleb(body.length, code);
    code.push(...body);
  }
  section(10, code, out);

  return Uint8Array.from(out);
}
