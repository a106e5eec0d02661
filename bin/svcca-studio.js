#!/usr/bin/env node
// Thin launcher: the CLI is compiled from native/cli to dist/ by `npm run build:node` (run on install by `prepare`).
import { main } from '../dist/native/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`error: internal: ${err && err.stack ? err.stack : String(err)}\n`); process.exitCode = 1; },
);
