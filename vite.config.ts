import { defineConfig } from 'vite';

export default defineConfig({
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: { target: 'es2022', sourcemap: true },
  worker: { format: 'es' },
  // Fault injection (worker/faults/) only in the e2e tests' build: test/support/browser/app.ts.
  define: { __BACKLINE_FAULTS__: 'false' },
  // uPlot is imported only by the diagnostics page, which loads on demand: found that late, the dev
  // server re-bundles its dependencies and answers the page's import with 504 (Outdated Optimize Dep).
  optimizeDeps: { include: ['uplot'] },
});
