/**
 * Recently opened workspaces, newest first, kept in one small JSON file in the app's user-data folder. It is main's
 * record (the page cannot write it), so its entries are trusted as the user's own choices: they are granted to the
 * renderer and the newest existing one is where the app opens next time.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const MAX_RECENT = 10;

interface RecentFile {
  version: 1;
  workspaces: Array<{ path: string; openedAt: string }>;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export class RecentWorkspaces {
  private entries: Array<{ path: string; openedAt: string }>;

  /** Reads `file`; a missing or unreadable file is an empty list (a corrupt list must not stop the app opening). */
  constructor(private readonly file: string) {
    this.entries = RecentWorkspaces.read(file);
  }

  private static read(file: string): Array<{ path: string; openedAt: string }> {
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<RecentFile>;
      if (parsed.version !== 1 || !Array.isArray(parsed.workspaces)) return [];
      return parsed.workspaces
        .filter((w) => typeof w?.path === 'string' && w.path !== '' && typeof w.openedAt === 'string')
        .slice(0, MAX_RECENT);
    } catch {
      return [];
    }
  }

  /** Paths, newest first, of workspaces that still exist. */
  list(): string[] {
    return this.entries.map((e) => e.path).filter(isDirectory);
  }

  /** The workspace to open when none is asked for, or null. */
  last(): string | null {
    return this.list()[0] ?? null;
  }

  /** Moves `root` to the front (adding it if new) and saves. */
  add(root: string, now: Date = new Date()): void {
    const path = resolve(root);
    this.entries = [{ path, openedAt: now.toISOString() }, ...this.entries.filter((e) => e.path !== path)].slice(0, MAX_RECENT);
    this.save();
  }

  remove(root: string): void {
    const path = resolve(root);
    this.entries = this.entries.filter((e) => e.path !== path);
    this.save();
  }

  clear(): void {
    this.entries = [];
    this.save();
  }

  /** Write-then-rename, so a crash mid-write leaves the previous list rather than half a file. */
  private save(): void {
    const body: RecentFile = { version: 1, workspaces: this.entries };
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(body, null, 2)}\n`);
    renameSync(temporary, this.file);
  }
}
