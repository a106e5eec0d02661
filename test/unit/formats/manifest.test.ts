import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStudioError } from '../../../native/errors.js';
import { detectFormat, FormatError, listArrays, openArray } from '../../../native/formats/index.js';
import { expectedValues, firstDifference, fixturePath, loadManifest, makeFixtures } from './fixtures.js';

// The corpus: every case in test/fixtures/formats/manifest.json.
const cases = loadManifest();
let dir = '';
let cleanup = (): void => {};
beforeAll(() => ({ dir, cleanup } = makeFixtures()));
afterAll(() => cleanup());

describe('format corpus (manifest.json)', () => {
  for (const c of cases) {
    if (c.arrays) {
      it(`${c.file} [${c.reader}] — ${c.why}`, async () => {
        const path = fixturePath(dir, c.file);
        expect((await detectFormat(path)).format).toBe(c.reader);
        const listed = await listArrays(path);
        expect(listed.map((a) => ({ name: a.name, shape: a.shape, dtype: a.dtype, byteOrder: a.byteOrder, order: a.order }))).toEqual(c.arrays);
        for (const name of c.unlisted ?? []) expect(listed.map((a) => a.name)).not.toContain(name);
        for (const a of c.arrays!.filter((x) => !c.skipRead?.includes(x.name))) {
          const source = await openArray(`${path}:${a.name}`);
          const values = await source.readAll();
          const expected = expectedValues(dir, c.file, a.name);
          expect(expected, 'fixture script wrote expected values').not.toBeNull();
          expect(firstDifference(values, expected!), `first value differing from numpy in ${a.name}`).toBe(-1);
        }
      });
    } else {
      it(`${c.file}${c.array ? `:${c.array}` : ''} refused — ${c.why}`, async () => {
        const path = fixturePath(dir, c.file);
        const attempt =
          c.errorOn === 'read'
            ? listArrays(path).then(async () => (await openArray(`${path}:${c.array}`)).readAll())
            : listArrays(path);
        const failure = await attempt.then(
          () => null,
          (err: unknown) => err,
        );
        expect(failure).toBeInstanceOf(FormatError);
        expect(isStudioError(failure)).toBe(true);
        const message = (failure as Error).message;
        expect(message).toContain(c.error);
        expect(message.startsWith(`${path}`)).toBe(true);
        expect(message).not.toContain('\n');
        if (c.reader) expect((failure as FormatError).format).toBe(c.reader);
      });
    }
  }
});
