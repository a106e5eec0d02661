import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

// One config, three targets. Main and preload keep dependencies external (better-sqlite3 and Dawn are native
// modules rebuilt for Electron at packaging), except pure-JavaScript ones the window side needs bundled in: valibot
// (the wire schemas, for main and the sandboxed preload, which may require only 'electron') and ws (main's link to
// a remote serve, main/remote-dial.ts). The renderer is a plain browser bundle that `serve` also hosts.
const BUNDLED_DEPS = ['valibot', 'ws'];
// ws requires its optional native helpers inside try/catch; bundled, a missing one must still throw (vite's own
// stand-in is an empty object, which ws would then call into). One file each: a bundled module throws only once.
const absent = (name: string): string => resolve(__dirname, `main/absent/${name}.cjs`);
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin({ exclude: BUNDLED_DEPS })],
    resolve: { alias: { bufferutil: absent('bufferutil'), 'utf-8-validate': absent('utf-8-validate') } },
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // The window side (index) and the compute host (host) that main starts as a utility process: separate
        // bundles keep the numerical code out of main's startup path. The compute pool's worker is an entry of its
        // own, next to the pool's chunk: native/compute/pool.ts forks the `worker.js` beside its own `pool.js`.
        input: {
          index: resolve(__dirname, 'main/index.ts'),
          host: resolve(__dirname, 'main/host.ts'),
          'chunks/worker': resolve(__dirname, 'native/compute/worker.ts'),
        },
        output: {
          manualChunks: (id) => (/[\\/]native[\\/]compute[\\/]pool\.ts$/.test(id) ? 'pool' : undefined),
          chunkFileNames: 'chunks/[name].js',
        },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin({ exclude: BUNDLED_DEPS })],
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
