/**
 * Child-process entry points for the index tests (run with `node --import tsx`):
 *   child.ts index WORKSPACE DB [CONCURRENCY]   index once; prints "progress DONE TOTAL" lines, then the report as JSON
 *   child.ts cli ARGS...                        the svcca-studio command line, from source
 */
// Each mode imports only what it runs: the index tests do not depend on every other command compiling.
const [mode, ...rest] = process.argv.slice(2);
if (mode === 'cli') {
  const { main } = await import('../../../native/cli/main.js');
  process.exitCode = await main(rest);
} else if (mode === 'index') {
  const { WorkspaceIndex } = await import('../../../native/index/index.js');
  const [workspace, db, concurrency] = rest as [string, string, string | undefined];
  const index = WorkspaceIndex.open(workspace, { db });
  const result = await index.index({
    ...(concurrency && { concurrency: Number(concurrency) }),
    onProgress: (p) => {
      if (p.phase === 'read') process.stdout.write(`progress ${p.done} ${p.total}\n`);
    },
  });
  index.close();
  process.stdout.write(`${JSON.stringify({ runs: result.runs, checkpoints: result.checkpoints, arrays: result.arrays, errors: result.errors })}\n`);
} else {
  throw new Error(`unknown mode ${mode}`);
}
