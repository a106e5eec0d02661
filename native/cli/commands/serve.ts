import { WorkspaceScope } from '../../api/scope.js';
import { statSync } from 'node:fs';
import { delimiter } from 'node:path';
import { createStudio } from '../../api/studio.js';
import { rendererBuild } from '../../serve/renderer-build.js';
import { startServer } from '../../serve/server.js';
import { defineCommand } from '../command.js';
import { UsageError } from '../../errors.js';

const USAGE = `svcca-studio serve [WORKSPACE] [--port P] [--db FILE] [--no-watch] [--allow DIR[${delimiter}DIR…]]`;

/**
 * `serve`: the app's UI in a browser. HTTP + WebSocket on 127.0.0.1 only, a fresh random token in the printed URL
 * (reach it from elsewhere through an SSH tunnel: ssh -L P:127.0.0.1:P host). Runs until SIGINT or SIGTERM.
 */
export const serveCommand = defineCommand({
  name: 'serve',
  usage: USAGE,
  summary: 'the UI in a browser: HTTP + WebSocket on 127.0.0.1 with a random access token in the printed URL (--port 0 picks a free port)',
  options: {
    port: { type: 'number', integer: true, min: 0, max: 65535, description: 'port on 127.0.0.1 (default 0: a free one)' },
    db: { type: 'string', description: 'index file (default WORKSPACE/.svcca-studio/index.sqlite)' },
    'no-watch': { type: 'boolean', description: 'do not follow changes on disk' },
    allow: {
      type: 'string',
      description: `more folders the page may open as workspaces and read arrays from, besides WORKSPACE (separated by '${delimiter}')`,
    },
  },
  async run({ positionals, options }, io) {
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'; usage: ${USAGE}`);
    const allowed = (options.allow ?? '').split(delimiter).filter((p) => p !== '');
    for (const dir of allowed) {
      let isFolder = false;
      try {
        isFolder = statSync(dir).isDirectory();
      } catch {
        // reported below
      }
      if (!isFolder) throw new UsageError(`--allow ${dir}: no such folder`);
    }
    const staticDir = rendererBuild();
    const studio = await createStudio({
      ...(positionals[0] !== undefined ? { root: positionals[0] } : {}),
      ...(options.db !== undefined ? { db: options.db } : {}),
      watch: !options['no-watch'],
    });
    // The browser may name only the workspace given here (or the example), the --allow folders, and what lies below.
    const scope = new WorkspaceScope();
    const opened = (await studio.workspace()).root;
    scope.grantWorkspace(opened);
    for (const dir of allowed) scope.grantWorkspace(dir);
    scope.setCurrent(opened);
    let server;
    try {
      server = await startServer({ api: studio, scope, staticDir, port: options.port ?? 0 });
    } catch (err) {
      await studio.close();
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UsageError(`port ${options.port} on 127.0.0.1 is in use; pick another or --port 0`);
      throw err;
    }
    const root = (await studio.workspace()).root;
    io.result({ url: server.url, port: server.port, workspace: root }, () => `SVCCA Studio serving ${root}\nopen ${server.url}\n(Ctrl+C stops it)`);
    await new Promise<void>((resolveStop) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolveStop();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    await studio.close();
    return 0;
  },
});
