"""Per-pair PWCCA baseline for bench/matrix.bench.mjs: the public SVCCA reference code's algorithm
(google/svcca, cca_core.get_cca_similarity + pwcca.compute_pwcca), which redoes every decomposition for every pair.

Per ordered pair (A, B), both (neurons, datapoints):
  covariance of the stacked layers (np.cov), each block rescaled by the max |entry| of its own covariance,
  near-constant neurons removed (diagonal < epsilon), epsilon added to the diagonal, pinv, inverse square root by
  eigh, SVD of the whitened cross-covariance; then PWCCA: directions u^T (A - mean) + mean, QR, weights
  sum_j |<p_i, a_j>| normalised, similarity = sum_i w_i * rho_i.

Input (stdin, JSON): {"files": [npy paths, datapoints x neurons], "pairs": [[i, j], ...], "epsilon": e}
Output (stdout, JSON): {"seconds": [per pair], "similarity": [per pair]}
The caller sets OPENBLAS_NUM_THREADS; the fastest setting is the fair baseline.
"""
import json
import sys
import time

import numpy as np


def inverse_sqrt_psd(sigma):
    inverse = np.linalg.pinv(sigma)
    w, v = np.linalg.eigh(inverse)
    # As the reference writes it (a diagonal matrix product included), so its cost is the reference's.
    return np.dot(v, np.dot(np.diag(np.sqrt(np.clip(w, 0, None))), v.T))


def reference_pwcca(acts1, acts2, epsilon):
    n1 = acts1.shape[0]
    cov = np.cov(acts1, acts2)
    sxx, sxy, syy = cov[:n1, :n1], cov[:n1, n1:], cov[n1:, n1:]
    xmax, ymax = np.max(np.abs(sxx)), np.max(np.abs(syy))
    sxx = sxx / xmax
    syy = syy / ymax
    sxy = sxy / np.sqrt(xmax * ymax)
    keep_x = np.abs(np.diagonal(sxx)) >= epsilon
    keep_y = np.abs(np.diagonal(syy)) >= epsilon
    sxx = sxx[keep_x][:, keep_x] + epsilon * np.eye(keep_x.sum())
    syy = syy[keep_y][:, keep_y] + epsilon * np.eye(keep_y.sum())
    sxy = sxy[keep_x][:, keep_y]
    wxx = inverse_sqrt_psd(sxx)
    wyy = inverse_sqrt_psd(syy)
    u, s, _ = np.linalg.svd(wxx @ sxy @ wyy)
    rho = np.abs(s)
    # pwcca.compute_pwcca: A's side when it keeps no more neurons than B.
    mean = acts1[keep_x].mean(axis=1, keepdims=True)
    dirns = u.T @ (acts1[keep_x] - mean) + mean
    p, _ = np.linalg.qr(dirns.T)
    weights = np.abs(p.T @ acts1[keep_x].T).sum(axis=1)
    weights = weights / weights.sum()
    return float(np.sum(weights * rho))


def main():
    job = json.load(sys.stdin)
    # Reference layout: (neurons, datapoints), float64.
    layers = [np.ascontiguousarray(np.load(f).astype(np.float64).T) for f in job["files"]]
    seconds, similarity = [], []
    for i, j in job["pairs"]:
        t0 = time.perf_counter()
        similarity.append(reference_pwcca(layers[i], layers[j], job.get("epsilon", 0.0)))
        seconds.append(time.perf_counter() - t0)
    json.dump({"seconds": seconds, "similarity": similarity}, sys.stdout)


if __name__ == "__main__":
    main()
