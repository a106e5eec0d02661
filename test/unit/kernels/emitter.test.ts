import { describe, expect, test } from 'vitest';
import { sleb, uleb } from '../../../native/kernels/wasm/emit/code.js';
import {
  DEFAULT_BLOCKING, DEFAULT_SHAPE, PAGE_BYTES, packBytes, productModuleBytes, type Accumulate, type Blocking,
  type MicroShape, type ProductExports,
} from '../../../native/kernels/wasm/product-module.js';
import { WebAssemblyApi } from '../../../native/kernels/wasm/webassembly.js';

const bytesOf = (f: (out: number[]) => void): number[] => {
  const out: number[] = [];
  f(out);
  return out;
};

describe('LEB128 (WebAssembly spec 5.2.2)', () => {
  test('unsigned: the spec and DWARF examples', () => {
    expect(bytesOf((o) => uleb(0, o))).toEqual([0x00]);
    expect(bytesOf((o) => uleb(127, o))).toEqual([0x7f]);
    expect(bytesOf((o) => uleb(128, o))).toEqual([0x80, 0x01]);
    expect(bytesOf((o) => uleb(624485, o))).toEqual([0xe5, 0x8e, 0x26]);
    expect(bytesOf((o) => uleb(2 ** 32 - 1, o))).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });
  test('signed', () => {
    expect(bytesOf((o) => sleb(-1, o))).toEqual([0x7f]);
    expect(bytesOf((o) => sleb(63, o))).toEqual([0x3f]);
    expect(bytesOf((o) => sleb(64, o))).toEqual([0xc0, 0x00]);
    expect(bytesOf((o) => sleb(-123456, o))).toEqual([0xc0, 0xbb, 0x78]);
  });
  test('out-of-range values are refused', () => {
    expect(() => uleb(-1, [])).toThrow(RangeError);
    expect(() => sleb(2 ** 31, [])).toThrow(RangeError);
  });
});

async function instantiate(
  shape: MicroShape,
  blocking = DEFAULT_BLOCKING,
  accumulate: Accumulate = 'mul-add',
): Promise<{ exports: ProductExports; f64: () => Float64Array }> {
  const bytes = productModuleBytes({ shape, blocking, accumulate });
  expect(WebAssemblyApi.validate(bytes)).toBe(true);
  const memory = new WebAssemblyApi.Memory({ initial: 16, maximum: 65536, shared: true });
  const instance = new WebAssemblyApi.Instance(await WebAssemblyApi.compile(bytes), { env: { memory } });
  return { exports: instance.exports as unknown as ProductExports, f64: () => new Float64Array(memory.buffer) };
}

describe('generated product module', () => {
  test('packing writes kb × m panels and zero-pads the last one', async () => {
    const { exports, f64 } = await instantiate(DEFAULT_SHAPE);
    const m = DEFAULT_SHAPE.mr;
    const rows = 3;
    const cols = m + 2;
    const src = 1024;
    const dst = 8192;
    const mem = f64();
    mem.fill(Number.NaN, dst / 8, dst / 8 + 64);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mem[src / 8 + r * cols + c] = 10 * r + c;
    const panels = () => [
      [...mem.subarray(dst / 8, dst / 8 + rows * m)],
      [...mem.subarray(dst / 8 + rows * m, dst / 8 + 2 * rows * m)],
    ];
    exports.packLeft(src, cols * 8, 8, rows, cols, dst);
    expect(panels()).toEqual([
      [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23],
      [4, 5, 0, 0, 14, 15, 0, 0, 24, 25, 0, 0],
    ]);
    // The same logical block stored transposed (cols × rows): element (r, c) at c·rows + r.
    const tsrc = 4096;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mem[tsrc / 8 + c * rows + r] = 10 * r + c;
    mem.fill(Number.NaN, dst / 8, dst / 8 + 64);
    exports.packLeft(tsrc, 8, rows * 8, rows, cols, dst);
    expect(panels()).toEqual([
      [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23],
      [4, 5, 0, 0, 14, 15, 0, 0, 24, 25, 0, 0],
    ]);
  });

  // Every shape the generator offers must compute the same product; the default is only the fastest one here.
  /** Runs crossGramRows on a 301 × 19 · 301 × 23 problem; returns the product and the textbook sums. */
  async function product(shape: MicroShape, blocking: Blocking, accumulate: Accumulate, lowerSkip = 0) {
    const { exports, f64 } = await instantiate(shape, blocking, accumulate);
    const [n, p] = [301, 19];
    const q = lowerSkip ? p : 23;
    const P = Math.ceil(p / shape.mr) * shape.mr;
    const Q = Math.ceil(q / shape.nr) * shape.nr;
    const [xAt, yAt] = [64, 64 + n * p * 8];
    const cAt = yAt + n * q * 8;
    const packA = cAt + P * Q * 8;
    const pack = packBytes(shape, blocking);
    expect(packA + pack.left + pack.right).toBeLessThan(16 * PAGE_BYTES);
    const mem = f64();
    for (let i = 0; i < n * p; i++) mem[xAt / 8 + i] = Math.sin(i);
    for (let i = 0; i < n * q; i++) mem[yAt / 8 + i] = lowerSkip ? mem[xAt / 8 + i]! : Math.cos(3 * i);
    exports.fillZero(cAt, P * Q * 8);
    exports.crossGramRows(xAt, p * 8, 8, yAt, q * 8, 8, n, p, q, cAt, Q * 8, packA, packA + pack.left, lowerSkip, 0);
    const got: number[][] = [];
    const want: number[][] = [];
    for (let i = 0; i < p; i++) {
      got.push([]);
      want.push([]);
      for (let j = 0; j < q; j++) {
        let s = 0;
        for (let r = 0; r < n; r++) s += mem[xAt / 8 + r * p + i]! * mem[yAt / 8 + r * q + j]!;
        want[i]!.push(s);
        got[i]!.push(mem[cAt / 8 + i * Q + j]!);
      }
    }
    return { got, want };
  }

  // Every shape the generator offers must compute the same product; the default is only the fastest one here.
  // Small blockings make the problem cross every block edge.
  const cases: Array<[MicroShape, Blocking]> = [
    [DEFAULT_SHAPE, DEFAULT_BLOCKING],
    [DEFAULT_SHAPE, { kc: 64, mc: 8, nc: 12 }],
    [{ mr: 2, nr: 8, unroll: 2 }, { kc: 100, mc: 10, nc: 16 }],
    [{ mr: 5, nr: 6, unroll: 3 }, { kc: 37, mc: 10, nc: 12 }],
    [{ mr: 1, nr: 2, unroll: 1 }, DEFAULT_BLOCKING],
  ];
  for (const [shape, blocking] of cases) {
    const title = `${shape.mr}×${shape.nr} tile, unroll ${shape.unroll}, blocking ${JSON.stringify(blocking)}`;
    test(`crossGramRows (${title}) with multiply + add equals the textbook sum to the last bit`, async () => {
      // Each entry is one sequential sum over rows in both, so they agree exactly.
      const { got, want } = await product(shape, blocking, 'mul-add');
      expect(got).toEqual(want);
    });
    test(`crossGramRows (${title}) for a Gram fills the upper triangle exactly`, async () => {
      const { got, want } = await product(shape, blocking, 'mul-add', 1);
      for (let i = 0; i < got.length; i++) expect(got[i]!.slice(i)).toEqual(want[i]!.slice(i));
    });
  }

  const relaxed = WebAssemblyApi.validate(productModuleBytes({ accumulate: 'relaxed-madd' }));
  test.skipIf(!relaxed)('crossGramRows with relaxed-SIMD fused multiply-add agrees to float64 rounding', async () => {
    const { got, want } = await product(DEFAULT_SHAPE, { kc: 64, mc: 8, nc: 12 }, 'relaxed-madd');
    for (let i = 0; i < got.length; i++) {
      for (let j = 0; j < got[i]!.length; j++) expect(Math.abs(got[i]![j]! - want[i]![j]!)).toBeLessThan(1e-12 * 301);
    }
  });

  test('a blocking that is not a multiple of the tile is refused', () => {
    expect(() => productModuleBytes({ shape: { mr: 3, nr: 4, unroll: 1 }, blocking: { kc: 256, mc: 128, nc: 256 } })).toThrow(
      /multiple/,
    );
  });
});
