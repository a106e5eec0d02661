/**
 * The native menu as plain data: a template for Electron's Menu.buildFromTemplate with the actions passed in, so
 * that what each item does can be read (and tested) without Electron. Platform conventions: the app menu and
 * Cmd shortcuts on macOS, File › Exit elsewhere.
 */
import { basename } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openWorkspace(): void;
  openFile(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  reindex(): void;
  openExample(): void;
}

export function menuTemplate(actions: MenuActions, recent: readonly string[], platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const recentItems: MenuItemConstructorOptions[] = recent.length
    ? [
        ...recent.map((path): MenuItemConstructorOptions => ({ label: `${basename(path)} — ${path}`, click: () => actions.openRecent(path) })),
        { type: 'separator' },
        { label: 'Clear Recent', click: () => actions.clearRecent() },
      ]
    : [{ label: 'No Recent Workspaces', enabled: false }];

  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'Open Workspace…', accelerator: 'CmdOrCtrl+O', click: () => actions.openWorkspace() },
      { label: 'Open Array File…', accelerator: 'CmdOrCtrl+Shift+O', click: () => actions.openFile() },
      { label: 'Open Recent', submenu: recentItems },
      { label: 'Open Example Workspace', click: () => actions.openExample() },
      { type: 'separator' },
      { label: 'Re-index Workspace', accelerator: 'CmdOrCtrl+Shift+R', click: () => actions.reindex() },
      ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
    ],
  };

  return [
    ...(mac ? [{ role: 'appMenu' } as const] : []),
    file,
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ role: 'about' }] },
  ];
}
