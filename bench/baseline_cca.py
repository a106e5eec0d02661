"""numpy float64 baseline for bench/cca.bench.mjs: CCA and PWCCA per pair, the way the public reference code
(google/svcca cca_core.get_cca_similarity + pwcca.compute_pwcca) computes them — written here from that algorithm:

  covariances of the stacked layers (np.cov), each block scaled by the largest |entry| of its diagonal block,
  neurons below epsilon removed, epsilon*I added, pinv, inverse square roots by eigh, SVD of the whitened
  cross-covariance; PWCCA then forms directions u^T (acts - means) + means on the side with fewer neurons,
  orthonormalises them by QR and weighs by the summed |projections| of the (uncentered) neurons.

Usage: python3 baseline_cca.py A.npy B.npy REPEATS  -> one JSON line {cca: {seconds, similarity}, pwcca: {...},
threads}. Inputs are datapoints x neurons (the app's layout); transposed to the reference's neurons x datapoints
outside the timed region.
"""
import json
import sys
import time

import numpy as np


def inv_sqrt(s):
    w, v = np.linalg.eigh(np.linalg.pinv(s))
    return (v * np.sqrt(np.maximum(w, 0))) @ v.T


def cca_core(acts1, acts2, epsilon):
    nx = acts1.shape[0]
    cov = np.cov(acts1, acts2)
    sxx, sxy, syy = cov[:nx, :nx], cov[:nx, nx:], cov[nx:, nx:]
    xmax, ymax = np.max(np.abs(sxx)), np.max(np.abs(syy))
    sxx, syy, sxy = sxx / xmax, syy / ymax, sxy / np.sqrt(xmax * ymax)
    xi = np.abs(np.diagonal(sxx)) >= epsilon
    yi = np.abs(np.diagonal(syy)) >= epsilon
    sxx, syy, sxy = sxx[xi][:, xi], syy[yi][:, yi], sxy[xi][:, yi]
    sxx = sxx + epsilon * np.eye(sxx.shape[0])
    syy = syy + epsilon * np.eye(syy.shape[0])
    u, s, vh = np.linalg.svd(inv_sqrt(sxx) @ sxy @ inv_sqrt(syy))
    return u, np.abs(s), vh, xi, yi


def cca(acts1, acts2, epsilon):
    _, s, _, _, _ = cca_core(acts1, acts2, epsilon)
    return float(np.mean(s))


def pwcca(acts1, acts2, epsilon):
    u, s, vh, xi, yi = cca_core(acts1, acts2, epsilon)
    if xi.sum() <= yi.sum():
        means = acts1[xi].mean(axis=1, keepdims=True)
        dirns = u.T @ (acts1[xi] - means) + means
        acts = acts1[xi]
    else:
        means = acts2[yi].mean(axis=1, keepdims=True)
        dirns = vh @ (acts2[yi] - means) + means
        acts = acts2[yi]
    p, _ = np.linalg.qr(dirns.T)
    w = np.sum(np.abs(p.T @ acts.T), axis=1)
    w = w / np.sum(w)
    return float(np.sum(w * s))


def best(repeats, fn):
    times, value = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t)
    return {'seconds': min(times), 'similarity': value}


def main():
    a = np.ascontiguousarray(np.load(sys.argv[1]).T)
    b = np.ascontiguousarray(np.load(sys.argv[2]).T)
    repeats = int(sys.argv[3])
    eps = 1e-10
    out = {'cca': best(repeats, lambda: cca(a, b, eps)), 'pwcca': best(repeats, lambda: pwcca(a, b, eps))}
    try:
        from threadpoolctl import threadpool_info
        out['threads'] = [f"{i['internal_api']}:{i['num_threads']}" for i in threadpool_info()]
    except ImportError:
        out['threads'] = [f'numpy {np.__version__}']
    print(json.dumps(out))


if __name__ == '__main__':
    main()
