/**
 * Real workspaces on disk for the index tests: tiny writers for .npy and .safetensors (written here from the format
 * specifications, independent of the readers under test), numpy for .npz, and an independent count of what a
 * workspace holds (python + numpy, following docs/contract.md §2).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CORPUS, EXAMPLE, REPO } from '../../support/corpus.js';

export { CORPUS, EXAMPLE, REPO };
export const HDF5_FIXTURE = join(REPO, 'test', 'fixtures', 'formats', 'hdf5', 'userblock.h5');

export function tempDir(prefix = 'svcca-index-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A .npy v1.0 file of float32 zeros-and-ramp, little-endian, C order (numpy.lib.format, version 1.0). */
export function npyBytes(shape: readonly number[], fill = 0): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad so that magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = fill + i / 8;
  const preamble = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(preamble);
  preamble.writeUInt16LE(header.length, 8);
  return Buffer.concat([preamble, Buffer.from(header, 'latin1'), Buffer.from(data.buffer)]);
}

export function writeNpy(path: string, shape: readonly number[], fill = 0): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, npyBytes(shape, fill));
}

/** A .safetensors file of float32 tensors (8-byte little-endian header length, JSON header, packed data). */
export function writeSafetensors(path: string, tensors: Record<string, readonly number[]>): void {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, shape] of Object.entries(tensors)) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Buffer.concat([length, json, Buffer.alloc(offset)]));
}

/** An .npz written by numpy itself (deflated when `compressed`), one float32 member per name. */
export function writeNpz(path: string, members: Record<string, readonly number[]>, compressed = true): void {
  mkdirSync(dirname(path), { recursive: true });
  execFileSync('python3', [
    '-c',
    `import json, sys, numpy as np
members = json.loads(sys.argv[2])
arrays = {k: np.arange(int(np.prod(v)), dtype='<f4').reshape(v) for k, v in members.items()}
(np.savez_compressed if sys.argv[3] == '1' else np.savez)(sys.argv[1], **arrays)`,
    path,
    JSON.stringify(members),
    compressed ? '1' : '0',
  ]);
}

export function writeRunJson(dir: string, meta: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify(meta, null, 1));
}

/**
 * A run folder with `steps` checkpoints (step-000000, …) of `layers` bare .npy layers each (m = 6 datapoints);
 * `final` adds a `final` folder.
 */
export function makeRun(
  root: string,
  rel: string,
  options: { steps?: readonly number[]; layers?: readonly string[]; final?: boolean; meta?: Record<string, unknown> | null } = {},
): void {
  const dir = join(root, rel);
  const layers = options.layers ?? ['conv', 'fc'];
  if (options.meta !== null) writeRunJson(dir, options.meta ?? { name: rel.split('/').pop(), layers });
  const dirs = (options.steps ?? [0, 10]).map((s) => `step-${String(s).padStart(6, '0')}`);
  if (options.final) dirs.push('final');
  for (const d of dirs) for (const [i, layer] of layers.entries()) writeNpy(join(dir, d, `${layer}.npy`), [6, 2 + i]);
}

export interface DiskCounts {
  runs: number;
  checkpoints: number;
  arrays: number;
}

/**
 * What a workspace holds, counted by python + numpy straight from the contract's layout: a run is a folder with
 * run.json or step-<digits>/final folders; every array of every non-weights .npy/.npz/.safetensors file in a
 * checkpoint counts. Shares no code with the index.
 */
export function countOnDisk(root: string): DiskCounts {
  const out = execFileSync(
    'python3',
    [
      '-c',
      `import json, os, re, struct, sys, numpy as np
root = sys.argv[1]
runs = checkpoints = arrays = 0
ckpt = re.compile(r'^(step-\\d+|final)$')
for dirpath, dirnames, filenames in os.walk(root):
    dirnames[:] = sorted(d for d in dirnames if not d.startswith('.'))
    rel_parts = os.path.relpath(dirpath, root).split(os.sep)
    if any(ckpt.match(p) for p in rel_parts if p != '.'):
        continue
    cks = [d for d in dirnames if ckpt.match(d)]
    if 'run.json' in filenames or cks:
        runs += 1
    for c in cks:
        checkpoints += 1
        for f in sorted(os.listdir(os.path.join(dirpath, c))):
            stem, ext = os.path.splitext(f)
            p = os.path.join(dirpath, c, f)
            if f.startswith('.') or stem == 'weights' or not os.path.isfile(p):
                continue
            if ext == '.npy':
                np.load(p, mmap_mode='r'); arrays += 1
            elif ext == '.npz':
                arrays += len(np.load(p).files)
            elif ext == '.safetensors':
                with open(p, 'rb') as fh:
                    n = struct.unpack('<Q', fh.read(8))[0]
                    arrays += len([k for k in json.loads(fh.read(n)) if k != '__metadata__'])
print(json.dumps({'runs': runs, 'checkpoints': checkpoints, 'arrays': arrays}))`,
      root,
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as DiskCounts;
}
