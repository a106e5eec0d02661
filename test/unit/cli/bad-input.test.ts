/**
 * The hostile-input corpus through the real CLI (bin/svcca-studio.js → dist/): every file of
 * test/fixtures/bad-input/cases.json (written by make.py into a temp folder, so nothing large is committed) and every
 * error case of the format corpus (test/fixtures/formats/manifest.json). Each must exit 2 with exactly one `error:`
 * line naming the file, in bounded time and memory: the child's own maxRSS, reported by a preload on exit.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, loadManifest, makeFixtures } from '../formats/fixtures.js';

const ROOT = resolve(__dirname, '../../..');
const CLI = join(ROOT, 'bin/svcca-studio.js');
const SOURCE = join(ROOT, 'test/fixtures/bad-input');
/** A refusal reads headers only: well under a second and a little over Node's own footprint (~70 MB). */
const MAX_SECONDS = 10;
const MAX_RSS_BYTES = 200 * 1024 * 1024;

interface BadCase {
  readonly a: string;
  readonly b?: string;
  readonly env?: Record<string, string>;
  readonly error: string;
  /** What the error line must name, when not A's file (e.g. the partner layer of a datapoint mismatch). */
  readonly names?: string;
  readonly why: string;
}

const cases = (JSON.parse(readFileSync(join(SOURCE, 'cases.json'), 'utf8')) as { cases: BadCase[] }).cases;
const formatErrors = loadManifest().filter((c) => c.error !== undefined);

let dir = '';
let formats = '';
let cleanupFormats = (): void => {};
let preload = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'svcca-bad-input-'));
  execFileSync('python3', [join(SOURCE, 'make.py'), dir], { stdio: 'pipe' });
  ({ dir: formats, cleanup: cleanupFormats } = makeFixtures());
  preload = join(dir, 'report-usage.mjs');
  // Runs inside the CLI process: on exit, its peak resident set goes to the file named by the variable.
  writeFileSync(
    preload,
    `import { writeFileSync } from 'node:fs';
process.on('exit', () => writeFileSync(process.env.SVCCA_TEST_USAGE, JSON.stringify({ maxRSS: process.resourceUsage().maxRSS * 1024 })));`,
  );
}, 120_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  cleanupFormats();
});

interface Outcome {
  status: number;
  stdout: string;
  errorLines: string[];
  seconds: number;
  maxRSS: number;
}

function compare(a: string, b: string, env: Record<string, string> = {}): Outcome {
  const usage = join(dir, `usage-${Math.random().toString(36).slice(2)}.json`);
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', preload, CLI, 'compare', a, b, '--method', 'cca'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env, SVCCA_TEST_USAGE: usage },
    timeout: 60_000,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((l) => l !== '' && !/^Warning: vk|^\s+at CheckVk/.test(l));
  const { maxRSS } = JSON.parse(readFileSync(usage, 'utf8')) as { maxRSS: number };
  return { status: r.status ?? -1, stdout: r.stdout, errorLines: lines, seconds, maxRSS };
}

function expectRefusal(outcome: Outcome, names: string, error: string): void {
  expect(outcome.status, outcome.errorLines.join('\n')).toBe(2);
  expect(outcome.errorLines, 'exactly one stderr line').toHaveLength(1);
  const line = outcome.errorLines[0]!;
  expect(line.startsWith('error: ')).toBe(true);
  expect(line).toContain(names);
  expect(line).toContain(error);
  expect(outcome.stdout).toBe('');
  expect(outcome.seconds).toBeLessThan(MAX_SECONDS);
  expect(outcome.maxRSS).toBeLessThan(MAX_RSS_BYTES);
}

describe('hostile inputs through the CLI (test/fixtures/bad-input)', () => {
  for (const c of cases) {
    it(`${c.a}${c.env ? ` ${JSON.stringify(c.env)}` : ''} — ${c.why}`, () => {
      const a = join(dir, c.a);
      const outcome = compare(a, join(dir, c.b ?? 'ok.npy'), c.env);
      expectRefusal(outcome, c.names ? (c.names.includes('.') ? join(dir, c.names) : c.names) : a.split(':')[0]!, c.error);
    });
  }
});

describe('the format corpus error cases through the CLI (test/fixtures/formats/manifest.json)', () => {
  for (const c of formatErrors) {
    it(`${c.file}${c.array ? `:${c.array}` : ''} — ${c.why}`, () => {
      const file = fixturePath(formats, c.file);
      // A file that lists fine but fails when read is compared with itself, so the datapoint check (from headers,
      // before any read) passes and the read is reached.
      const spec = c.errorOn === 'read' ? `${file}:${c.array}` : file;
      expectRefusal(compare(spec, c.errorOn === 'read' ? spec : join(dir, 'ok.npy')), file, c.error!);
    });
  }
});
