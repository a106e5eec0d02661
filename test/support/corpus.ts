/**
 * Where tests get real training runs from. Every test runs on data the repository carries: the bundled example
 * workspace (resources/example-workspace: 10 runs, layers conv2, fc and logits in activations.npz), the fixtures
 * under test/fixtures, or data the test writes itself.
 *
 * The full shared corpus the example is cut from (conv1 too, one .npy file per layer) is optional: when a checkout
 * has it beside the repository, at ../shared/corpus, tests add cases on it; without it those cases are reported as
 * skipped (`describe.skipIf(!CORPUS)` / `it.skipIf(!CORPUS)`), never passed silently. Nothing looks anywhere else.
 */
import { existsSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (with a trailing separator removed). */
export const REPO = resolve(fileURLToPath(new URL('../../', import.meta.url)));

/** The bundled example workspace: always there. */
export const EXAMPLE = join(REPO, 'resources', 'example-workspace');

/** Where the optional shared corpus would be: beside the repository. */
export const CORPUS_PATH = resolve(REPO, '..', 'shared', 'corpus');

/**
 * The shared corpus when this checkout has it, else null (the cases on it skip). Its real path: the index stores
 * real paths, so a ../shared that is a symbolic link still gives the paths the tests expect.
 */
export const CORPUS: string | null = existsSync(join(CORPUS_PATH, 'probe_labels.npy')) ? realpathSync(CORPUS_PATH) : null;

