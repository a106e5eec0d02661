/**
 * The Electron main process: lifecycle and wiring only. Built in two steps, as in VS Code's app.ts: first the
 * services (the supervised compute process, the path scope, the recent list), then the channels (IPC handlers,
 * menus, open requests). Every decision lives in a plain module beside this file, tested under Node.
 *
 * Fast to open: the compute process starts at once on the workspace to show, in parallel with the window; the
 * window is shown on its first paint; main itself imports nothing of the numerical code.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, safeStorage, utilityProcess } from 'electron';
import type { IpcMainEvent, IpcMainInvokeEvent } from 'electron';
import type { WireEvent, WorkspaceInfo } from '../native/api/contract.js';
import { exampleWorkspace } from '../native/index/example.js';
import { DROP_CHANNEL, EVENT_CHANNELS, METHOD_CHANNELS, REMOTE_OPERATIONS, REMOTE_STATE_CHANNEL, eventChannel, remoteChannel } from './channels.js';
import { hostArgs } from './host-port.js';
import { HostSupervisor, type HostChild, type HostStatus, type SpawnHost } from './host-supervisor.js';
import { checkDrop, createIpcHandler, type SenderFrame } from './ipc.js';
import { classifyPaths, fileRoute, parseLaunchArgs, type OpenRequest } from './launch.js';
import { menuTemplate } from './menu.js';
import { RecentWorkspaces } from './recent.js';
import { createRemoteIpcHandler, RemoteSession } from './remote.js';
import { TokenStore } from './token-store.js';
import { WorkspaceScope } from './scope.js';
import type { RendererSource } from './security.js';
import { appUrl, createAppWindow, guardContents, guardSession, registerAppScheme, serveRenderer } from './window.js';

const here = dirname(fileURLToPath(import.meta.url)); // out/main
const PATHS = {
  preload: join(here, '../preload/index.cjs'),
  renderer: join(here, '../renderer'),
  host: join(here, 'host.js'),
  example: exampleFolder(),
};
const source: RendererSource = { devOrigin: devOrigin(process.env['ELECTRON_RENDERER_URL']) };

/**
 * The bundled example workspace, found the way the CLI finds it (native/index/example.ts): in the source tree, or
 * packaged under resourcesPath/resources/example-workspace (a real folder, electron-builder.yml extraResources).
 */
function exampleFolder(): string {
  try {
    return exampleWorkspace();
  } catch {
    // A broken installation: the host then reports the missing folder on the first call, in the page.
    return join(process.resourcesPath, 'resources', 'example-workspace');
  }
}

function devOrigin(url: string | undefined): string | null {
  if (app.isPackaged || !url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

app.enableSandbox();
registerAppScheme();
app.setAboutPanelOptions({ applicationName: 'SVCCA Studio', applicationVersion: app.getVersion() });

// One app, one compute process per workspace: a second launch hands its arguments over and quits.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let studio: Studio | null = null;
  // macOS delivers files opened from Finder (file associations) as events, possibly before 'ready'.
  const earlyOpens: string[] = [];
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (studio) studio.open(classifyPaths([path]));
    else earlyOpens.push(path);
  });
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
  void app.whenReady().then(() => {
    const launch = parseLaunchArgs(process.argv, { cwd: process.cwd(), defaultApp: Boolean(process.defaultApp) });
    const fromFinder = classifyPaths(earlyOpens);
    studio = new Studio({
      workspace: fromFinder.workspace ?? launch.workspace,
      files: [...launch.files, ...fromFinder.files],
      ignored: [...launch.ignored, ...fromFinder.ignored],
    });
    app.on('second-instance', (_event, argv, workingDirectory) => {
      studio?.open(parseLaunchArgs(argv, { cwd: workingDirectory, defaultApp: Boolean(process.defaultApp) }));
    });
  });
  app.on('activate', () => studio?.ensureWindow());
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => studio?.shutdown());
}

function senderFrame(event: IpcMainEvent | IpcMainInvokeEvent): SenderFrame | null {
  const frame = event.senderFrame;
  return frame ? { url: frame.url, isMainFrame: frame.parent === null } : null;
}

function spawnUtilityHost(): SpawnHost {
  return (root): HostChild => {
    const child = utilityProcess.fork(PATHS.host, hostArgs({ root }), {
      serviceName: 'SVCCA Studio compute',
      stdio: 'inherit',
    });
    return {
      postMessage: (message) => child.postMessage(message),
      onMessage: (listener) => void child.on('message', listener),
      onExit: (listener) => void child.once('exit', (code) => listener(code)),
      kill: () => void child.kill(),
    };
  };
}

class Studio {
  private readonly scope = new WorkspaceScope();
  private readonly recent = new RecentWorkspaces(join(app.getPath('userData'), 'recent-workspaces.json'));
  private readonly host: HostSupervisor;
  /** A remote serve the user attached to (File menu or the page's Remote panel); calls go there while it is. */
  private readonly remote = new RemoteSession({
    store: new TokenStore(join(app.getPath('userData'), 'remote-tokens.json'), safeStorage),
    onState: (state) => {
      for (const window of BrowserWindow.getAllWindows()) window.webContents.send(REMOTE_STATE_CHANNEL, state);
      this.updateTitle();
    },
    onEvent: (event) => this.broadcast(event, true),
  });
  private window: BrowserWindow | null = null;

  constructor(first: OpenRequest) {
    // Services: the workspace to show (asked for > last used > the example), granted and opened at once.
    const root = first.workspace ?? this.recent.last() ?? PATHS.example;
    for (const granted of [root, ...this.recent.list()]) this.scope.grantWorkspace(granted);
    for (const file of first.files) this.scope.grantFile(file);
    this.scope.setCurrent(root);
    this.host = new HostSupervisor(spawnUtilityHost(), { root });
    this.host.onEvent((event) => this.broadcast(event, false));
    this.host.onStatus((status) => void this.hostStatusChanged(status));
    this.host.start();
    this.remember(root);

    // Channels.
    serveRenderer(PATHS.renderer, source);
    guardSession(source);
    const handle = createIpcHandler({
      scope: this.scope,
      source,
      callHost: (method, args) => this.host.call(method, args),
      onWorkspaceOpened: (opened) => this.remember(opened),
      confirmWorkspace: (asked) => this.confirmWorkspace(asked),
      remote: () => this.remote.call(),
    });
    for (const channel of METHOD_CHANNELS) {
      ipcMain.handle(channel, (event, ...args: unknown[]) => handle(channel, senderFrame(event), args));
    }
    const handleRemote = createRemoteIpcHandler(this.remote, source);
    for (const operation of REMOTE_OPERATIONS) {
      const channel = remoteChannel(operation);
      ipcMain.handle(channel, (event, ...args: unknown[]) => handleRemote(channel, senderFrame(event), args));
    }
    ipcMain.on(DROP_CHANNEL, (event, payload: unknown) => {
      try {
        this.open(classifyPaths(checkDrop(senderFrame(event), source, payload)));
      } catch (err) {
        console.error(`refused a drop: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    this.buildMenu();
    this.ensureWindow(first.files.length > 0 ? fileRoute(first.files[first.files.length - 1]!) : '');
    this.reportIgnored(first.ignored);
  }

  ensureWindow(hash = ''): BrowserWindow {
    if (this.window && !this.window.isDestroyed()) return this.window;
    const window = createAppWindow({ preload: PATHS.preload }, source, hash);
    window.webContents.on('render-process-gone', (_event, details) => {
      if (details.reason !== 'clean-exit') void window.loadURL(appUrl(source));
    });
    window.on('closed', () => {
      if (this.window === window) this.window = null;
    });
    this.window = window;
    this.updateTitle();
    return window;
  }

  /** A workspace and/or array files from the command line, a second instance, Finder, a drop or a menu. */
  open(request: OpenRequest): void {
    if (request.workspace) void this.openWorkspace(request.workspace);
    for (const file of request.files) this.scope.grantFile(file);
    const shown = request.files[request.files.length - 1];
    const window = this.ensureWindow();
    if (shown) void window.loadURL(appUrl(source, fileRoute(shown)));
    this.reportIgnored(request.ignored);
    if (window.isMinimized()) window.restore();
    window.focus();
  }

  async openWorkspace(root: string): Promise<void> {
    // A folder on this machine: leave the remote workspace, if one is attached.
    if (this.remote.state().phase !== 'local') this.remote.disconnect();
    this.scope.grantWorkspace(root);
    try {
      const info = (await this.host.call('openWorkspace', [root])) as WorkspaceInfo;
      this.scope.setCurrent(root);
      this.remember(root);
      // Main opened it, so the page does not know yet: tell it the way the index does.
      this.broadcast({
        type: 'event',
        event: 'indexChanged',
        payload: { root: info.root, report: { runs: info.runs, checkpoints: info.checkpoints, arrays: info.arrays, errors: info.errors } },
      });
    } catch (err) {
      dialog.showErrorBox('Cannot open the workspace', err instanceof Error ? `${root}: ${err.message}` : String(err));
    }
  }

  shutdown(): void {
    this.remote.dispose();
    this.host.stop();
  }

  private remember(root: string): void {
    if (root !== PATHS.example) {
      this.recent.add(root);
      // The OS's own recent list (Dock / jump list); Linux has none.
      if (process.platform !== 'linux') app.addRecentDocument(root);
    }
    this.updateTitle();
    this.buildMenu();
  }

  /** `fromRemote`: the event came from the attached remote; while one is attached the local process's events are not shown. */
  private broadcast(event: WireEvent, fromRemote = false): void {
    if (fromRemote !== (this.remote.state().phase !== 'local')) return;
    const channel = eventChannel(event.event);
    if (!EVENT_CHANNELS.includes(channel)) return;
    for (const window of BrowserWindow.getAllWindows()) window.webContents.send(channel, event.payload);
  }

  private async hostStatusChanged(status: HostStatus): Promise<void> {
    this.updateTitle(status.state === 'crashed' ? 'compute process restarting…' : undefined);
    if (status.state === 'running' && status.restarts > 0) {
      // The new process has the workspace open again: make the page reload its lists from it.
      try {
        const info = (await this.host.call('workspace', [])) as WorkspaceInfo;
        const report = { runs: info.runs, checkpoints: info.checkpoints, arrays: info.arrays, errors: info.errors };
        this.broadcast({ type: 'event', event: 'indexChanged', payload: { root: info.root, report } });
      } catch {
        // It died again; the next status change says so.
      }
    }
    if (status.state === 'stopped') {
      const window = this.window;
      const options = { type: 'error' as const, title: 'Compute process stopped', message: 'The compute process stopped.', detail: status.reason };
      if (window && !window.isDestroyed()) await dialog.showMessageBox(window, options);
      else await dialog.showMessageBox(options);
    }
  }

  private async confirmWorkspace(root: string): Promise<boolean> {
    if (!existsSync(root)) return false;
    const options = {
      type: 'question' as const,
      buttons: ['Open', 'Cancel'],
      defaultId: 0,
      cancelId: 1,
      title: 'Open workspace',
      message: `Open the workspace ${root}?`,
      detail: 'The page asked to open a folder that was not opened from the File menu, a drop or the command line.',
    };
    const window = this.window;
    const answer = window && !window.isDestroyed() ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options);
    return answer.response === 0;
  }

  private async chooseWorkspace(): Promise<void> {
    const window = this.ensureWindow();
    const result = await dialog.showOpenDialog(window, { title: 'Open Workspace', properties: ['openDirectory'] });
    if (!result.canceled && result.filePaths[0]) await this.openWorkspace(result.filePaths[0]);
  }

  private async chooseFile(): Promise<void> {
    const window = this.ensureWindow();
    const result = await dialog.showOpenDialog(window, {
      title: 'Open Array File',
      properties: ['openFile'],
      filters: [{ name: 'Arrays', extensions: ['npy', 'safetensors'] }],
    });
    if (!result.canceled && result.filePaths.length) this.open(classifyPaths(result.filePaths));
  }

  private buildMenu(): void {
    const template = menuTemplate(
      {
        openWorkspace: () => void this.chooseWorkspace(),
        openFile: () => void this.chooseFile(),
        openRecent: (path) => void this.openWorkspace(path),
        clearRecent: () => {
          this.recent.clear();
          this.buildMenu();
        },
        reindex: () => void this.host.call('reindex', []).catch((err: Error) => dialog.showErrorBox('Re-index failed', err.message)),
        openExample: () => void this.openWorkspace(PATHS.example),
      },
      this.recent.list(),
      process.platform,
    );
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }

  private updateTitle(note?: string): void {
    const window = this.window;
    if (!window || window.isDestroyed()) return;
    const remote = this.remote.state();
    const root = remote.phase === 'local' ? this.scope.currentWorkspace : `${remote.url}${remote.root ? ` ${remote.root}` : ''} [${remote.phase}]`;
    window.setTitle(`${root ? `${root} — ` : ''}SVCCA Studio${note ? ` (${note})` : ''}`);
  }

  private reportIgnored(ignored: readonly string[]): void {
    if (ignored.length === 0) return;
    const list = ignored.slice(0, 5).join(', ') + (ignored.length > 5 ? `, and ${ignored.length - 5} more` : '');
    void dialog.showMessageBox({
      type: 'warning',
      title: 'Not opened',
      message: 'Only folders (workspaces) and .npy / .safetensors files can be opened.',
      detail: `Not opened: ${list}`,
    });
  }
}
