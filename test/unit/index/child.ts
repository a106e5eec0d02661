/**
 * Child-process entry points for the index tests (run with `node --import tsx`):
 *   child.ts index WORKSPACE DB [CONCURRENCY]   index once; prints "progress DONE TOTAL" lines, then the report as JSON
 *   child.ts cli ARGS...                        the svcca-studio command line, from source
 */
import { main } from '../../../native/cli/main.js';
import { WorkspaceIndex } from '../../../native/index/index.js';

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'cli') {
  process.exitCode = await main(rest);
} else if (mode === 'index') {
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
