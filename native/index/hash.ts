/**
 * Content hash of a file: SHA-256 of its bytes, streamed. The caches key decompositions and results by it, and an
 * index pass uses it to tell a rewrite with the same bytes (mtime changed, content not) from a real change.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
