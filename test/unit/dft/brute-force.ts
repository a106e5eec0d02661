/**
 * Independent float64 references for DFT-CCA, in numpy/scipy:
 *  - `bruteForceAugmented`: builds the shift-augmented dataset explicitly (np.roll over both axes, by the shifts of
 *    the common lattice), flattens to h·w·c neurons, centers, drops near-constant neurons (relative variance rule),
 *    and runs dense CCA from the thin SVDs of the data (rank cut on singular values) — no DFT anywhere;
 *  - `referenceDftPwcca`: PWCCA per frequency block in numpy (np.fft.fft2, complex SVDs), a second implementation
 *    of the documented DFT-domain projection weights.
 */
import { normalGenerator, python } from '../linalg/helpers.js';
import type { ConvLayer } from '../../../native/measures/dft-cca.js';

// The references are small dense problems: one BLAS thread each avoids spin-waiting against the test runner's other
// worker on a 2-core machine (the corpus tests ran 6× faster with it). The python children inherit this process's environment.
process.env['OPENBLAS_NUM_THREADS'] ??= '1';

const AUGMENT = `
import numpy as np
from math import gcd
def layer(d):
    return np.array(d['data'], dtype=np.float64).reshape(d['m'], d['h'], d['w'], d['c'])
def augmented(x, gh, gw):
    m, h, w, c = x.shape
    sy, sx = h // gh, w // gw
    rolled = [np.roll(x, (a * sy, b * sx), axis=(1, 2)) for a in range(gh) for b in range(gw)]
    return np.concatenate(rolled, axis=0).reshape(m * gh * gw, h * w * c)
def basis(x, eps):
    const = np.all(x == x[0], axis=0)
    xc = x - x.mean(axis=0)
    var = (xc ** 2).mean(axis=0)
    largest = var[~const].max()
    keep = (~const) & (var > eps * largest)
    xk = xc[:, keep]
    u, s, vt = np.linalg.svd(xk, full_matrices=False)
    r = int((s > np.finfo(float).eps * max(xk.shape) * s[0]).sum())
    return u[:, :r], s[:r]
def svcca_count(s, keep, dims):
    if dims is not None:
        k = dims
    else:
        cum = np.cumsum(s)
        k = int(np.searchsorted(cum, keep * cum[-1]) + 1)
        k = min(k, len(s))
    # A conjugate pair split by the cut is kept whole (the dense answer is undefined there).
    if k < len(s) and abs(s[k] - s[k - 1]) <= 1e-9 * s[0]:
        k += 1
    return k
`;

export interface BruteForceResult {
  coefficients: number[];
  similarity: number;
  dims: [number, number];
}

export function bruteForceAugmented(a: ConvLayer, b: ConvLayer, options: { epsilon?: number; keep?: number; dims?: number; svcca?: boolean } = {}): BruteForceResult {
  return python<BruteForceResult>(
    `${AUGMENT}
xa = layer(inp['a']); xb = layer(inp['b'])
gh = gcd(xa.shape[1], xb.shape[1]); gw = gcd(xa.shape[2], xb.shape[2])
ua, sa = basis(augmented(xa, gh, gw), inp['eps'])
ub, sb = basis(augmented(xb, gh, gw), inp['eps'])
if inp['svcca']:
    ka = svcca_count(sa, inp['keep'], inp['dims']); kb = svcca_count(sb, inp['keep'], inp['dims'])
    ua, ub = ua[:, :ka], ub[:, :kb]
rho = np.clip(np.linalg.svd(ua.T @ ub, compute_uv=False), 0, 1)
out = {'coefficients': np.sort(rho)[::-1], 'similarity': float(rho.mean()), 'dims': [ua.shape[1], ub.shape[1]]}
`,
    { a: wire(a), b: wire(b), eps: options.epsilon ?? 1e-10, keep: options.keep ?? 0.99, dims: options.dims ?? null, svcca: options.svcca ?? false },
  );
}

export interface ReferencePwcca {
  similarity: number;
  /** (coefficient, weight) pairs, weights normalised over all pairs, sorted by coefficient descending. */
  pairs: [number, number][];
}

/** Same-size layers only: per frequency (u, v), complex CCA by SVDs and PWCCA weights on the DFT-domain neurons. */
export function referenceDftPwcca(a: ConvLayer, b: ConvLayer): ReferencePwcca {
  return python<ReferencePwcca>(
    `${AUGMENT}
xa = layer(inp['a']); xb = layer(inp['b'])
m, h, w, _ = xa.shape
za = np.fft.fft2(xa, axes=(1, 2), norm='ortho').reshape(m, h * w, -1)
zb = np.fft.fft2(xb, axes=(1, 2), norm='ortho').reshape(m, h * w, -1)
def orth(z):
    u, s, vh = np.linalg.svd(z, full_matrices=False)
    return u, s
blocks = []
for f in range(h * w):
    A = za[:, f, :].copy(); B = zb[:, f, :].copy()
    if f == 0:
        A -= A.mean(axis=0); B -= B.mean(axis=0)
    blocks.append((A, B))
# one rank cut per layer from the largest singular value over all blocks (data-SVD rule)
sa_all = [np.linalg.svd(A, compute_uv=False) for A, _ in blocks]
sb_all = [np.linalg.svd(B, compute_uv=False) for _, B in blocks]
na = xa.shape[1] * xa.shape[2] * xa.shape[3]; nb = xb.shape[1] * xb.shape[2] * xb.shape[3]
tol_a = np.finfo(float).eps * max(m * h * w, na) * max(s[0] for s in sa_all)
tol_b = np.finfo(float).eps * max(m * h * w, nb) * max(s[0] for s in sb_all)
pairs = []
for A, B in blocks:
    ua, sa, _ = np.linalg.svd(A, full_matrices=False); ua = ua[:, sa > tol_a]
    ub, sb, _ = np.linalg.svd(B, full_matrices=False); ub = ub[:, sb > tol_b]
    p, rho, qh = np.linalg.svd(ua.conj().T @ ub, full_matrices=False)
    h_var = ua @ p                        # A's canonical variates, unit columns
    proj = h_var.conj().T @ A             # <h_i, z_j>
    alpha = np.abs(proj).sum(axis=1)
    for r_, a_ in zip(np.clip(rho, 0, 1), alpha[:len(rho)]):
        pairs.append((float(r_), float(a_)))
pairs.sort(key=lambda t: -t[0])
total = sum(a_ for _, a_ in pairs)
pairs = [(r_, a_ / total) for r_, a_ in pairs]
out = {'similarity': sum(r_ * a_ for r_, a_ in pairs), 'pairs': pairs}
`,
    { a: wire(a), b: wire(b) },
  );
}

function wire(layer: ConvLayer): Record<string, unknown> {
  return { m: layer.datapoints, h: layer.height, w: layer.width, c: layer.channels, data: Array.from(layer.data) };
}

/**
 * A random conv layer; with `from`, a layer that is partly a circular 3×3 convolution (mixing channels) of `from`
 * plus noise, so the two share translation-structured signal and the correlations spread over [0, 1].
 */
export function randomConvLayer(ref: string, m: number, h: number, w: number, c: number, seed: number, from?: ConvLayer, noise = 0.5): ConvLayer {
  const next = normalGenerator(seed);
  const data = new Float64Array(m * h * w * c);
  for (let i = 0; i < data.length; i++) data[i] = noise * next();
  if (from) {
    if (from.height !== h || from.width !== w) throw new Error('randomConvLayer: `from` must have the same spatial size');
    const kernel = Float64Array.from({ length: 9 * from.channels * c }, next);
    for (let i = 0; i < m; i++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          for (let k = 0; k < 9; k++) {
            const yy = (y + Math.floor(k / 3) - 1 + h) % h;
            const xx = (x + (k % 3) - 1 + w) % w;
            const src = ((i * h + yy) * w + xx) * from.channels;
            const dst = ((i * h + y) * w + x) * c;
            for (let ci = 0; ci < from.channels; ci++) {
              const v = from.data[src + ci]!;
              for (let co = 0; co < c; co++) data[dst + co]! += v * kernel[(k * from.channels + ci) * c + co]!;
            }
          }
        }
      }
    }
  }
  return { ref, datapoints: m, height: h, width: w, channels: c, data };
}
