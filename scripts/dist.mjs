#!/usr/bin/env node
// Packaging with electron-builder (config: electron-builder.yml; docs: docs/packaging.md).
//   npm run dist              installers for this OS (Linux: AppImage + deb, macOS: dmg, Windows: nsis)
//   npm run dist:dir          the unpacked app only (release/<os>-unpacked)
//   node scripts/dist.mjs --dir --out DIR    same, into DIR
//   node scripts/dist.mjs --dry-run [--out DIR]   the dry run below, even where Electron is installed (tests)
// Electron's own binary comes from node_modules/electron/dist when installed, else from electron-builder's download
// cache. Where neither exists (offline, ELECTRON_SKIP_BINARY_DOWNLOAD), `--dir` becomes a DRY RUN: electron-builder
// runs for real — file selection, asar, unpacking, extra resources — around a placeholder executable, and the
// layout is checked (scripts/package-layout.mjs). The result is for inspection, not for running.
// better-sqlite3 is rebuilt for Electron's ABI inside node_modules by electron-builder; its Node build is put back
// afterwards so that the tests keep running under plain Node.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLayout } from './package-layout.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(repo, 'package.json'));
const argv = process.argv.slice(2);
const forceDryRun = argv.includes('--dry-run');
const dirOnly = argv.includes('--dir') || forceDryRun;
const outAt = argv.indexOf('--out');
const out = outAt >= 0 && argv[outAt + 1] ? resolve(argv[outAt + 1]) : null;
const say = (line) => process.stdout.write(`dist: ${line}\n`);

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: repo, stdio: 'inherit', env, shell: process.platform === 'win32' });
  return result.status === 0;
}

function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** electron-builder's download cache (the same zip @electron/get keeps), where a previous online run left one. */
function cachedElectronZip(version) {
  const base = process.env.ELECTRON_CACHE
    ?? (process.platform === 'darwin' ? join(homedir(), 'Library', 'Caches', 'electron')
      : process.platform === 'win32' ? join(process.env.LOCALAPPDATA ?? homedir(), 'electron', 'Cache')
        : join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'electron'));
  const platform = process.platform === 'darwin' ? 'darwin' : process.platform === 'win32' ? 'win32' : 'linux';
  const name = `electron-v${version}-${platform}-${process.arch}.zip`;
  const find = (dir, depth) => {
    if (!existsSync(dir) || depth > 2) return null;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isFile() && entry.name === name) return join(dir, entry.name);
      if (entry.isDirectory()) {
        const found = find(join(dir, entry.name), depth + 1);
        if (found) return found;
      }
    }
    return null;
  };
  return find(base, 0);
}

/** A stand-in for Electron's dist folder: one executable that says what it is. Linux only (macOS needs a bundle). */
function placeholderDist() {
  const dir = mkdtempSync(join(tmpdir(), 'svcca-electron-placeholder-'));
  const exe = join(dir, 'electron');
  writeFileSync(exe, '#!/bin/sh\necho "SVCCA Studio packaging dry run: this is a placeholder, not Electron" >&2\nexit 1\n');
  chmodSync(exe, 0o755);
  writeFileSync(join(dir, 'version'), require('electron/package.json').version);
  return dir;
}

if (!existsSync(join(repo, 'out', 'main', 'index.js')) || !existsSync(join(repo, 'out', 'renderer', 'index.html'))) {
  say('building the app first (npm run build:app)');
  if (!run('npm', ['run', 'build:app'])) process.exit(1);
}

const version = require('electron/package.json').version;
const binary = forceDryRun ? null : electronBinary();
const cached = binary || forceDryRun ? null : cachedElectronZip(version);
const dryRun = !binary && !cached;
const args = ['electron-builder', ...(dirOnly || dryRun ? ['--dir'] : [])];
if (out) args.push(`--config.directories.output=${out}`);
// node-gyp must fetch Electron's headers for the rebuild, not use a local Node's (an npm `nodedir` setting would
// silently build for Node's ABI instead).
const env = { ...process.env };
for (const key of Object.keys(env)) if (key.toLowerCase() === 'npm_config_nodedir') delete env[key];

let placeholder = null;
if (binary) {
  say(`using the installed Electron ${version} (${dirname(binary)})`);
  args.push(`--config.electronDist=${dirname(binary)}`);
} else if (cached) {
  say(`using electron-builder's cached Electron ${version} (${cached})`);
} else {
  if (process.platform !== 'linux') {
    say(`Electron ${version}'s binary is absent and not cached; a dry run is only set up for Linux: nothing packaged`);
    process.exit(2);
  }
  say(`Electron ${version}'s binary is absent and not cached: DRY RUN (placeholder executable, no native rebuild; the output is for inspection, not for running)`);
  placeholder = placeholderDist();
  args.push('--linux', `--config.electronDist=${placeholder}`, '--config.npmRebuild=false');
  if (!out) args.push(`--config.directories.output=${join(repo, 'release', 'dry-run')}`);
}

// Keep the Node build of better-sqlite3 aside: electron-builder rebuilds it in place for Electron. It is put back
// by rename (a new inode), never by writing over the file, which processes using it may have mapped. A dry run
// rebuilds nothing and touches nothing.
const addon = join(repo, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
const saved = !dryRun && existsSync(addon) ? join(mkdtempSync(join(tmpdir(), 'svcca-sqlite-node-')), 'better_sqlite3.node') : null;
if (saved) copyFileSync(addon, saved);
let ok = false;
try {
  ok = run('npx', args, env);
} finally {
  if (saved) {
    if (!existsSync(addon) || !readFileSync(addon).equals(readFileSync(saved))) {
      mkdirSync(dirname(addon), { recursive: true });
      const staged = `${addon}.${process.pid}.tmp`;
      copyFileSync(saved, staged);
      renameSync(staged, addon);
      say('put the Node build of better-sqlite3 back in node_modules (tests run under plain Node)');
    }
    rmSync(dirname(saved), { recursive: true, force: true });
  }
  if (placeholder) rmSync(placeholder, { recursive: true, force: true });
}
if (!ok) {
  say('electron-builder failed (see above)');
  process.exit(1);
}

if (dirOnly || dryRun) {
  const output = out ?? (dryRun ? join(repo, 'release', 'dry-run') : join(repo, 'release'));
  const unpacked = readdirSync(output).find((name) => name.endsWith('-unpacked') || name === 'mac' || name.startsWith('mac-'));
  if (!unpacked) {
    say(`no unpacked app found in ${output}`);
    process.exit(1);
  }
  const report = checkLayout(join(output, unpacked), { platform: process.platform });
  for (const line of report.lines) say(line);
  if (report.problems.length) {
    for (const problem of report.problems) say(`PROBLEM: ${problem}`);
    process.exit(1);
  }
  say(`${dryRun ? 'dry run' : 'unpacked app'} checked: ${join(output, unpacked)}`);
}
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
say(`done (${pkg.name} ${pkg.version}, Electron ${version})`);
