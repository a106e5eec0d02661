import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScopeError, WorkspaceScope, isInside } from '../../../main/scope.js';

let base: string;
let ws: string;
let outside: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'svcca-scope-'));
  ws = join(base, 'ws');
  outside = join(base, 'outside');
  mkdirSync(join(ws, 'run1', 'step-10'), { recursive: true });
  mkdirSync(join(base, 'ws2'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(ws, 'run1', 'step-10', 'fc.npy'), 'x');
  writeFileSync(join(ws, 'run1', 'step-10', 'acts.npz'), 'x');
  writeFileSync(join(base, 'ws2', 'secret.npy'), 'x');
  writeFileSync(join(outside, 'loose.safetensors'), 'x');
  // A link inside the workspace to runs kept elsewhere: outside, by its target, until that place is granted too.
  symlinkSync(outside, join(ws, 'linked'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

function scoped(): WorkspaceScope {
  const scope = new WorkspaceScope();
  scope.grantWorkspace(ws);
  scope.setCurrent(ws);
  return scope;
}

describe('isInside', () => {
  it('is true for the folder itself and below, false for siblings sharing a prefix and for parents', () => {
    expect(isInside('/a/ws', '/a/ws')).toBe(true);
    expect(isInside('/a/ws', '/a/ws/run/x.npy')).toBe(true);
    expect(isInside('/a/ws', '/a/ws2/x.npy')).toBe(false);
    expect(isInside('/a/ws', '/a')).toBe(false);
    expect(isInside('/a/ws', '/a/ws/../x')).toBe(false);
  });
});

describe('WorkspaceScope', () => {
  it('passes array files inside the workspace and makes relative ones absolute', () => {
    const scope = scoped();
    const abs = join(ws, 'run1', 'step-10', 'fc.npy');
    expect(scope.checkArrayRef(abs)).toBe(abs);
    expect(scope.checkArrayRef('run1/step-10/fc.npy')).toBe(abs);
    expect(scope.checkArrayRef('run1/step-10/acts.npz:conv1')).toBe(`${join(ws, 'run1', 'step-10', 'acts.npz')}:conv1`);
  });

  it('refuses files outside, `..` escapes, a sibling workspace with the same prefix, and NUL bytes', () => {
    const scope = scoped();
    for (const ref of [
      join(outside, 'loose.safetensors'),
      '../outside/loose.safetensors',
      'run1/../../outside/loose.safetensors',
      join(base, 'ws2', 'secret.npy'),
      '/etc/passwd',
      `${join(ws, 'run1', 'step-10', 'fc.npy')}\0.npy`,
      '',
    ]) {
      expect(() => scope.checkArrayRef(ref), JSON.stringify(ref)).toThrow(ScopeError);
    }
  });

  it('judges a symlink by its target (realpath): a link out of the workspace is outside until that place is opened too', () => {
    expect(() => scoped().checkArrayRef('linked/loose.safetensors')).toThrow(/outside .* \(it resolves to .*outside/);
    expect(() => scoped().checkWorkspace(join(ws, 'linked'))).toThrow(ScopeError);
    const both = scoped();
    both.grantWorkspace(outside);
    expect(both.checkArrayRef('linked/loose.safetensors')).toBe(join(outside, 'loose.safetensors'));
  });

  it('passes a single granted file, and only that file', () => {
    const scope = scoped();
    const loose = join(outside, 'loose.safetensors');
    scope.grantFile(loose);
    expect(scope.checkArrayRef(`${loose}:layer1.weight`)).toBe(`${loose}:layer1.weight`);
    expect(() => scope.checkArrayRef(join(outside, 'other.npy'))).toThrow(ScopeError);
  });

  it('opens only granted workspaces or folders inside them, given as absolute paths', () => {
    const scope = scoped();
    expect(scope.checkWorkspace(ws)).toBe(ws);
    expect(scope.checkWorkspace(join(ws, 'run1'))).toBe(join(ws, 'run1'));
    expect(() => scope.checkWorkspace(join(base, 'ws2'))).toThrow(/not a workspace opened/);
    expect(() => scope.checkWorkspace(base)).toThrow(ScopeError);
    expect(() => scope.checkWorkspace('ws')).toThrow(/absolute/);
    scope.grantWorkspace(join(base, 'ws2'));
    expect(scope.checkWorkspace(join(base, 'ws2'))).toBe(join(base, 'ws2'));
  });

  it('needs an open workspace for relative references', () => {
    const scope = new WorkspaceScope();
    scope.grantWorkspace(ws);
    expect(() => scope.checkArrayRef('run1/step-10/fc.npy')).toThrow(/needs an open workspace/);
  });
});
