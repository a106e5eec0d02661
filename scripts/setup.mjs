#!/usr/bin/env node
// `npm run setup`: everything a fresh clone needs, in one idempotent step (CI runs it before every test run).
//   1. npm ci (npm install without a lockfile) with ELECTRON_SKIP_BINARY_DOWNLOAD=1 — skipped when node_modules
//      already matches package-lock.json (a stored hash), so a second run is fast;
//   2. one try to fetch Electron's binary (offline machines are normal: one line, and the app falls back to the
//      browser mode);
//   3. Debian's chromium for the browser tests (and xvfb for the Electron smoke test when Electron is there), and
//      Slurm (slurmctld, slurmd, munge, the client tools) for the job-array test, when missing and we are root with
//      apt-get; otherwise one line;
//   4. the BLAS addon (addon/blas, C over Node-API, built by node-gyp) and, on Debian as root, libopenblas0 for it
//      to open; without either the kernels run on WebAssembly, one line says so;
//   5. npm run build.
// Each step prints one line saying what it did or why it did not.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = join(repo, 'node_modules', '.svcca-setup.json');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const ELECTRON_TIMEOUT_MS = 60_000;

const say = (line) => process.stdout.write(`setup: ${line}\n`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: repo, stdio: 'inherit', ...options });
  if (result.error) return { ok: false, why: result.error.code === 'ETIMEDOUT' ? 'timed out' : result.error.message };
  return { ok: result.status === 0, why: result.status === null ? `stopped by ${result.signal}` : `exit code ${result.status}` };
}

function onPath(tool) {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/** What node_modules was installed from: the lockfile (or package.json without one), Node's major version, the OS. */
function dependencyHash() {
  const lock = join(repo, 'package-lock.json');
  const source = existsSync(lock) ? readFileSync(lock) : readFileSync(join(repo, 'package.json'));
  return createHash('sha256')
    .update(source)
    .update(`${process.versions.node.split('.')[0]} ${process.platform} ${process.arch}`)
    .digest('hex');
}

/**
 * Without a stamp (node_modules installed by hand), npm's own record of what it installed,
 * node_modules/.package-lock.json, is compared with the lockfile: same version at every path, optional packages
 * for other platforms aside, nothing extra. Then the stamp is written and no reinstall happens.
 */
function installedMatchesLock() {
  try {
    const wanted = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')).packages ?? {};
    const installed = JSON.parse(readFileSync(join(repo, 'node_modules', '.package-lock.json'), 'utf8')).packages ?? {};
    for (const [path, entry] of Object.entries(wanted)) {
      if (path === '' || entry.link) continue;
      const have = installed[path];
      if (!have) {
        if (entry.optional || entry.devOptional) continue;
        return false;
      }
      if (have.version !== entry.version) return false;
    }
    return Object.keys(installed).every((path) => path in wanted);
  } catch {
    return false;
  }
}

function installDependencies() {
  const hash = dependencyHash();
  let stamped = false;
  try {
    stamped = JSON.parse(readFileSync(stampFile, 'utf8')).hash === hash;
  } catch {
    // no stamp yet
  }
  if (stamped || installedMatchesLock()) {
    if (!stamped) writeFileSync(stampFile, `${JSON.stringify({ hash, at: new Date().toISOString() })}\n`);
    say('dependencies already match package-lock.json (npm ci skipped)');
    return;
  }
  const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
  const options = { env, shell: process.platform === 'win32' };
  const flags = ['--no-audit', '--no-fund'];
  let installed = false;
  if (existsSync(join(repo, 'package-lock.json'))) {
    say("installing dependencies (npm ci, Electron's binary download skipped)");
    installed = run(npm, ['ci', ...flags], options).ok;
    // npm ci refuses a lockfile that lacks some optional platform packages (npm/cli#4828); npm install accepts it,
    // keeps every locked version and adds the missing entries.
    if (!installed) say('npm ci refused; trying npm install with the same lockfile');
  } else {
    say("no package-lock.json: installing dependencies (npm install, Electron's binary download skipped)");
  }
  if (!installed) {
    const result = run(npm, ['install', ...flags], options);
    if (!result.ok) {
      say(`npm install failed (${result.why})`);
      process.exit(1);
    }
  }
  // Hashed after the install: npm install may have completed the lockfile.
  writeFileSync(stampFile, `${JSON.stringify({ hash: dependencyHash(), at: new Date().toISOString() })}\n`);
}

/** The Electron executable if its binary is installed, else null. */
function electronBinary() {
  try {
    const path = createRequire(join(repo, 'package.json'))('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

function fetchElectron() {
  if (electronBinary()) {
    say('Electron binary present');
    return;
  }
  if (process.env.SVCCA_SKIP_ELECTRON === '1') {
    say('Electron binary absent; not fetched (SVCCA_SKIP_ELECTRON=1); npm start will use the browser mode');
    return;
  }
  const installer = join(repo, 'node_modules', 'electron', 'install.js');
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const result = spawnSync(process.execPath, [installer], { cwd: repo, env, stdio: 'ignore', timeout: ELECTRON_TIMEOUT_MS });
  if (electronBinary()) say('Electron binary fetched');
  else {
    const why = result.error?.code === 'ETIMEDOUT' ? `no answer in ${ELECTRON_TIMEOUT_MS / 1000} s` : 'its download site is not reachable';
    say(`Electron binary not available (${why}); npm start will use the browser mode`);
  }
}

function aptInstall(packages, purpose) {
  const root = process.platform === 'linux' && process.getuid?.() === 0;
  if (!root || !onPath('apt-get')) {
    say(`${packages.join(', ')} missing and not installable here (needs root and apt-get); ${purpose} will be skipped`);
    return;
  }
  say(`installing ${packages.join(', ')} from Debian (${purpose})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const quiet = { env, stdio: ['ignore', 'ignore', 'inherit'] };
  const update = run('apt-get', ['update', '-qq'], quiet);
  const install = update.ok ? run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], quiet) : update;
  if (!install.ok) say(`apt-get could not install ${packages.join(', ')} (${install.why}); ${purpose} will be skipped`);
}

function systemPackages() {
  if (existsSync('/usr/bin/chromium')) say('chromium present (browser tests)');
  else if (process.platform === 'linux') aptInstall(['chromium'], 'the browser tests');
  else say('not Linux: the browser tests look for a Chromium of their own');
  // gpu.js's WebGPU backend runs its conformance suite on chromium's SwiftShader ICD through the Vulkan loader.
  if (process.platform === 'linux') {
    if (['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1'].some((p) => existsSync(p))) say('Vulkan loader present (WebGPU backend tests)');
    else aptInstall(['libvulkan1'], 'the WebGPU backend tests');
  }
  // test/e2e/slurm.test.ts starts a one-node Slurm on localhost from these (it reports itself skipped without them).
  if (process.platform === 'linux') {
    const slurm = ['munged', 'slurmctld', 'slurmd', 'sbatch'];
    if (slurm.every((tool) => onPath(tool) || existsSync(`/usr/sbin/${tool}`))) say('Slurm and munge present (job-array test)');
    else aptInstall(['slurmctld', 'slurmd', 'munge', 'slurm-client'], 'the Slurm job-array test');
  }
  if (electronBinary() && process.platform === 'linux') {
    if (onPath('xvfb-run')) say('xvfb present (Electron smoke test)');
    else aptInstall(['xvfb', 'xauth'], 'the Electron smoke test');
  }
}

/** Where a BLAS the addon would open is installed (Debian's multiarch folders), or null. */
function systemBlas() {
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'];
  const names = ['libopenblas.so.0', 'libflexiblas.so.3', 'libmkl_rt.so.2', 'liblapack.so.3'];
  for (const dir of dirs) for (const name of names) if (existsSync(join(dir, name))) return join(dir, name);
  return null;
}

function blasAddon() {
  if (process.platform === 'linux') {
    const found = systemBlas();
    if (found) say(`BLAS present (${found})`);
    else aptInstall(['libopenblas0'], 'the BLAS kernel backend (the WebAssembly one runs instead)');
  }
  const gyp = join(repo, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (!existsSync(gyp)) {
    say('node-gyp missing from node_modules: the BLAS addon is not built; the kernels run on WebAssembly');
    return;
  }
  // Node's headers: npm's nodedir when set (offline machines keep them locally), else node-gyp fetches them.
  const nodedir = process.env.npm_config_nodedir;
  const args = [gyp, 'rebuild', '--directory', join(repo, 'addon', 'blas'), ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
  const result = run(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.ok) say('BLAS addon built (addon/blas/build/Release/svcca_blas.node)');
  else say(`BLAS addon not built (node-gyp: ${result.why}); the kernels run on WebAssembly`);
}

function build() {
  say('building (npm run build)');
  const result = run(npm, ['run', 'build'], { shell: process.platform === 'win32' });
  if (!result.ok) {
    say(`build failed (${result.why})`);
    process.exit(1);
  }
}

installDependencies();
fetchElectron();
systemPackages();
blasAddon();
build();
say('done: npm start opens the app; npm test runs every test');
