// The import rules that keep the folder tree the architecture (npm run check). A broken rule
// fails the check and is reported by its name.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'An import loop: two modules that cannot be read, tested or moved apart.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'contract-imports-only-itself',
      comment: 'contract/ is the floor both ends stand on: it imports nothing outside itself.',
      severity: 'error',
      from: { path: '^contract/' },
      to: { pathNot: '^contract/' },
    },
    {
      name: 'worker-never-imports-src',
      comment: 'The broker is below the tab: what both need lives in contract/.',
      severity: 'error',
      from: { path: '^worker/' },
      to: { path: '^src/' },
    },
    {
      name: 'server-never-imports-src',
      comment: 'The local backend speaks wire protocols; it knows nothing of the app.',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^(src|worker)/' },
    },
    {
      name: 'ui-imports-client-through-index',
      comment: "The UI sees the client's public API only: src/client/index.ts.",
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { path: '^(src/client/|contract/|worker/)', pathNot: '^src/client/index\\.ts$' },
    },
    {
      name: 'e2e-does-not-import-bench',
      comment: 'Shared test code lives in test/support; only the tests that run the bench import it.',
      severity: 'error',
      from: { path: '^e2e/', pathNot: '^e2e/(bench-smoke|soak)\\.e2e\\.ts$' },
      to: { path: '^bench/' },
    },
    {
      name: 'bench-does-not-import-e2e',
      comment: 'Shared test code lives in test/support.',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^e2e/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a loop through types is still a loop for a reader.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
