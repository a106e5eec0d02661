/**
 * Shared by the analyses tests: a workspace (the bundled example, or the optional shared corpus for extra cases)
 * opened with a private index file, synthetic workspaces written by numpy (activations as .npy, parameters as a
 * safetensors state dict, probe labels), and the python reference.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkspaceIndex } from '../../../native/index/index.js';
import { CORPUS, EXAMPLE, REPO } from '../../support/corpus.js';

export { CORPUS, EXAMPLE, REPO };

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A workspace's index in a private database file, brought up to date. */
export async function openIndexed(root: string, dbDir: string, name = 'index'): Promise<WorkspaceIndex> {
  const index = WorkspaceIndex.open(root, { db: join(dbDir, `${name}.sqlite`) });
  await index.index();
  return index;
}

/**
 * Gram centering of Kornblith et al. 2019 (their notebook's `center_gram`, with its unbiased variant) as a python
 * function `center(g, unbiased)`, for scripts passed to `python` that compute CKA independently.
 */
export const CENTER_GRAM_PY = `def center(g, unbiased):
    g = g.copy(); n = g.shape[0]
    if unbiased:
        np.fill_diagonal(g, 0)
        means = g.sum(0) / (n - 2); means -= means.sum() / (2 * (n - 1))
        g -= means[:, None]; g -= means[None, :]; np.fill_diagonal(g, 0)
    else:
        means = g.mean(0); means -= means.mean() / 2
        g -= means[:, None]; g -= means[None, :]
    return g`;

/** The paper's PWCCA (weights from A's variates), written from its definition, and `rows` (conv channels as rows). */
export const PWCCA_PY = `
def rows(x):
    return x.reshape(-1, x.shape[-1]) if x.ndim == 4 else x
def pwcca(x, y):
    xc = x - x.mean(0)
    qa, _ = basis(x); qb, _ = basis(y)
    u, rho, _ = np.linalg.svd(qa.T @ qb, full_matrices=False)
    rho = np.clip(rho, 0, 1)
    h = qa @ u
    var = (xc ** 2).mean(0); keep = (var > 1e-10 * var.max()) & ~np.all(x == x[0], axis=0)
    a = np.abs(h.T @ xc[:, keep]).sum(1)
    return float((a / a.sum()) @ rho)`;

/**
 * Runs a python3 script with numpy (JSON in on stdin as `data`, the script prints JSON). The prelude gives every
 * script the same independent float64 helpers, written from the papers' definitions, not from the TypeScript;
 * `WORKSPACE` (read by `run_layer`) is `root`, the example workspace unless told.
 */
export function python<T>(script: string, input: unknown = null, root: string = EXAMPLE): T {
  const out = execFileSync('python3', ['-c', `${PRELUDE}\nWORKSPACE = ${JSON.stringify(root)}\n${script}`], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
  });
  return JSON.parse(out) as T;
}

const PRELUDE = String.raw`
import json, os, sys, struct, math
import numpy as np
data = json.loads(sys.stdin.read() or 'null')
EPS = 2.0 ** -52

def load(path):
    return np.load(path).astype(np.float64)

def run_layer(run, step, layer):
    """A checkpoint's layer from WORKSPACE: <layer>.npy (the corpus) or a member of activations.npz (the example)."""
    d = f'{WORKSPACE}/{run}/step-{step:06d}'
    if os.path.exists(f'{d}/{layer}.npy'):
        return load(f'{d}/{layer}.npy')
    return np.load(f'{d}/activations.npz')[layer].astype(np.float64)

def safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        body = f.read()
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        a, b = info['data_offsets']
        dt = {'F32': '<f4', 'F64': '<f8'}[info['dtype']]
        out[name] = np.frombuffer(body[a:b], dtype=dt).astype(np.float64).reshape(info['shape'])
    return out

def adaptive_pool(x, th, tw):
    """(m, h, w, c) -> (m, th, tw, c), PyTorch adaptive_avg_pool2d windows."""
    m, h, w, c = x.shape
    out = np.zeros((m, th, tw, c))
    for i in range(th):
        r0, r1 = (i * h) // th, -((-(i + 1) * h) // th)
        for j in range(tw):
            c0, c1 = (j * w) // tw, -((-(j + 1) * w) // tw)
            out[:, i, j, :] = x[:, r0:r1, c0:c1, :].mean(axis=(1, 2))
    return out

def pair_rows(a, b):
    """The channels rule: dense as is; conv pairs pooled to the coarser grid; conv with dense pooled to 1x1."""
    def rows(x, grid):
        if x.ndim == 2:
            return x
        p = adaptive_pool(x, *grid)
        return p.reshape(-1, x.shape[-1])
    if a.ndim == 4 and b.ndim == 4:
        grid = (min(a.shape[1], b.shape[1]), min(a.shape[2], b.shape[2]))
    else:
        grid = (1, 1)
    return rows(a, grid), rows(b, grid)

def basis(x, epsilon=1e-10):
    """Centered, near-constant neurons dropped, left singular vectors and singular values above the rank cut."""
    xc = x - x.mean(axis=0)
    var = (xc ** 2).mean(axis=0)
    const = np.all(x == x[0], axis=0)
    keep = (~const) & (var > epsilon * var[~const].max())
    xc = xc[:, keep]
    u, s, _ = np.linalg.svd(xc, full_matrices=False)
    r = int(np.sum(s ** 2 > EPS * max(xc.shape) * s[0] ** 2))
    return u[:, :r], s[:r]

def keep_dims(s, keep=0.99):
    c = np.cumsum(s)
    return int(np.searchsorted(c, keep * c[-1]) + 1)

def svcca_all(x, y, keep=0.99):
    """SVCCA: coefficients, their mean, mean-square ([Raghu2017-BottomUp]) and Weighted SVCCA ([Raghu2017-SVCCA-ICMLW]) with A = x."""
    qa, sa = basis(x)
    qb, sb = basis(y)
    ka, kb = keep_dims(sa, keep), keep_dims(sb, keep)
    u, rho, _ = np.linalg.svd(qa[:, :ka].T @ qb[:, :kb], full_matrices=False)
    rho = np.clip(rho, 0, 1)
    weighted = sum(sa[i] * np.linalg.norm(rho * u[i, :]) for i in range(ka)) / sa[:ka].sum()
    return rho, float(rho.mean()), float(np.sqrt((rho ** 2).mean())), float(weighted)
`;

/**
 * The CLI as a user runs it, from source in a child process, with its index in `dbDir`; and the one JSON line its
 * `--json` must print.
 */
export function runCli(dbDir: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const child = join(REPO, 'test', 'unit', 'index', 'child.ts');
  const r = spawnSync(process.execPath, ['--import', 'tsx', child, 'cli', ...args, '--db', join(dbDir, 'index.sqlite')], { cwd: REPO, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function oneJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  if (lines.length !== 1) throw new Error(`--json printed ${lines.length} lines, not one:\n${stdout}`);
  return JSON.parse(stdout) as Record<string, unknown>;
}
