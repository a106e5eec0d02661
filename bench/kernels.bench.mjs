#!/usr/bin/env node
/**
 * Kernel throughput: C = AᵀB (crossGram) and Gram AᵀA for A, B of 10000×512 and 10000×1024 (row-major float64,
 * rows = datapoints), in GFLOP/s = 2·n·p·q / time, best of REPS. Gram is counted as the full product (2·n·p²) for
 * every contender, so exploiting symmetry shows up as a higher figure.
 *
 * - ours: every registered, available backend (dist/native/kernels), each in its own child process so thread pools,
 *   V8 flags and env do not leak between them; plus two variants of cpu-wasm-simd: on one thread
 *   (SVCCA_KERNEL_THREADS=1) and with relaxed SIMD enabled (node --experimental-wasm-relaxed-simd: fused multiply-add,
 *   what Electron 38 and Node ≥ 22 run by default).
 * - baseline: numpy float64 and float32 (`a.T @ b`, `a.T @ a`: OpenBLAS dgemm/dsyrk on all cores), measured in the same
 *   run. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from that subprocess only (they can pin OpenBLAS to a
 *   slower kernel); the OpenBLAS core and thread count it then used are printed.
 * Backends too slow for the full sizes within BUDGET_S (e.g. WebGPU on a software adapter) are measured on a 2000×256
 * probe only, and the line says so.
 *
 * Usage: node bench/kernels.bench.mjs [--quick] [--no-record]
 *   --quick: 10000×512 only; --no-record: do not append to bench/RESULTS.md. Builds dist/ if missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);
const QUICK = process.argv.includes('--quick');
const RECORD = !process.argv.includes('--no-record');
const SIZES = QUICK ? [[10000, 512]] : [[10000, 512], [10000, 1024]];
const PROBE = [2000, 256];
const REPS = 5;
const BUDGET_S = 150;

/** mulberry32 in [-1, 1): the same inputs for every contender. */
function randomMatrix(rows, cols, seed) {
  let a = seed >>> 0;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    data[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return { rows, cols, data };
}

const gflops = (n, p, ms) => (2 * n * p * p) / (ms * 1e6);

// ---------------------------------------------------------------------------------------------------------------
// Child: measure one backend, print one JSON line.
if (process.argv[2] === '--child') {
  const backend = process.argv[3];
  const sizes = JSON.parse(process.argv[4]);
  const kernels = await import(pathToFileURL(join(ROOT, 'dist/native/kernels/index.js')).href);
  const info = await kernels.backendInfo(backend);
  /** Best wall time and best CPU time (all threads of this process) over REPS runs after one warm-up. */
  const time = async (f) => {
    await f();
    let wall = Infinity;
    let cpu = Infinity;
    for (let i = 0; i < REPS; i++) {
      const c0 = process.cpuUsage();
      const t = performance.now();
      await f();
      wall = Math.min(wall, performance.now() - t);
      const c = process.cpuUsage(c0);
      cpu = Math.min(cpu, (c.user + c.system) / 1000);
    }
    return [wall, cpu];
  };
  const results = [];
  for (const [n, p] of sizes) {
    const a = randomMatrix(n, p, 1);
    const b = randomMatrix(n, p, 2);
    const [crossMs, crossCpuMs] = await time(() => kernels.crossGram(a, b, { backend }));
    const [gramMs, gramCpuMs] = await time(() => kernels.gram(a, { backend }));
    results.push({ n, p, crossMs, gramMs, crossCpuMs, gramCpuMs });
  }
  await kernels.disposeKernels();
  console.log(JSON.stringify({ backend, detail: info.detail, precision: info.precision, results }));
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------------------
// Parent.
if (!existsSync(join(ROOT, 'dist/native/kernels/index.js'))) {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.node.json')], {
    stdio: 'inherit',
  });
}

const lines = [];
const say = (line) => {
  console.log(line);
  lines.push(line);
};

function machine() {
  try {
    const lscpu = execFileSync('lscpu', { encoding: 'utf8' });
    const field = (name) => lscpu.match(new RegExp(`^${name}:\\s*(.+)$`, 'm'))?.[1]?.trim() ?? '?';
    const avx512 = /\bavx512f\b/.test(lscpu) ? ', AVX-512' : '';
    return `${field('Model name')}, ${field('CPU\\(s\\)')} CPUs, L2 ${field('L2 cache')}${avx512}`;
  } catch {
    return 'lscpu unavailable';
  }
}

const NUMPY = `
import json, sys, time, ctypes, numpy as np
sizes = json.loads(sys.argv[1]); reps = int(sys.argv[2])
rng = np.random.default_rng(1)
def best(f):
    # best wall time and best CPU time (all threads), in ms
    f(); b = c = float('inf')
    for _ in range(reps):
        t = time.perf_counter(); t0 = time.process_time(); f()
        b = min(b, time.perf_counter() - t); c = min(c, time.process_time() - t0)
    return b * 1e3, c * 1e3
def openblas():
    # what threadpoolctl would report, without needing it installed: ask the loaded OpenBLAS itself
    found = []
    for line in open('/proc/self/maps'):
        path = line.split()[-1]
        if 'openblas' not in path.lower() or '.so' not in path or any(f['path'] == path for f in found):
            continue
        lib = ctypes.CDLL(path)
        for prefix, suffix in (('scipy_openblas_', '64_'), ('scipy_openblas_', ''), ('openblas_', '')):
            if hasattr(lib, prefix + 'get_corename' + suffix):
                core = getattr(lib, prefix + 'get_corename' + suffix); core.restype = ctypes.c_char_p
                threads = getattr(lib, prefix + 'get_num_threads' + suffix)
                found.append({'path': path, 'core': core().decode(), 'threads': threads()})
                break
    return found
res = []
for n, p in sizes:
    # uniform [-1, 1) like the JavaScript side; throughput does not depend on the values
    a64 = rng.uniform(-1, 1, (n, p)); b64 = rng.uniform(-1, 1, (n, p))
    a32 = a64.astype(np.float32); b32 = b64.astype(np.float32)
    r = {'n': n, 'p': p}
    for name, a, b in (('f64', a64, b64), ('f32', a32, b32)):
        (cw, cc), (gw, gc) = best(lambda: a.T @ b), best(lambda: a.T @ a)
        r[name] = {'crossMs': cw, 'crossCpuMs': cc, 'gramMs': gw, 'gramCpuMs': gc}
    res.append(r)
try:
    import threadpoolctl
    pools = [{k: v for k, v in i.items() if k in ('internal_api', 'version', 'num_threads', 'architecture')} for i in threadpoolctl.threadpool_info()]
except ImportError:
    pools = None
print(json.dumps({'numpy': np.__version__, 'blas': openblas(), 'threadpoolctl': pools, 'results': res}))
`;

function numpyBaseline(sizes) {
  const env = { ...process.env };
  const removed = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'].map((k) => `${k}=${env[k] ?? '(not set)'}`);
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const run = spawnSync('python3', ['-c', NUMPY, JSON.stringify(sizes), String(REPS)], { env, encoding: 'utf8' });
  if (run.status !== 0) return { error: (run.stderr || run.error?.message || 'python3 failed').trim().split('\n').pop(), removed };
  return { ...JSON.parse(run.stdout), removed };
}

function child(backend, sizes, { env = {}, nodeArgs = [] } = {}) {
  const run = spawnSync(process.execPath, [...nodeArgs, SELF, '--child', backend, JSON.stringify(sizes)], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 15 * 60_000,
  });
  if (run.status !== 0) return { backend, error: (run.stderr || `exit ${run.status}`).trim().split('\n').slice(-3).join(' ') };
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

// As in the conformance suite: SwiftShader joins the Vulkan drivers when nothing is configured, so gpujs-webgpu is
// measured (on a software adapter, and labelled so) on machines without a GPU.
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && !process.env.VK_ADD_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
  process.env.VK_ADD_DRIVER_FILES = SWIFTSHADER_ICD;
}

const { registeredBackends } = await import(pathToFileURL(join(ROOT, 'dist/native/kernels/registry.js')).href);
await import(pathToFileURL(join(ROOT, 'dist/native/kernels/register-all.js')).href);

say(`\n## kernels.bench.mjs — ${new Date().toISOString().slice(0, 10)} (${machine()}; node ${process.version})`);
say(
  `- load average at start: ${loadavg().map((v) => v.toFixed(2)).join(' ')}. Figures are best of ${REPS}: wall-clock ` +
    'GFLOP/s, and GFLOP per CPU-second of all the threads used (efficiency; less disturbed by other load on the machine)',
);

const baseline = numpyBaseline(SIZES);
if (baseline.error) {
  say(`- numpy baseline failed: ${baseline.error}`);
} else {
  const blas = baseline.blas.map((b) => `OpenBLAS core ${b.core}, ${b.threads} threads`).join('; ') || 'BLAS not identified';
  const pools = baseline.threadpoolctl ? `threadpoolctl: ${JSON.stringify(baseline.threadpoolctl)}` : 'threadpoolctl not installed';
  say(`- baseline: numpy ${baseline.numpy} (${blas}; ${pools}); for it only: unset ${baseline.removed.join(', ')}`);
}

const variants = [];
for (const backend of registeredBackends()) {
  const availability = await backend.probe();
  if (!availability.available) {
    say(`- ${backend.name}: not measured, unavailable: ${availability.reason}`);
    continue;
  }
  variants.push({ label: backend.name, backend: backend.name });
  if (backend.name === 'cpu-wasm-simd') {
    variants.push({ label: 'cpu-wasm-simd, 1 thread', backend: backend.name, env: { SVCCA_KERNEL_THREADS: '1' } });
    variants.push({
      label: 'cpu-wasm-simd, relaxed SIMD (FMA)',
      backend: backend.name,
      nodeArgs: ['--experimental-wasm-relaxed-simd'],
    });
  }
}

const rows = [];
for (const v of variants) {
  // A probe first: backends that would blow the time budget on the full sizes report the probe only.
  const probe = child(v.backend, [PROBE], v);
  if (probe.error) {
    say(`- ${v.label}: failed: ${probe.error}`);
    continue;
  }
  const rate = gflops(PROBE[0], PROBE[1], probe.results[0].crossMs);
  const needS = SIZES.reduce((s, [n, p]) => s + (2 * (REPS + 1) * 2 * n * p * p) / (rate * 1e9), 0);
  if (needS > BUDGET_S) {
    const r = probe.results[0];
    say(
      `- ${v.label} [${probe.detail}]: ${PROBE[0]}×${PROBE[1]} probe only (full sizes would take ~${needS.toFixed(0)} s): ` +
        `AᵀB ${gflops(...PROBE, r.crossMs).toFixed(2)} GFLOP/s, Gram ${gflops(...PROBE, r.gramMs).toFixed(2)} GFLOP/s`,
    );
    continue;
  }
  const full = child(v.backend, SIZES, v);
  if (full.error) {
    say(`- ${v.label}: failed: ${full.error}`);
    continue;
  }
  rows.push({ label: v.label, detail: full.detail, results: full.results });
}

for (const [i, [n, p]] of SIZES.entries()) {
  const base = baseline.results?.[i];
  for (const op of ['crossMs', 'gramMs']) {
    const name = op === 'crossMs' ? `C = AᵀB, ${n}×${p}` : `Gram AᵀA, ${n}×${p}`;
    say(`\n### ${name}`);
    const cpuOp = op.replace('Ms', 'CpuMs');
    const figure = (ms, cpuMs) =>
      `${gflops(n, p, ms).toFixed(1)} GFLOP/s (${ms.toFixed(1)} ms; ${gflops(n, p, cpuMs).toFixed(1)} GFLOP per CPU-second)`;
    const b64 = base ? gflops(n, p, base.f64[op]) : NaN;
    if (base) {
      say(`- numpy float64: ${figure(base.f64[op], base.f64[cpuOp])}`);
      say(`- numpy float32: ${figure(base.f32[op], base.f32[cpuOp])}`);
    }
    for (const row of rows) {
      const r = row.results[i];
      const ratio = Number.isFinite(b64) ? `; ratio vs numpy float64 ${(gflops(n, p, r[op]) / b64).toFixed(2)}` : '';
      say(`- ${row.label}: ${figure(r[op], r[cpuOp])}${ratio} [${row.detail}]`);
    }
  }
}
say(`\n- load average at end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);

if (RECORD) appendFileSync(join(ROOT, 'bench/RESULTS.md'), `${lines.join('\n')}\n`);
