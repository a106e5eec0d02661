import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileRoute, parseLaunchArgs, userArguments } from '../../../main/launch.js';

let base: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'svcca-launch-'));
  mkdirSync(join(base, 'ws'));
  writeFileSync(join(base, 'a.npy'), 'x');
  writeFileSync(join(base, 'B.SafeTensors'), 'x');
  writeFileSync(join(base, 'notes.txt'), 'x');
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('command-line arguments', () => {
  it('drops the executable, the app folder in development, and every switch', () => {
    const argv = ['/opt/electron', '.', '--no-sandbox', 'ws', '--allow-file-access-from-files', '-psn_0_1'];
    expect(userArguments(argv, { cwd: base, defaultApp: true })).toEqual([join(base, 'ws')]);
    expect(userArguments(['/opt/SVCCA Studio', 'ws'], { cwd: base, defaultApp: false })).toEqual([join(base, 'ws')]);
    // `npm start` as root puts --no-sandbox before the app folder.
    expect(userArguments(['/opt/electron', '--no-sandbox', '/repo'], { cwd: base, defaultApp: true })).toEqual([]);
    expect(userArguments(['/opt/electron', '--no-sandbox', '/repo', 'ws'], { cwd: base, defaultApp: true })).toEqual([join(base, 'ws')]);
  });

  it('turns file:// URLs (Linux desktop files pass %U) into paths', () => {
    const url = pathToFileURL(join(base, 'a.npy')).href;
    expect(userArguments(['/opt/app', url], { cwd: '/', defaultApp: false })).toEqual([join(base, 'a.npy')]);
  });

  it('opens the last folder as the workspace, array files by extension in any case, and names the rest', () => {
    const argv = ['/opt/app', 'a.npy', 'ws', 'B.SafeTensors', 'notes.txt', 'missing.npy'];
    expect(parseLaunchArgs(argv, { cwd: base, defaultApp: false })).toEqual({
      workspace: join(base, 'ws'),
      files: [join(base, 'a.npy'), join(base, 'B.SafeTensors')],
      ignored: [join(base, 'notes.txt'), join(base, 'missing.npy')],
    });
  });

  it('resolves a second instance against its own working directory', () => {
    const request = parseLaunchArgs(['/opt/app', '--allow-file-access-from-files', 'a.npy'], { cwd: base, defaultApp: false });
    expect(request.files).toEqual([join(base, 'a.npy')]);
    expect(request.workspace).toBeNull();
  });

  it('routes an opened file by hash, with the path encoded', () => {
    expect(fileRoute('/data/my run/a#1.npy')).toBe('#/file?path=%2Fdata%2Fmy%20run%2Fa%231.npy');
    expect(new URLSearchParams(fileRoute('/data/my run/a#1.npy').split('?')[1]).get('path')).toBe('/data/my run/a#1.npy');
  });
});
