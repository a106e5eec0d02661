/**
 * The compute host entry: index + compute (createStudio) in a process of their own, so that a long SVCCA matrix or
 * a crashing native reader never freezes or kills the window. Main starts it as an Electron utility process
 * (out/main/host.mjs); Node tools and tests fork the same file (main/host-fork.ts). It speaks Wire messages over
 * whichever port it got.
 */
import { createStudio, type Studio } from '../native/api/studio.js';
import { parentPortOf, parseHostArgs, serveStudio, type HostProcess } from './host-port.js';

const port = parentPortOf(process as unknown as HostProcess);
if (!port) {
  process.stderr.write('error: the compute host must be started by the app (utility process) or with fork()\n');
  process.exit(2);
}
const args = parseHostArgs(process.argv);
let studio: Studio | null = null;
port.onDisconnect(() => {
  // The parent is gone: close the index cleanly (SQLite, file watchers), then leave.
  void (studio?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});
void serveStudio(port, async () => (studio = await createStudio(args)));
