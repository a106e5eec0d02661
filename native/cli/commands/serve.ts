import { WorkspaceScope } from '../../api/scope.js';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { createStudio } from '../../api/studio.js';
import { rendererBuild } from '../../serve/renderer-build.js';
import { startServer } from '../../serve/server.js';
import { newToken, parseOrigin } from '../../serve/security.js';
import { defineCommand } from '../command.js';
import { UsageError } from '../../errors.js';

const USAGE = `svcca-studio serve [WORKSPACE] [--port P] [--db FILE] [--no-watch] [--allow DIR[${delimiter}DIR…]] [--token-file FILE] [--allow-origin ORIGIN[,ORIGIN…]]`;

/** Tokens shorter than this are refused in a token file: the token is the only secret between a tunnel and the API. */
const MIN_TOKEN_LENGTH = 16;

/**
 * The token kept in FILE (so a restarted server keeps the one the app saved), or a new random one written there,
 * readable by its owner only.
 */
function tokenFromFile(file: string): string {
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (!/^[A-Za-z0-9_-]+$/.test(token) || token.length < MIN_TOKEN_LENGTH) {
      throw new UsageError(`--token-file ${file}: the token must be at least ${MIN_TOKEN_LENGTH} characters of A-Z a-z 0-9 _ -`);
    }
    return token;
  }
  const token = newToken();
  try {
    writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    throw new UsageError(`--token-file ${file}: cannot create it (${(err as Error).message})`);
  }
  return token;
}

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
    'token-file': {
      type: 'string',
      description: 'keep the access token in FILE (created, owner-only, when missing): a restarted server keeps the token the app saved',
    },
    'allow-origin': {
      type: 'string',
      description: "page origins besides this server's own that may use the API (comma-separated), e.g. the local serve whose page attaches to this one through a tunnel",
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
    const allowOrigins = (options['allow-origin'] ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '').map((o) => {
      try {
        return parseOrigin(o);
      } catch (err) {
        throw new UsageError(`--allow-origin: ${(err as Error).message}`);
      }
    });
    const token = options['token-file'] !== undefined ? tokenFromFile(options['token-file']) : undefined;
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
      server = await startServer({ api: studio, scope, staticDir, port: options.port ?? 0, allowOrigins, ...(token !== undefined ? { token } : {}) });
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
