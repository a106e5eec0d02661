/** serve's remote-workspace options on bad input: one `error:` line naming the option and the problem, exit 2. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseOrigin } from '../../../native/serve/security.js';

const CLI = resolve(import.meta.dirname, '../../../bin/svcca-studio.js');
const scratch = mkdtempSync(join(tmpdir(), 'svcca-serve-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function serve(args: string[]): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, 'serve', scratch, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, stderr: run.stderr };
}

describe('serve --allow-origin / --token-file', () => {
  it('parses origins as browsers send them', () => {
    expect(parseOrigin('http://127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(parseOrigin('http://127.0.0.1:5000/')).toBe('http://127.0.0.1:5000');
    expect(() => parseOrigin('http://127.0.0.1:5000/app')).toThrow(/scheme, host and port only/);
    expect(() => parseOrigin('127.0.0.1')).toThrow(/not an origin/);
  });

  it('refuses a bad origin and a weak token file in one line, before serving anything', () => {
    const origin = serve(['--allow-origin', 'http://127.0.0.1:5000,file:///x']);
    expect(origin.status).toBe(2);
    expect(origin.stderr.trim().split('\n')).toHaveLength(1);
    expect(origin.stderr).toMatch(/^error: --allow-origin: 'file:\/\/\/x' is not an origin/);
    const weak = join(scratch, 'weak.token');
    writeFileSync(weak, 'short\n');
    const token = serve(['--token-file', weak]);
    expect(token.status).toBe(2);
    expect(token.stderr.trim()).toBe(`error: --token-file ${weak}: the token must be at least 16 characters of A-Z a-z 0-9 _ -`);
  });
});
