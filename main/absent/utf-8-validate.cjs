// Stands in for ws's optional native helpers (bufferutil, utf-8-validate) in main's bundle: requiring it throws, as
// requiring a missing package does, so ws takes its pure-JavaScript path (electron.vite.config.ts).
throw new Error('not bundled');
