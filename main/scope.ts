/**
 * What the renderer may touch on disk: the workspaces and single files the user chose in main (open dialog, drag
 * and drop, command line, file association, recent list), and nothing else. The policy itself is shared with
 * `serve` and lives in native/api/scope.ts (realpath containment, symlinks included); main only grants.
 */
export { ScopeError, WorkspaceScope, isInside } from '../native/api/scope.js';
