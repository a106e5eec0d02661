// Checks an unpacked app made by electron-builder (scripts/dist.mjs runs it after `--dir`; the packaging test runs
// it on a dry run). What it proves: the electron-vite bundles are in app.asar; every package those bundles import
// is packaged; the native addons are unpacked next to the archive, with only this OS's Dawn build; the example
// workspace is a real folder beside the archive; no sources, tests, CLI build or source maps ship.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const asar = createRequire(join(repo, 'package.json'))('@electron/asar');

const DAWN_DIRS = { linux: 'linux', darwin: 'darwin', win32: 'win32' };
const BUNDLES = ['out/main/index.js', 'out/main/host.js', 'out/main/chunks/worker.js', 'out/preload/index.cjs', 'out/renderer/index.html'];

function resourcesDir(unpacked, platform) {
  if (platform !== 'darwin') return join(unpacked, 'resources');
  const app = readdirSync(unpacked).find((name) => name.endsWith('.app'));
  return app ? join(unpacked, app, 'Contents', 'Resources') : join(unpacked, 'resources');
}

function size(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.size;
  return readdirSync(path).reduce((sum, name) => sum + size(join(path, name)), 0);
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The bare package names a bundle imports (externals left by electron-vite), without node: builtins and electron. */
export function externalImports(source) {
  const names = new Set();
  // Only npm-valid specifiers count: prose inside bundled strings ("… from ', '") can look like an import.
  const packageSpec = /^(@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*(\/[\w.~@/-]*)?$/;
  const patterns = [/\bfrom\s*["']([^"'./][^"']*)["']/g, /\bimport\s*["']([^"'./][^"']*)["']/g, /\brequire\(\s*["']([^"'./][^"']*)["']\s*\)/g, /\bimport\(\s*["']([^"'./][^"']*)["']\s*\)/g];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) {
      const spec = match[1];
      if (!packageSpec.test(spec)) continue;
      if (spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]) || spec === 'electron') continue;
      names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  }
  return [...names].sort();
}

/**
 * @param {string} unpacked the `<os>-unpacked` folder
 * @returns {{ lines: string[], problems: string[] }}
 */
export function checkLayout(unpacked, { platform = process.platform, arch = process.arch } = {}) {
  const lines = [];
  const problems = [];
  const resources = resourcesDir(unpacked, platform);
  const archive = join(resources, 'app.asar');
  if (!existsSync(archive)) return { lines, problems: [`no app.asar in ${resources}`] };
  const files = new Set(asar.listPackage(archive).map((f) => f.replaceAll('\\', '/').replace(/^\//, '')));
  lines.push(`app.asar: ${files.size} entries, ${mb(size(archive))}`);

  for (const bundle of BUNDLES) if (!files.has(bundle)) problems.push(`app.asar lacks ${bundle}`);
  const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8'));
  const main = pkg.main.replace(/^\.\//, '');
  if (!files.has(main)) problems.push(`package.json main (${pkg.main}) is not in app.asar`);

  // Every package the bundles import must be packaged (electron-vite leaves dependencies external).
  const imported = new Set();
  for (const file of files) {
    if (!/^out\/(main|preload)\/.*\.(c|m)?js$/.test(file)) continue;
    for (const name of externalImports(asar.extractFile(archive, file).toString('utf8'))) imported.add(name);
  }
  for (const name of imported) if (!files.has(`node_modules/${name}/package.json`)) problems.push(`bundles import '${name}' but node_modules/${name} is not packaged`);
  lines.push(`bundles import ${imported.size ? [...imported].join(', ') : 'no packages'}: all packaged`);

  const preload = asar.extractFile(archive, 'out/preload/index.cjs').toString('utf8');
  const preloadImports = externalImports(preload);
  if (preloadImports.length) problems.push(`the sandboxed preload requires ${preloadImports.join(', ')} (only 'electron' is available to it)`);

  const shipped = [...files];
  for (const [what, test] of [
    ['sources (main/, native/, renderer/src/)', (f) => /^(main|native)\//.test(f) || f.startsWith('renderer/')],
    ['the CLI build (dist/)', (f) => f.startsWith('dist/')],
    ['tests', (f) => /^test\//.test(f)],
    ['source maps of the app', (f) => /^out\/.*\.map$/.test(f)],
  ]) {
    const found = shipped.filter(test);
    if (found.length) problems.push(`app.asar ships ${what}: ${found.slice(0, 3).join(', ')}${found.length > 3 ? ', …' : ''}`);
  }

  // Native addons: unpacked, not inside the archive.
  const unpackedDir = join(resources, 'app.asar.unpacked');
  const sqlite = join(unpackedDir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(sqlite)) problems.push('better_sqlite3.node is not unpacked next to app.asar');
  const dawnRoot = join(unpackedDir, 'node_modules', 'webgpu', 'dist');
  const dawnDirs = existsSync(dawnRoot) ? readdirSync(dawnRoot) : [];
  const own = dawnDirs.filter((d) => d === `${DAWN_DIRS[platform]}-${arch}` || d === `${DAWN_DIRS[platform]}-universal`);
  const foreign = dawnDirs.filter((d) => !own.includes(d));
  if (!own.some((d) => existsSync(join(dawnRoot, d, 'dawn.node')))) problems.push(`Dawn's dawn.node for ${platform} is not unpacked`);
  if (foreign.length) problems.push(`Dawn builds for other systems ship too: ${foreign.join(', ')}`);
  // The BLAS addon (docs/packaging.md): unpacked wherever `npm run setup` built it; without it the app runs on WebAssembly.
  const blasAddon = join('addon', 'blas', 'build', 'Release', 'svcca_blas.node');
  if (existsSync(join(repo, blasAddon)) && !existsSync(join(unpackedDir, blasAddon))) problems.push('the BLAS addon (addon/blas/build/Release/svcca_blas.node) is not unpacked next to app.asar');
  if (existsSync(unpackedDir)) lines.push(`app.asar.unpacked: ${mb(size(unpackedDir))} (better-sqlite3, Dawn ${own.join(', ')})`);

  const example = join(resources, 'resources', 'example-workspace');
  if (!existsSync(join(example, 'probe_labels.npy'))) problems.push('the example workspace is not beside app.asar (resources/example-workspace)');
  else {
    if (existsSync(join(example, '.svcca-studio'))) problems.push('the example workspace ships a local index (.svcca-studio)');
    const runs = readdirSync(example).filter((name) => existsSync(join(example, name, 'run.json'))).length;
    lines.push(`example workspace: ${runs} runs, ${mb(size(example))}`);
  }
  const readme = readFileSync(join(repo, 'package.json'), 'utf8');
  if (JSON.parse(readme).version !== pkg.version) problems.push('packaged package.json is not this checkout\'s');
  return { lines, problems };
}
