/**
 * A small WebAssembly instruction writer: just the opcodes the product kernels use (MVP integer/float, 128-bit SIMD,
 * bulk memory), each a method that appends its binary encoding. Generating the kernels from TypeScript keeps the
 * register-blocking shape a parameter (mr × nr, unrolling) instead of hundreds of hand-unrolled WAT lines, and needs
 * no assembler at build or run time. Encodings: WebAssembly Core Specification 2.0, section 5.4 (instructions).
 */

export const ValType = { i32: 0x7f, f64: 0x7c, v128: 0x7b } as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

/** Unsigned LEB128, section 5.2.2 of the specification. */
export function uleb(value: number, out: number[]): void {
  let v = value >>> 0;
  if (v !== value) throw new RangeError(`uleb: ${value} is not a u32`);
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

/** Signed LEB128 for i32 constants. */
export function sleb(value: number, out: number[]): void {
  let v = value | 0;
  if (v !== value) throw new RangeError(`sleb: ${value} is not an i32`);
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

const SIMD = 0xfd;
const BULK = 0xfc;

/** Appends instructions to one function body. Locals are plain indices handed out by `FunctionBuilder`. */
export class Code {
  readonly bytes: number[] = [];

  private op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  private simd(opcode: number): this {
    this.bytes.push(SIMD);
    uleb(opcode, this.bytes);
    return this;
  }
  /** memarg = alignment exponent, then byte offset (folded into the address for free). */
  private memarg(alignLog2: number, offset: number): this {
    uleb(alignLog2, this.bytes);
    uleb(offset, this.bytes);
    return this;
  }

  // Structured control. Each takes the body as a callback so nesting in the generator mirrors nesting in wasm.
  block(body: (c: this) => void): this {
    this.op(0x02, 0x40);
    body(this);
    return this.op(0x0b);
  }
  loop(body: (c: this) => void): this {
    this.op(0x03, 0x40);
    body(this);
    return this.op(0x0b);
  }
  if(then: (c: this) => void, otherwise?: (c: this) => void): this {
    this.op(0x04, 0x40);
    then(this);
    if (otherwise) {
      this.op(0x05);
      otherwise(this);
    }
    return this.op(0x0b);
  }
  /** Branch to the enclosing label `depth` levels out (0 = innermost). For a loop label that means "continue". */
  br(depth: number): this {
    this.op(0x0c);
    uleb(depth, this.bytes);
    return this;
  }
  brIf(depth: number): this {
    this.op(0x0d);
    uleb(depth, this.bytes);
    return this;
  }
  call(funcIndex: number): this {
    this.op(0x10);
    uleb(funcIndex, this.bytes);
    return this;
  }
  return(): this {
    return this.op(0x0f);
  }

  // Locals.
  get(local: number): this {
    this.op(0x20);
    uleb(local, this.bytes);
    return this;
  }
  set(local: number): this {
    this.op(0x21);
    uleb(local, this.bytes);
    return this;
  }
  tee(local: number): this {
    this.op(0x22);
    uleb(local, this.bytes);
    return this;
  }

  // i32 arithmetic and comparisons.
  i32(value: number): this {
    this.op(0x41);
    sleb(value, this.bytes);
    return this;
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  i32And(): this {
    return this.op(0x71);
  }
  i32DivU(): this {
    return this.op(0x6e);
  }
  i32Shl(): this {
    return this.op(0x74);
  }
  i32Eqz(): this {
    return this.op(0x45);
  }
  i32Eq(): this {
    return this.op(0x46);
  }
  i32Ne(): this {
    return this.op(0x47);
  }
  i32LtS(): this {
    return this.op(0x48);
  }
  i32LtU(): this {
    return this.op(0x49);
  }
  i32GtS(): this {
    return this.op(0x4a);
  }
  i32GeS(): this {
    return this.op(0x4e);
  }
  i32GeU(): this {
    return this.op(0x4f);
  }
  select(): this {
    return this.op(0x1b);
  }

  // Scalar float64 memory access and arithmetic.
  f64Load(offset = 0): this {
    return this.op(0x2b).memarg(3, offset);
  }
  f64Store(offset = 0): this {
    return this.op(0x39).memarg(3, offset);
  }
  f64Const(value: number): this {
    this.op(0x44);
    const buf = new Uint8Array(new Float64Array([value]).buffer);
    this.bytes.push(...buf);
    return this;
  }
  f64Add(): this {
    return this.op(0xa0);
  }
  f64Sub(): this {
    return this.op(0xa1);
  }
  f64Mul(): this {
    return this.op(0xa2);
  }
  f64Min(): this {
    return this.op(0xa4);
  }
  f64Max(): this {
    return this.op(0xa5);
  }

  // 128-bit SIMD, float64 lanes. Alignment hints are hints only: unaligned access stays correct.
  v128Load(offset = 0): this {
    return this.simd(0x00).memarg(4, offset);
  }
  v128Store(offset = 0): this {
    return this.simd(0x0b).memarg(4, offset);
  }
  /** Loads one float64 and copies it into both lanes (one `movddup` on x86). */
  v128Load64Splat(offset = 0): this {
    return this.simd(0x0a).memarg(3, offset);
  }
  v128Zero(): this {
    this.simd(0x0c);
    for (let i = 0; i < 16; i++) this.bytes.push(0);
    return this;
  }
  f64x2Add(): this {
    return this.simd(0xf0);
  }
  f64x2Sub(): this {
    return this.simd(0xf1);
  }
  f64x2Mul(): this {
    return this.simd(0xf2);
  }
  f64x2Min(): this {
    return this.simd(0xf4);
  }
  f64x2Max(): this {
    return this.simd(0xf5);
  }
  /** Both lanes := the float64 on the stack. */
  f64x2Splat(): this {
    return this.simd(0x14);
  }
  f64x2ExtractLane(lane: 0 | 1): this {
    this.simd(0x21);
    this.bytes.push(lane);
    return this;
  }
  /** Relaxed SIMD a·b + c: one fused multiply-add where the CPU has one, else multiply then add. */
  f64x2RelaxedMadd(): this {
    return this.simd(0x107);
  }

  // Bulk memory (WebAssembly 2.0).
  memoryFill(): this {
    return this.op(BULK, 0x0b, 0x00);
  }
}
