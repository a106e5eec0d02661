"""Dense baseline for bench/dft.bench.mjs: CCA over the shift-augmented dataset, float64 numpy/scipy (OpenBLAS,
all cores). No DFT anywhere — this is what one would run without Theorem 1 of [Raghu2017-SVCCA].

    python3 bench/dft.bench.py A.npy B.npy OUT.json

A and B are conv layers (m, h, w, c) of the same h×w. Steps, each timed:
  grams   S_AA, S_BB, S_AB of the flattened (h·w·c neurons) dataset augmented with all h·w circular shifts
          (np.roll over both axes), accumulated over chunks of shifts so the m·h·w × h·w·c matrix is never held
          whole; centered with the augmented means.
  chol    Cholesky factors L_A, L_B (the bench data is full rank; a rank-revealing eigh would be slower still).
  whiten  T = L_A⁻¹ · S_AB · L_B⁻ᵀ (two triangular solves).
  corr    ρ = √eig(Tᵀ·T) (syrk + LAPACK syevd, values only — faster than an SVD of T).
This is the fastest dense route we know in numpy; any other (QR of the augmented data, SVD of T) costs more.
Symmetric products XᵀX are formed in column tiles of at most 8192: this OpenBLAS build (scipy-openblas 0.3.31)
segfaults in dsyrk once the output reaches 16384² doubles (2 GiB), which numpy's `x.T @ x` calls.
OUT.json gets {"seconds", "stages": {...}, "n", "rows", "coefficients": [descending]}.
"""
import json
import sys
import time

import numpy as np
import scipy.linalg as sl


TILE = 8192


def add_gram(out, x):
    """out += xᵀx, lower triangle by tiles (syrk on the diagonal tiles, gemm below), mirrored by `mirror`."""
    n = x.shape[1]
    for i in range(0, n, TILE):
        xi = x[:, i:i + TILE]
        out[i:i + TILE, i:i + TILE] += xi.T @ xi
        for j in range(0, i, TILE):
            out[i:i + TILE, j:j + TILE] += xi.T @ x[:, j:j + TILE]


def mirror(s):
    """Copies the strictly lower tiles into the upper ones (the diagonal tiles are already full)."""
    n = s.shape[0]
    for i in range(0, n, TILE):
        for j in range(0, i, TILE):
            s[j:j + TILE, i:i + TILE] = s[i:i + TILE, j:j + TILE].T


def progress(stages):
    """One line per finished stage on stderr, so a long run shows where it is."""
    name, seconds = list(stages.items())[-1]
    print(f'      dense {name}: {seconds:.1f} s', file=sys.stderr, flush=True)


def main(path_a, path_b, out_path):
    xa = np.load(path_a).astype(np.float64, copy=False)
    xb = np.load(path_b).astype(np.float64, copy=False)
    m, h, w, ca = xa.shape
    cb = xb.shape[3]
    na, nb = h * w * ca, h * w * cb
    rows = m * h * w
    stages = {}
    start = time.perf_counter()

    t = time.perf_counter()
    saa = np.zeros((na, na))
    sbb = np.zeros((nb, nb))
    sab = np.zeros((na, nb))
    sum_a = np.zeros(na)
    sum_b = np.zeros(nb)
    shifts = [(a, b) for a in range(h) for b in range(w)]
    per_chunk = max(1, 4096 // m)  # ~4096 augmented rows per product keeps BLAS efficient and memory bounded
    for i in range(0, len(shifts), per_chunk):
        part = shifts[i:i + per_chunk]
        a = np.concatenate([np.roll(xa, s, axis=(1, 2)) for s in part]).reshape(-1, na)
        b = np.concatenate([np.roll(xb, s, axis=(1, 2)) for s in part]).reshape(-1, nb)
        add_gram(saa, a)
        add_gram(sbb, b)
        sab += a.T @ b
        sum_a += a.sum(axis=0)
        sum_b += b.sum(axis=0)
    mirror(saa)
    mirror(sbb)
    mean_a = sum_a / rows
    mean_b = sum_b / rows
    saa -= rows * np.outer(mean_a, mean_a)
    sbb -= rows * np.outer(mean_b, mean_b)
    sab -= rows * np.outer(mean_a, mean_b)
    stages['grams'] = time.perf_counter() - t
    progress(stages)

    t = time.perf_counter()
    la = sl.cholesky(saa, lower=True, overwrite_a=True, check_finite=False)
    lb = sl.cholesky(sbb, lower=True, overwrite_a=True, check_finite=False)
    stages['chol'] = time.perf_counter() - t
    progress(stages)

    t = time.perf_counter()
    tm = sl.solve_triangular(la, sab, lower=True, overwrite_b=True, check_finite=False)
    del la, sab
    tm = sl.solve_triangular(lb, tm.T, lower=True, check_finite=False).T
    del lb
    stages['whiten'] = time.perf_counter() - t
    progress(stages)

    t = time.perf_counter()
    x = tm if nb <= na else tm.T
    small = np.zeros((x.shape[1], x.shape[1]))
    add_gram(small, x)
    mirror(small)
    del tm, x
    lam = sl.eigvalsh(small, overwrite_a=True, check_finite=False, driver='evd')
    rho = np.sqrt(np.clip(lam, 0, 1))[::-1]
    stages['corr'] = time.perf_counter() - t

    seconds = time.perf_counter() - start
    with open(out_path, 'w') as f:
        json.dump({'seconds': seconds, 'stages': stages, 'n': [na, nb], 'rows': rows, 'coefficients': rho.tolist()}, f)


if __name__ == '__main__':
    main(*sys.argv[1:4])
