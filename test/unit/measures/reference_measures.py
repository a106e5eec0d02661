"""Independent float64 numpy/scipy computations the measure tests compare against.

Written for these tests (not the app): every function works in data space on the raw layers (datapoints x neurons),
with scipy's pivoted QR / numpy's SVD instead of the app's Gram-eigendecomposition route.
"""
import numpy as np
import scipy.linalg


def drop_constant(x, eps):
    """Center; drop neurons whose variance is <= eps * the largest (exactly constant ones always)."""
    x = np.asarray(x, dtype=np.float64)
    xc = x - x.mean(axis=0)
    var = (xc ** 2).mean(axis=0)
    constant = np.all(x == x[0], axis=0)
    keep = (~constant) & (var > eps * var[~constant].max())
    return xc[:, keep], keep


def orth_basis(xc, rel=1e-9):
    """Orthonormal basis of the column space by pivoted Householder QR, rank from |R_ii|."""
    q, r, _ = scipy.linalg.qr(xc, mode='economic', pivoting=True)
    d = np.abs(np.diag(r))
    rank = int(np.sum(d > rel * d[0]))
    return q[:, :rank]


def svd_dirs(xc, keep=None, dims=None, rel=1e-9):
    """Left singular vectors and singular values of the centered layer, truncated like SVCCA."""
    u, s, _ = np.linalg.svd(xc, full_matrices=False)
    rank = int(np.sum(s > rel * s[0]))
    u, s = u[:, :rank], s[:rank]
    if dims is not None:
        k = dims
    elif keep is not None:
        c = np.cumsum(s)
        k = int(np.argmax(c >= keep * c[-1]) + 1)
    else:
        k = rank
    return u[:, :k], s[:k]


def cca_from_bases(qa, qb):
    u, rho, _ = np.linalg.svd(qa.T @ qb, full_matrices=False)
    return np.clip(rho, 0, 1), u


def cca(x, y, eps=1e-10):
    xa, _ = drop_constant(x, eps)
    yb, _ = drop_constant(y, eps)
    rho, _ = cca_from_bases(orth_basis(xa), orth_basis(yb))
    return {'similarity': rho.mean(), 'coefficients': rho, 'mean_square': np.sqrt(np.mean(rho ** 2))}


def svcca(x, y, keep=0.99, dims=None, eps=1e-10):
    xa, _ = drop_constant(x, eps)
    yb, _ = drop_constant(y, eps)
    ua, _ = svd_dirs(xa, keep, dims)
    ub, _ = svd_dirs(yb, keep, dims)
    rho, _ = cca_from_bases(ua, ub)
    return {'similarity': rho.mean(), 'coefficients': rho, 'dims': [ua.shape[1], ub.shape[1]]}


def svcca_weighted(x, y, keep=0.99, dims=None, eps=1e-10):
    """[Raghu2017-SVCCA-ICMLW]: (1/sum l) sum_i l_i ||(rho X~^T) x'_i||, X~ = canonical directions of X in data space."""
    xa, _ = drop_constant(x, eps)
    yb, _ = drop_constant(y, eps)
    ua, sa = svd_dirs(xa, keep, dims)
    ub, _ = svd_dirs(yb, keep, dims)
    # canonical directions via an independent route: QR-whitened CCA on the truncated layers
    qa = np.linalg.qr(ua * sa)[0]
    qb = np.linalg.qr(ub)[0]
    rho, um = cca_from_bases(qa, qb)
    xt = qa @ um  # m x c aligned directions
    proj = (rho[:, None] * xt.T) @ ua  # c x k: column i = (rho X~^T) x'_i
    return {'similarity': np.sum(sa * np.linalg.norm(proj, axis=0)) / np.sum(sa), 'coefficients': rho}


def pwcca(x, y, eps=1e-10):
    """[Morcos2018-PWCCA] sec. 2.2 in data space: h_i = A's canonical variates, z_j = A's centered kept neurons."""
    xa, _ = drop_constant(x, eps)
    yb, _ = drop_constant(y, eps)
    qa, qb = orth_basis(xa), orth_basis(yb)
    rho, um = cca_from_bases(qa, qb)
    h = qa @ um  # m x c
    h, _ = np.linalg.qr(h)  # the paper's Gram-Schmidt (a no-op up to signs)
    alpha = np.abs(h.T @ xa).sum(axis=1)
    alpha = alpha / alpha.sum()
    return {'similarity': float(alpha @ rho), 'coefficients': rho, 'weights': alpha}


def cka(x, y):
    """Kornblith et al. 2019, feature-space linear CKA and the debiased estimator."""
    x = x - x.mean(0)
    y = y - y.mean(0)
    n = x.shape[0]

    def helper(xty, rx, ry, nx, ny):
        return xty - n / (n - 2.0) * rx.dot(ry) + nx * ny / ((n - 1) * (n - 2))

    xy = np.linalg.norm(x.T @ y) ** 2
    xx = np.linalg.norm(x.T @ x)
    yy = np.linalg.norm(y.T @ y)
    rx, ry = (x * x).sum(1), (y * y).sum(1)
    deb = helper(xy, rx, ry, rx.sum(), ry.sum()) / np.sqrt(
        helper(xx ** 2, rx, rx, rx.sum(), rx.sum()) * helper(yy ** 2, ry, ry, ry.sum(), ry.sum()))
    return {'similarity': xy / (xx * yy), 'debiased': deb}


def covariance_cca(x, y):
    """The textbook formula ([Morcos2018-PWCCA] sec. 2.1): singular values of Sxx^-1/2 Sxy Syy^-1/2, inverse square roots by
    eigendecomposition, as the public reference code does (without its epsilon). NaN when a covariance is singular."""
    xc, yc = x - x.mean(0), y - y.mean(0)
    m = x.shape[0]
    sxx, syy, sxy = xc.T @ xc / (m - 1), yc.T @ yc / (m - 1), xc.T @ yc / (m - 1)

    def inv_sqrt(s):
        w, v = np.linalg.eigh(np.linalg.pinv(s))
        with np.errstate(invalid='ignore'):
            return (v * np.sqrt(w)) @ v.T

    arr = inv_sqrt(sxx) @ sxy @ inv_sqrt(syy)
    if not np.all(np.isfinite(arr)):
        return {'similarity': float('nan'), 'coefficients': [float('nan')]}
    s = np.linalg.svd(arr, compute_uv=False)
    return {'similarity': s[:min(arr.shape)].mean(), 'coefficients': s}


def reference_pwcca(x, y, epsilon, flip=False, negate_first=False):
    """The public reference code's compute_pwcca pipeline (google/svcca pwcca.py + cca_core.get_cca_similarity),
    re-implemented step by step on (datapoints x neurons) inputs. flip=True fixes LAPACK's arbitrary singular-vector
    signs by scikit-learn's svd_flip convention (largest-magnitude entry positive), as the app does. negate_first then
    flips the first pair of singular vectors, as another LAPACK build may: a sign CCA itself cannot see."""
    acts1, acts2 = np.asarray(x, dtype=np.float64).T, np.asarray(y, dtype=np.float64).T  # neurons x datapoints
    nx = acts1.shape[0]
    cov = np.cov(acts1, acts2)
    sxx, sxy, syy = cov[:nx, :nx].copy(), cov[:nx, nx:].copy(), cov[nx:, nx:].copy()
    xmax, ymax = np.max(np.abs(sxx)), np.max(np.abs(syy))
    sxx, syy, sxy = sxx / xmax, syy / ymax, sxy / np.sqrt(xmax * ymax)
    xi = np.abs(np.diagonal(sxx)) >= epsilon
    yi = np.abs(np.diagonal(syy)) >= epsilon
    sxx, syy, sxy = sxx[xi][:, xi], syy[yi][:, yi], sxy[xi][:, yi]
    sxx = sxx + epsilon * np.eye(sxx.shape[0])
    syy = syy + epsilon * np.eye(syy.shape[0])

    def sqrtm_psd(a):
        w, v = np.linalg.eigh(a)
        return v @ np.diag(np.sqrt(w)) @ v.conj().T

    ix, iy = sqrtm_psd(np.linalg.pinv(sxx)), sqrtm_psd(np.linalg.pinv(syy))
    u, s, vh = np.linalg.svd(ix @ sxy @ iy)
    s = np.abs(s)
    if flip:
        cols = np.argmax(np.abs(u), axis=0)
        u = u * np.sign(u[cols, range(u.shape[1])])
        rows = np.argmax(np.abs(vh), axis=1)
        vh = vh * np.sign(vh[range(vh.shape[0]), rows])[:, None]
    if negate_first:
        u[:, 0] *= -1
        vh[0, :] *= -1
    m1 = acts1.mean(axis=1, keepdims=True)
    m2 = acts2.mean(axis=1, keepdims=True)
    if xi.sum() <= yi.sum():
        dirns = u.T @ (acts1[xi] - m1[xi]) + m1[xi]
        acts, idx, side = acts1, xi, 'A'
    else:
        dirns = vh @ (acts2[yi] - m2[yi]) + m2[yi]
        acts, idx, side = acts2, yi, 'B'
    p, _ = np.linalg.qr(dirns.T)
    w = np.sum(np.abs(p.T @ acts[idx].T), axis=1)
    w = w / np.sum(w)
    return {'similarity': float(np.sum(w * s)), 'weights': w, 'coefficients': s, 'side': side}
