/** Writes plain little-endian C-order .npy files for tests (v1 header), in chunks so big files never sit in memory. */
import { closeSync, openSync, writeSync } from 'node:fs';

export function npyHeader(shape: readonly number[], descr: '<f4' | '<f8'): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const unpadded = 10 + dict.length + 1;
  const pad = (64 - (unpadded % 64)) % 64;
  const text = dict + ' '.repeat(pad) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(text.length, 8);
  return Buffer.concat([head, Buffer.from(text, 'latin1')]);
}

/** Write an array whose rows come from `row(i, out)`; rows are buffered `chunkRows` at a time. */
export function writeNpyRows(path: string, shape: readonly number[], descr: '<f4' | '<f8', row: (i: number, out: Float64Array) => void, chunkRows = 4096): void {
  const rowLength = shape.slice(1).reduce((a, b) => a * b, 1);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, npyHeader(shape, descr));
    const values = new Float64Array(rowLength);
    for (let start = 0; start < shape[0]!; start += chunkRows) {
      const count = Math.min(chunkRows, shape[0]! - start);
      const out = descr === '<f4' ? new Float32Array(count * rowLength) : new Float64Array(count * rowLength);
      for (let r = 0; r < count; r++) {
        row(start + r, values);
        out.set(values, r * rowLength);
      }
      writeSync(fd, new Uint8Array(out.buffer));
    }
  } finally {
    closeSync(fd);
  }
}

export function writeNpy(path: string, shape: readonly number[], data: Float64Array, descr: '<f4' | '<f8' = '<f8'): void {
  const rowLength = shape.slice(1).reduce((a, b) => a * b, 1);
  writeNpyRows(path, shape, descr, (i, out) => out.set(data.subarray(i * rowLength, (i + 1) * rowLength)));
}

/** A seeded generator (mulberry32) and a normal deviate from it (Box–Muller). */
export function rng(seed: number): { uniform(): number; normal(): number } {
  let s = seed >>> 0;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    const u = 1 - uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return { uniform, normal };
}
