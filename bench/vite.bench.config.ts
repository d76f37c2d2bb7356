// Production build for `npm run bench`: the lab page (shared mode), the two baseline pages and the
// band app (index.html, for its tab JS figure), with the benchmark's backend baked in the way test/support/browser/app.ts injects it into the dev server.
import { resolve } from 'node:path';
import type { InlineConfig } from 'vite';

const root = resolve(import.meta.dirname, '..');

const BENCH_PAGES = {
  shared: 'lab.html',
  'leader-tab': 'bench/pages/leader-tab.html',
  'per-tab': 'bench/pages/per-tab.html',
} as const;

export function benchViteConfig(backend: { url: string; anonKey: string }, outDir: string): InlineConfig {
  return {
    root,
    configFile: false,
    logLevel: 'warn',
    define: {
      'import.meta.env.VITE_SUPABASE_URL': JSON.stringify(backend.url),
      'import.meta.env.VITE_SUPABASE_ANON_KEY': JSON.stringify(backend.anonKey),
      // Production: the worker's fault hooks are left out (worker/shared-worker.ts).
      __BACKLINE_FAULTS__: 'false',
    },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      rollupOptions: {
        input: {
          ...Object.fromEntries(Object.entries(BENCH_PAGES).map(([k, v]) => [k, resolve(root, v)])),
          app: resolve(root, 'index.html'),
          // No script: its heap is the floor every tab pays (bench/browser/tabs.ts blankTabHeap).
          blank: resolve(root, 'bench/pages/blank.html'),
        },
      },
    },
    worker: { format: 'es' },
  };
}
