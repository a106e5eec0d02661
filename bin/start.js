#!/usr/bin/env node
// `npm start [-- WORKSPACE|FILE…]`: the desktop app, on the given workspace, else the last one, else the bundled
// example. Where Electron's binary is absent (installed with ELECTRON_SKIP_BINARY_DOWNLOAD, offline machines, lab
// servers) it says so in one line and starts the browser mode instead (`svcca-studio serve`), which prints its URL.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const example = join(repo, 'resources', 'example-workspace');
const args = process.argv.slice(2);

/** The Electron executable, or null with the reason: the npm package without its binary throws on require. */
function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron');
    if (typeof path === 'string' && existsSync(path)) return { path };
    return { path: null, reason: `${path} is missing` };
  } catch {
    return { path: null, reason: 'node_modules/electron/dist was not downloaded' };
  }
}

/** Builds once when the outputs this mode needs are missing (a fresh clone that skipped `npm run setup`). */
function ensureBuilt(outputs, script) {
  if (outputs.every((file) => existsSync(join(repo, file)))) return;
  process.stdout.write(`start: building first (npm run ${script})\n`);
  const result = spawnSync('npm', ['run', script], { cwd: repo, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** Runs a child to its end, passing Ctrl+C / SIGTERM on, and exits with its code. */
function run(command, commandArgs, env = process.env) {
  const child = spawn(command, commandArgs, { cwd: repo, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
}

const electron = electronBinary();
if (electron.path) {
  ensureBuilt(['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'], 'build:app');
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  // Chromium refuses to run as root with its sandbox on (containers, CI); the page stays context-isolated.
  const asRoot = process.platform === 'linux' && process.getuid?.() === 0;
  if (asRoot) process.stdout.write('start: running as root, so Chromium\'s own sandbox is off (--no-sandbox)\n');
  run(electron.path, [...(asRoot ? ['--no-sandbox'] : []), repo, ...args], env);
} else {
  const workspace = args[0] ?? example;
  process.stdout.write(`start: the Electron binary is absent (${electron.reason}); starting the browser mode instead: svcca-studio serve ${workspace}\n`);
  ensureBuilt(['dist/native/cli/main.js', 'out/renderer/index.html'], 'build');
  run(process.execPath, [join(repo, 'bin', 'svcca-studio.js'), 'serve', workspace]);
}
