// The import graph flows one way: each tier may import its own tier and those below it, never one above.
// `npm run lint:imports` (part of `npm test`) fails on a back-edge; docs/architecture.md explains the tiers.
/** Bottom to top; folders under native/ unless they start with a top-level folder name. */
const TIERS = [
  ['native/domain', 'native/errors.ts'],
  ['native/formats'],
  ['native/linalg', 'native/kernels'],
  ['native/layers'],
  ['native/index'],
  ['native/measures'],
  ['native/analyses'],
  ['native/compute'],
  ['native/scale'],
  ['native/api'],
  ['native/serve'],
  ['native/cli'],
  ['main', 'renderer'],
];

const pattern = (paths) => `^(${paths.map((p) => p.replace(/\./g, '\\.')).join('|')})(/|$)`;

const backEdges = TIERS.slice(0, -1).map((tier, i) => ({
  name: `no-import-up-from-${tier[0].replace(/\//g, '-')}`,
  comment: `${tier.join(', ')} must not import a higher tier (${TIERS.slice(i + 1).flat().join(', ')})`,
  severity: 'error',
  from: { path: pattern(tier) },
  to: { path: pattern(TIERS.slice(i + 1).flat()) },
}));

module.exports = {
  forbidden: [
    ...backEdges,
    {
      name: 'renderer-only-through-the-contract',
      comment: 'the renderer reaches native/ only through the wire contract (the domain types it re-exports) and the transport-free client',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^native/', pathNot: '^native/(api/(contract|client)\.ts|domain/)' },
    },
    {
      name: 'main-and-renderer-apart',
      comment: 'Electron main and the renderer talk only through the typed IPC contract, never by import',
      severity: 'error',
      from: { path: '^(main|renderer)/' },
      to: { path: '^(main|renderer)/', pathNot: '^$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|out|dist)/' },
    tsConfig: { fileName: 'tsconfig.main.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.vue', '.mjs'] },
  },
};
