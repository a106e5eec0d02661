import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECENT, RecentWorkspaces } from '../../../main/recent.js';

let base: string;
const folders: string[] = [];
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'svcca-recent-'));
  for (let i = 0; i < MAX_RECENT + 2; i++) {
    folders.push(join(base, `ws${i}`));
    mkdirSync(folders[i]!);
  }
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('recent workspaces', () => {
  it('keeps the newest first without duplicates, persists, and caps the list', () => {
    const file = join(base, 'user', 'recent.json');
    const recent = new RecentWorkspaces(file);
    expect(recent.last()).toBeNull();
    recent.add(folders[0]!);
    recent.add(folders[1]!);
    recent.add(`${folders[0]!}/`);
    expect(recent.list()).toEqual([folders[0], folders[1]]);
    expect(new RecentWorkspaces(file).list()).toEqual([folders[0], folders[1]]);
    for (const folder of folders) recent.add(folder);
    expect(recent.list()).toHaveLength(MAX_RECENT);
    expect(recent.last()).toBe(folders[folders.length - 1]);
  });

  it('hides folders that no longer exist and forgets removed ones', () => {
    const file = join(base, 'hidden.json');
    const recent = new RecentWorkspaces(file);
    recent.add(folders[2]!);
    recent.add(join(base, 'deleted-since'));
    expect(recent.list()).toEqual([folders[2]]);
    recent.remove(folders[2]!);
    expect(recent.list()).toEqual([]);
    expect(JSON.parse(readFileSync(file, 'utf8')).workspaces).toHaveLength(1);
  });

  it('starts empty from a corrupt or foreign file instead of failing', () => {
    const corrupt = join(base, 'corrupt.json');
    writeFileSync(corrupt, '{"version":1,"workspaces":[');
    expect(new RecentWorkspaces(corrupt).list()).toEqual([]);
    const foreign = join(base, 'foreign.json');
    writeFileSync(foreign, JSON.stringify({ version: 2, workspaces: [{ path: folders[0], openedAt: 'x' }] }));
    expect(new RecentWorkspaces(foreign).list()).toEqual([]);
  });
});
