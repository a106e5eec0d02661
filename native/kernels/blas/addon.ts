/**
 * The BLAS/LAPACK addon (addon/blas, C over Node-API) and the library it opened. The addon links nothing: it
 * dlopen()s the machine's BLAS at run time, so "no BLAS" is a reason string here, never a load failure.
 *
 * Which library: SVCCA_BLAS=<path> (with SVCCA_LAPACK=<path> when LAPACK is a separate file), SVCCA_BLAS=none to
 * turn the backend off; otherwise the usual names for this OS, first found wins (CANDIDATES). The addon file itself
 * is found beside the sources or the build (addon/blas/build/Release), inside app.asar.unpacked in a packaged app,
 * or at SVCCA_BLAS_ADDON.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Real = Float64Array | Float32Array;
type Flag = 'N' | 'T' | 'V' | 'U' | 'L' | 'S' | 'A' | 'R';

/** What addon/blas/src/blas.c exports: column-major BLAS/LAPACK calls; LAPACK ones return `info`. */
export interface BlasAddon {
  open(path: string, lapackPath: string): LibraryInfo | string;
  info(): LibraryInfo | null;
  setThreads(n: number): number;
  gemm(ta: Flag, tb: Flag, m: number, n: number, k: number, alpha: number, a: Real, lda: number, b: Real, ldb: number, beta: number, c: Real, ldc: number): void;
  syrk(uplo: Flag, trans: Flag, n: number, k: number, alpha: number, a: Real, lda: number, beta: number, c: Real, ldc: number): void;
  trsm(side: Flag, uplo: Flag, ta: Flag, diag: Flag, m: number, n: number, alpha: number, a: Real, lda: number, b: Real, ldb: number): void;
  syevd(jobz: Flag, uplo: Flag, n: number, a: Real, lda: number, w: Real): number;
  syevr(jobz: Flag, uplo: Flag, n: number, a: Real, lda: number, w: Real, z: Real, ldz: number): number;
  gesdd(jobz: Flag, m: number, n: number, a: Real, lda: number, s: Real, u: Real, ldu: number, vt: Real, ldvt: number): number;
  potrf(uplo: Flag, n: number, a: Real, lda: number): number;
  trtri(uplo: Flag, diag: Flag, n: number, a: Real, lda: number): number;
  geqrf(m: number, n: number, a: Real, lda: number, tau: Real): number;
  orgqr(m: number, n: number, k: number, a: Real, lda: number, tau: Real): number;
}

export interface LibraryInfo {
  readonly path: string;
  readonly lapackPath: string;
  /** openblas_get_config(), MKL's version string or FlexiBLAS's backend; '' when the library has none. */
  readonly config: string;
  /** The library's thread count now; 0 when it cannot say. */
  readonly threads: number;
  readonly threadControl: boolean;
}

export type Opened = { readonly addon: BlasAddon; readonly library: LibraryInfo } | { readonly reason: string };

/** [BLAS, LAPACK or ''] pairs tried in order when SVCCA_BLAS is unset. */
export function candidates(platform: NodeJS.Platform = process.platform): Array<readonly [string, string]> {
  if (platform === 'darwin') return [['/System/Library/Frameworks/Accelerate.framework/Accelerate', ''], ['libopenblas.dylib', '']];
  if (platform === 'win32') return [['libopenblas.dll', ''], ['openblas.dll', ''], ['mkl_rt.2.dll', ''], ['mkl_rt.dll', '']];
  return [
    ['libopenblas.so.0', ''],
    ['libopenblas.so', ''],
    ['libflexiblas.so.3', ''],
    ['libmkl_rt.so.2', ''],
    ['libmkl_rt.so', ''],
    ['libblas.so.3', 'liblapack.so.3'],
  ];
}

const ADDON = join('addon', 'blas', 'build', 'Release', 'svcca_blas.node');

/** The addon file: SVCCA_BLAS_ADDON, else addon/blas/build/Release in the first folder above this file that has it. */
export function addonPath(): string | null {
  const override = process.env['SVCCA_BLAS_ADDON'];
  if (override) return existsSync(override) ? override : null;
  let dir: string;
  try {
    dir = dirname(fileURLToPath(import.meta.url));
  } catch {
    return null;
  }
  for (;;) {
    // Inside a packaged app the addon sits in app.asar.unpacked (electron-builder.yml asarUnpack).
    for (const base of [dir, dir.replace(/app\.asar(?=$|[\\/])/, 'app.asar.unpacked')]) {
      const path = join(base, ADDON);
      if (existsSync(path)) return path;
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

let opened: Opened | undefined;

/** The addon with its library open, or one line saying why not. Cached; never throws. */
export function openBlas(): Opened {
  return (opened ??= open());
}

function open(): Opened {
  const choice = process.env['SVCCA_BLAS'];
  if (choice === 'none' || choice === 'off' || choice === '0') return { reason: `turned off (SVCCA_BLAS=${choice})` };
  const path = addonPath();
  if (!path) return { reason: 'the BLAS addon is not built (npm run setup builds addon/blas with node-gyp)' };
  let addon: BlasAddon;
  try {
    addon = createRequire(import.meta.url)(path) as BlasAddon;
  } catch (error) {
    return { reason: `the BLAS addon at ${path} does not load (${(error as Error).message.split('\n')[0]})` };
  }
  const tries: Array<readonly [string, string]> = choice ? [[choice, process.env['SVCCA_LAPACK'] ?? '']] : candidates();
  const failures: string[] = [];
  for (const [blas, lapack] of tries) {
    const result = addon.open(blas, lapack);
    if (typeof result !== 'string') return { addon, library: result };
    failures.push(result);
  }
  if (choice) return { reason: `SVCCA_BLAS=${choice} cannot be used: ${failures[0]}` };
  return { reason: `no BLAS/LAPACK library found (tried ${tries.map(([b, l]) => (l ? `${b} + ${l}` : b)).join(', ')}); apt-get install libopenblas0, or set SVCCA_BLAS=/path/to/libopenblas.so` };
}

/** A short name and version: "openblas-0.3.21", "mkl-2024.0", "flexiblas", "accelerate", "blas". */
export function libraryName(library: LibraryInfo): string {
  const openblas = /OpenBLAS\s+([\d.]+)/i.exec(library.config);
  if (openblas) return `openblas-${openblas[1]}`;
  const mkl = /Math Kernel Library.*?Version\s+([\d.]+)|oneMKL.*?Version\s+([\d.]+)/i.exec(library.config);
  if (mkl) return `mkl-${mkl[1] ?? mkl[2]}`;
  if (/^FlexiBLAS/.test(library.config)) return `flexiblas-${library.config.slice(10).trim().toLowerCase() || 'default'}`;
  const file = basename(library.path).toLowerCase();
  if (file.includes('accelerate')) return 'accelerate';
  if (file.includes('openblas')) return 'openblas';
  if (file.includes('mkl')) return 'mkl';
  return file.replace(/^lib/, '').replace(/\.(so|dylib|dll).*$/, '') || 'blas';
}
