/** A real workspace for tests that run the compute host: the bundled example, else the shared corpus it comes from. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const WORKSPACE =
  [join(REPO, 'resources', 'example-workspace'), resolve(REPO, '..', 'shared', 'corpus'), '/work/shared/corpus'].find((p) =>
    existsSync(join(p, 'probe_labels.npy')),
  ) ?? join(REPO, 'resources', 'example-workspace');

/** The host entry run from source (tsx), so these tests need no build. */
export const HOST_ENTRY = join(REPO, 'main', 'host.ts');
export const HOST_EXEC_ARGV = ['--import', 'tsx'];
