/**
 * Makes sure out/renderer holds a build of the current renderer sources before the browser tests run (and before
 * bench/ui.bench.mjs measures it). `npm test` builds it already (electron-vite build); this covers running the e2e
 * files alone. It builds the renderer target only, with the same settings as electron.vite.config.ts's `renderer`
 * section.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const RENDERER_OUT = join(ROOT, 'out/renderer');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

export async function ensureRendererBuild(): Promise<void> {
  const index = join(RENDERER_OUT, 'index.html');
  const sources = Math.max(newest(join(ROOT, 'renderer')), newest(join(ROOT, 'native/api')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  await buildRenderer();
}

/** Builds out/renderer from the current sources, whatever is there. */
export async function buildRenderer(logLevel: 'warn' | 'error' = 'warn'): Promise<void> {
  const { build } = await import('vite');
  const vue = (await import('@vitejs/plugin-vue')).default;
  await build({
    root: join(ROOT, 'renderer'),
    base: './',
    configFile: false,
    logLevel,
    plugins: [vue()],
    build: { outDir: RENDERER_OUT, emptyOutDir: true, chunkSizeWarningLimit: 4096, rollupOptions: { input: { index: join(ROOT, 'renderer/index.html') } } },
  });
}
