/**
 * Cross-check against an independent float64 implementation: numpy's BLAS (OpenBLAS dgemm/dsyrk), called through
 * python3 on raw little-endian float64 files. The app never depends on python; this test does, and says so when
 * numpy is missing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { backendInfo, crossGram, disposeKernels, gram } from '../../../native/kernels/index.js';
import { matrix } from '../../../native/linalg/matrix.js';
import { expectProductClose } from '../../conformance/closeness.js';
import { columnNorms, randomMatrix } from '../../conformance/reference.js';

afterAll(disposeKernels);

function hasNumpy(): boolean {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test.skipIf(!hasNumpy())('the auto backend agrees with numpy float64 on XᵀY and XᵀX (2000 × 300 and × 170)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svcca-kernels-'));
  try {
    const x = randomMatrix(2000, 300, 42);
    const y = randomMatrix(2000, 170, 43);
    // Shift one column far from zero: the products then mix large and small magnitudes.
    for (let r = 0; r < x.rows; r++) x.data[r * x.cols] += 1e4;
    writeFileSync(join(dir, 'x.f64'), x.data);
    writeFileSync(join(dir, 'y.f64'), y.data);
    const script = [
      'import numpy as np, sys',
      'd = sys.argv[1]',
      "x = np.fromfile(d + '/x.f64', dtype='<f8').reshape(2000, 300)",
      "y = np.fromfile(d + '/y.f64', dtype='<f8').reshape(2000, 170)",
      "(x.T @ y).astype('<f8').tofile(d + '/xty.f64')",
      "(x.T @ x).astype('<f8').tofile(d + '/xtx.f64')",
    ].join('\n');
    execFileSync('python3', ['-c', script, dir]);
    const read = (name: string, rows: number, cols: number) => {
      const b = readFileSync(join(dir, name));
      return { rows, cols, data: new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8).slice() };
    };
    const info = await backendInfo('auto');
    const xm = matrix(x.rows, x.cols, x.data);
    const nx = columnNorms(x);
    expectProductClose(await crossGram(xm, matrix(y.rows, y.cols, y.data)), read('xty.f64', 300, 170), nx, columnNorms(y), info.tolerance);
    expectProductClose(await gram(xm), read('xtx.f64', 300, 300), nx, nx, info.tolerance);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
