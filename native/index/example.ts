/**
 * The bundled example workspace (resources/example-workspace: 10 small convnets on the UCI digits set), used when
 * a command is given no workspace. Found by walking up from this module, so it works from the source tree (tsx),
 * the compiled dist/ and a packaged app alike.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';

const RELATIVE = join('resources', 'example-workspace');

export function exampleWorkspace(): string {
  const starts = [dirname(fileURLToPath(import.meta.url))];
  // Electron sets resourcesPath in a packaged app; Node does not know the field.
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) starts.push(resourcesPath, join(resourcesPath, 'app'));
  for (const start of starts) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, RELATIVE);
      if (existsSync(join(candidate, 'README.md'))) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  throw new InputError(RELATIVE, 'the bundled example workspace is missing from this installation; give a workspace folder');
}
