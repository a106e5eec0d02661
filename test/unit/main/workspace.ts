/** A real workspace for tests that run the compute host: the bundled example. */
import { join } from 'node:path';
import { EXAMPLE, REPO } from '../../support/corpus.js';

export { REPO };
export const WORKSPACE = EXAMPLE;

/** The host entry run from source (tsx), so these tests need no build. */
export const HOST_ENTRY = join(REPO, 'main', 'host.ts');
export const HOST_EXEC_ARGV = ['--import', 'tsx'];
