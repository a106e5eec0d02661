import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

// One config, three targets. Main and preload keep dependencies external (better-sqlite3 and Dawn are native
// modules rebuilt for Electron at packaging); the renderer is a plain browser bundle that `serve` also hosts.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // Two entries: the window side (index) and the compute host (host) that main starts as a utility process.
        // Separate bundles keep the numerical code out of main's startup path.
        input: { index: resolve(__dirname, 'main/index.ts'), host: resolve(__dirname, 'main/host.ts') },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'main/preload.ts') },
        // A sandboxed preload is not an ES module: one CommonJS file whose only require is 'electron'.
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    base: './',
    plugins: [vue()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      emptyOutDir: true,
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
    },
  },
});
