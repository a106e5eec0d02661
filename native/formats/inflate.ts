import { createInflateRaw } from 'node:zlib';
import { openFile, readAt } from './file.js';

/**
 * Compressed bytes fed to zlib per step; bounds the output held at once to about 1032 × this (deflate's max ratio).
 * The first steps are small so that reading just a header inflates little more than the header.
 */
const FIRST_INPUT_BYTES = 1024;
const MAX_INPUT_BYTES = 64 * 1024;

export class InflateError extends Error {}

/**
 * Stream the decompressed bytes of one raw-deflate member as it inflates, reading the compressed data with positioned
 * reads. Stopping early (breaking out of `for await`) stops inflating and closes the file, so a header or a few
 * leading rows cost only the bytes before them. More output than `declaredSize` is refused at once (a zip bomb or a
 * lying directory); less is refused when the stream ends.
 */
export async function* inflateMember(
  path: string,
  dataOffset: number,
  compressedSize: number,
  declaredSize: number,
): AsyncGenerator<Uint8Array> {
  const handle = await openFile(path);
  const inflater = createInflateRaw({ chunkSize: 256 * 1024 });
  const pending: Buffer[] = [];
  let failure: Error | null = null;
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  inflater.on('data', (chunk: Buffer) => {
    pending.push(chunk);
    notify();
  });
  inflater.on('error', (err: Error) => {
    failure = err;
    notify();
  });
  inflater.on('end', () => {
    ended = true;
    notify();
  });
  try {
    let step = FIRST_INPUT_BYTES;
    let consumed = 0;
    let produced = 0;
    let endCalled = false;
    for (;;) {
      while (pending.length > 0) {
        const chunk = pending.shift()!;
        produced += chunk.length;
        if (produced > declaredSize) throw new InflateError(`inflates to more than its declared ${declaredSize} bytes (zip bomb or corrupt directory)`);
        yield chunk;
      }
      if (failure) throw new InflateError(`corrupt deflate data (${(failure as Error).message})`);
      if (ended) break;
      if (consumed < compressedSize) {
        const n = Math.min(step, compressedSize - consumed);
        step = Math.min(2 * step, MAX_INPUT_BYTES);
        const bytes = await readAt(handle, dataOffset + consumed, n, () => new InflateError('file ended inside compressed data'));
        consumed += n;
        await new Promise<void>((resolve) => inflater.write(bytes, () => resolve()));
      } else if (!endCalled) {
        endCalled = true;
        inflater.end();
      } else {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    }
    if (produced !== declaredSize) throw new InflateError(`inflates to ${produced} bytes but its directory declares ${declaredSize}`);
  } finally {
    inflater.destroy();
    await handle.close();
  }
}
