"""numpy float64 baseline for bench/analyses.bench.mjs: the same analyses written the straightforward way.

dynamics: for every (checkpoint layer, final layer) pair, center, SVD both sides, keep 99% of the singular values,
SVD of the cross product (the per-pair algorithm of the public SVCCA code, decompositions not shared between pairs).
compress: for every k, the projection built by an SVD of the chosen span, then the rest of the network.
Prints one JSON object: times (best of `repeats`) and the values, for the bench to compare with ours.
"""
import json, struct, sys, time
import numpy as np

args = json.loads(sys.argv[1])
corpus, run, steps, layers, repeats = args['corpus'], args['run'], args['steps'], args['layers'], args['repeats']
EPS = 2.0 ** -52

def load(step, layer):
    return np.load(f'{corpus}/{run}/step-{step:06d}/{layer}.npy').astype(np.float64)

def pool(x, th, tw):
    m, h, w, c = x.shape
    out = np.zeros((m, th, tw, c))
    for i in range(th):
        r0, r1 = (i * h) // th, -((-(i + 1) * h) // th)
        for j in range(tw):
            c0, c1 = (j * w) // tw, -((-(j + 1) * w) // tw)
            out[:, i, j, :] = x[:, r0:r1, c0:c1, :].mean(axis=(1, 2))
    return out

def rows(a, b):
    grid = (min(a.shape[1], b.shape[1]), min(a.shape[2], b.shape[2])) if a.ndim == 4 and b.ndim == 4 else (1, 1)
    f = lambda x: x if x.ndim == 2 else pool(x, *grid).reshape(-1, x.shape[-1])
    return f(a), f(b)

def top(x):
    xc = x - x.mean(0)
    var = (xc ** 2).mean(0)
    xc = xc[:, var > 1e-10 * var.max()]
    u, s, _ = np.linalg.svd(xc, full_matrices=False)
    r = int(np.sum(s ** 2 > EPS * max(xc.shape) * s[0] ** 2))
    c = np.cumsum(s[:r])
    return u[:, : int(np.searchsorted(c, 0.99 * c[-1]) + 1)]

def dynamics():
    final = {l: load(steps[-1], l) for l in layers}
    out = []
    for s in steps:
        pane = []
        for a in layers:
            x = load(s, a)
            row = []
            for b in layers:
                xa, xb = rows(x, final[b])
                row.append(float(np.linalg.svd(top(xa).T @ top(xb), compute_uv=False).mean()))
            pane.append(row)
        out.append(pane)
    return out

def safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        body = f.read()
    return {k: np.frombuffer(body[v['data_offsets'][0]:v['data_offsets'][1]], dtype='<f4').astype(np.float64).reshape(v['shape'])
            for k, v in header.items() if k != '__metadata__'}

def compress(layer, rest, draws):
    step = steps[-1]
    w = safetensors(f'{corpus}/{run}/step-{step:06d}/weights.safetensors')
    labels = np.load(f'{corpus}/probe_labels.npy')
    x = load(step, layer)
    x = x.reshape(x.shape[0], -1)
    n = x.shape[1]
    mu = x.mean(0); xc = x - mu
    def predict(xk):
        z = xk
        for name, act in rest:
            z = z @ w[name + '.weight'].T + w[name + '.bias']
            if act == 'relu': z = np.maximum(z, 0)
        return z.argmax(1)
    def acc(h):
        return float(np.mean(predict(mu + h @ (h.T @ xc)) == labels))
    def orth(cols):
        u, s, _ = np.linalg.svd(cols, full_matrices=False)
        return u[:, : int(np.sum(s > 1e-9 * s[0]))] if s.size and s[0] > 0 else cols[:, :0]
    u, s, _ = np.linalg.svd(xc, full_matrices=False)
    r = int(np.sum(s ** 2 > EPS * max(xc.shape) * s[0] ** 2))
    curves = {'svd': [acc(u[:, :min(k, r)]) for k in range(1, n + 1)]}
    score = np.abs(x).mean(0)
    order = sorted(range(n), key=lambda j: (-score[j], j))
    curves['max_activation'] = [acc(orth(xc[:, order[:k]])) for k in range(1, n + 1)]
    rs = np.random.RandomState(1)
    curves['random'] = list(np.mean([[acc(orth(xc[:, p[:k]])) for k in range(1, n + 1)] for p in (rs.permutation(n) for _ in range(draws))], axis=0))
    return curves

def best(f, repeats):
    times, value = [], None
    for _ in range(repeats):
        t = time.perf_counter(); value = f(); times.append(time.perf_counter() - t)
    return min(times), value

t_dyn, dyn = best(dynamics, repeats)
t_cmp, cmp = best(lambda: compress(args['layer'], args['rest'], args['draws']), args['compress_repeats'])
print(json.dumps({'dynamics': {'seconds': t_dyn, 'tensor': dyn}, 'compress': {'seconds': t_cmp, 'curves': cmp}}))
