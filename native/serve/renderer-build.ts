/**
 * Where the renderer build (out/renderer/index.html) is: found by walking up from this module, so `serve` works
 * from the source tree (tsx), from dist/, and from a packaged app (resources/app/out/renderer).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';

const RELATIVE = join('out', 'renderer');

export function rendererBuild(): string {
  const starts = [dirname(fileURLToPath(import.meta.url))];
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) starts.push(join(resourcesPath, 'app'), resourcesPath);
  for (const start of starts) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, RELATIVE);
      if (existsSync(join(candidate, 'index.html'))) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  throw new UsageError('the UI build (out/renderer) is missing: run `npm run build:app` first');
}
