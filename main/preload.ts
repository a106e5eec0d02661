/// <reference lib="dom" />
/**
 * The preload (sandboxed, context-isolated): exposes `window.studio`, the typed StudioApi over IPC, and
 * `window.studioRemote`, the remote-workspace control, and nothing else. It also turns folders and array files dropped on the window into an open request for main — reading a
 * dropped file's path needs `webUtils`, which only a preload has — without exposing anything for it.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { DROP_CHANNEL, type IpcReply } from './channels.js';
import { buildRemoteBridge, buildStudioBridge, type Invoke, type Subscribe } from './bridge.js';

const invoke: Invoke = (channel, args) => ipcRenderer.invoke(channel, ...args) as Promise<IpcReply>;
const subscribe: Subscribe = (channel, listener) => {
  // The page never sees Electron's event object (it carries `sender`): only the payload crosses.
  const forward = (_event: Electron.IpcRendererEvent, payload: unknown): void => listener(payload);
  ipcRenderer.on(channel, forward);
  return () => void ipcRenderer.removeListener(channel, forward);
};

contextBridge.exposeInMainWorld('studio', buildStudioBridge(invoke, subscribe));
// The remote workspace's control; the connection itself lives in main (main/remote.ts).
contextBridge.exposeInMainWorld('studioRemote', buildRemoteBridge(invoke, subscribe));

const hasFiles = (event: DragEvent): boolean => Boolean(event.dataTransfer?.types.includes('Files'));

// Let files be dropped anywhere (a page that handles a drop itself calls preventDefault first and keeps it).
window.addEventListener('dragover', (event) => {
  if (hasFiles(event)) event.preventDefault();
});
window.addEventListener('drop', (event) => {
  // Only a real drop from the desktop: a script cannot forge `isTrusted`, nor a File with a path on disk.
  if (!event.isTrusted || event.defaultPrevented || !hasFiles(event)) return;
  event.preventDefault();
  const paths = Array.from(event.dataTransfer?.files ?? []).map((file) => webUtils.getPathForFile(file)).filter((p) => p !== '');
  if (paths.length > 0) ipcRenderer.send(DROP_CHANNEL, paths);
});
