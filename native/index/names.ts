/**
 * Run names. A run is named by run.json "name", else by its folder's name. Names must be unique in a workspace
 * (commands take `--run NAME`), so every run whose name is shared by another uses its path relative to the workspace
 * instead (`sweepA/seed1`, `sweepB/seed1`); paths are unique, so this always ends. A run at the workspace root
 * falls back to ".".
 */
export interface NamedRun {
  readonly rel: string;
  readonly preferred: string;
}

export function settleNames(runs: readonly NamedRun[]): Map<string, string> {
  const names = new Map<string, string>(runs.map((r) => [r.rel, r.preferred]));
  for (;;) {
    const holders = new Map<string, string[]>();
    for (const [rel, name] of names) {
      const list = holders.get(name);
      if (list) list.push(rel);
      else holders.set(name, [rel]);
    }
    let changed = false;
    for (const rels of holders.values()) {
      if (rels.length < 2) continue;
      for (const rel of rels) {
        const fallback = rel === '' ? '.' : rel;
        if (names.get(rel) !== fallback) {
          names.set(rel, fallback);
          changed = true;
        }
      }
    }
    if (!changed) return names;
  }
}
