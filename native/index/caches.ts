/**
 * The two caches the compute engine keeps in the index database: decompositions ("bases") per file content and
 * parameters, and finished results per input contents and parameters. Keys are chosen by the caller (a hash of
 * content hash(es) + parameters); entries never go stale, because a changed file has a new content hash.
 */
import type Database from 'better-sqlite3';

export interface CachedBasis {
  readonly contentHash: string;
  readonly params: string;
  readonly blob: Buffer;
}

export class IndexCaches {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      getBasis: db.prepare<[string], { content_hash: string; params: string; blob: Buffer }>(
        'SELECT content_hash, params, blob FROM basis_cache WHERE key = ?',
      ),
      // Use times strictly increase (ties would make "least recently used" depend on the clock's resolution).
      useBasis: db.prepare<{ now: number; key: string }>(
        'UPDATE basis_cache SET used_at = max(@now, (SELECT coalesce(max(used_at), 0) + 1 FROM basis_cache)) WHERE key = @key',
      ),
      putBasis: db.prepare<{ key: string; hash: string; params: string; now: number; bytes: number; blob: Uint8Array }>(
        `INSERT OR REPLACE INTO basis_cache (key, content_hash, params, created_at, used_at, bytes, blob)
         VALUES (@key, @hash, @params, @now, max(@now, (SELECT coalesce(max(used_at), 0) + 1 FROM basis_cache)), @bytes, @blob)`,
      ),
      basisBytes: db.prepare<[], { total: number | null }>('SELECT sum(bytes) AS total FROM basis_cache'),
      oldestBases: db.prepare<[], { key: string; bytes: number }>('SELECT key, bytes FROM basis_cache ORDER BY used_at, key'),
      deleteBasis: db.prepare<[string]>('DELETE FROM basis_cache WHERE key = ?'),
      getResult: db.prepare<[string], { json: string }>('SELECT json FROM result_cache WHERE key = ?'),
      useResult: db.prepare<[number, string]>('UPDATE result_cache SET used_at = ? WHERE key = ?'),
      putResult: db.prepare<[string, string, string, number, number, string]>(
        'INSERT OR REPLACE INTO result_cache (key, inputs, params, created_at, used_at, json) VALUES (?, ?, ?, ?, ?, ?)',
      ),
    };
    this.prune = db.transaction((maxBytes: number) => {
      let total = this.s.basisBytes.get()?.total ?? 0;
      for (const row of this.s.oldestBases.all()) {
        if (total <= maxBytes) break;
        this.s.deleteBasis.run(row.key);
        total -= row.bytes;
      }
    });
  }

  getBasis(key: string): CachedBasis | undefined {
    const row = this.s.getBasis.get(key);
    if (!row) return undefined;
    this.s.useBasis.run({ now: Date.now(), key });
    return { contentHash: row.content_hash, params: row.params, blob: row.blob };
  }

  putBasis(key: string, contentHash: string, params: string, blob: Uint8Array): void {
    this.s.putBasis.run({ key, hash: contentHash, params, now: Date.now(), bytes: blob.byteLength, blob });
  }

  /** Drops the least recently used bases until the cache holds at most `maxBytes`. */
  readonly prune: (maxBytes: number) => void;

  getResult(key: string): unknown {
    const row = this.s.getResult.get(key);
    if (!row) return undefined;
    this.s.useResult.run(Date.now(), key);
    return JSON.parse(row.json) as unknown;
  }

  putResult(key: string, inputs: readonly string[], params: string, value: unknown): void {
    const now = Date.now();
    this.s.putResult.run(key, JSON.stringify(inputs), params, now, now, JSON.stringify(value));
  }
}
