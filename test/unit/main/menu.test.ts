import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { menuTemplate, type MenuActions } from '../../../main/menu.js';

function recorder(): { actions: MenuActions; calls: string[] } {
  const calls: string[] = [];
  const actions: MenuActions = {
    openWorkspace: () => calls.push('openWorkspace'),
    openFile: () => calls.push('openFile'),
    openRecent: (path) => calls.push(`openRecent ${path}`),
    clearRecent: () => calls.push('clearRecent'),
    reindex: () => calls.push('reindex'),
    openExample: () => calls.push('openExample'),
  };
  return { actions, calls };
}

const items = (menu: MenuItemConstructorOptions): MenuItemConstructorOptions[] => menu.submenu as MenuItemConstructorOptions[];
const byLabel = (list: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions => {
  const found = list.find((i) => i.label === label);
  if (!found) throw new Error(`no menu item '${label}' in ${list.map((i) => i.label ?? i.role).join(', ')}`);
  return found;
};
const click = (item: MenuItemConstructorOptions): void => (item.click as () => void)();

describe('native menu', () => {
  it('wires File items to their actions, with the usual shortcuts', () => {
    const { actions, calls } = recorder();
    const file = byLabel(menuTemplate(actions, [], 'linux'), 'File');
    const open = byLabel(items(file), 'Open Workspace…');
    expect(open.accelerator).toBe('CmdOrCtrl+O');
    for (const label of ['Open Workspace…', 'Open Array File…', 'Open Example Workspace', 'Re-index Workspace']) click(byLabel(items(file), label));
    expect(calls).toEqual(['openWorkspace', 'openFile', 'openExample', 'reindex']);
  });

  it('lists recent workspaces newest first, each opening its own path, and can clear them', () => {
    const { actions, calls } = recorder();
    const file = byLabel(menuTemplate(actions, ['/data/ws-new', '/data/ws-old'], 'linux'), 'File');
    const recent = items(byLabel(items(file), 'Open Recent'));
    expect(recent.map((i) => i.label ?? i.type)).toEqual(['ws-new — /data/ws-new', 'ws-old — /data/ws-old', 'separator', 'Clear Recent']);
    click(recent[1]!);
    click(recent[3]!);
    expect(calls).toEqual(['openRecent /data/ws-old', 'clearRecent']);
    const empty = items(byLabel(items(byLabel(menuTemplate(actions, [], 'linux'), 'File')), 'Open Recent'));
    expect(empty).toEqual([{ label: 'No Recent Workspaces', enabled: false }]);
  });

  it('follows platform conventions: the app menu on macOS, File › Quit elsewhere', () => {
    const { actions } = recorder();
    const mac = menuTemplate(actions, [], 'darwin');
    expect(mac[0]).toEqual({ role: 'appMenu' });
    expect(items(byLabel(mac, 'File')).some((i) => i.role === 'quit')).toBe(false);
    const linux = menuTemplate(actions, [], 'linux');
    expect(linux.some((i) => i.role === 'appMenu')).toBe(false);
    expect(items(byLabel(linux, 'File')).at(-1)).toEqual({ role: 'quit' });
  });
});
