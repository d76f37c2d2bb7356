import { defineConfig } from 'vite';

export default defineConfig({
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: { target: 'es2022', sourcemap: true },
  worker: { format: 'es' },
  // uPlot is imported only by the diagnostics page, which loads on demand: found that late, the dev
  // server re-bundles its dependencies and answers the page's import with 504 (Outdated Optimize Dep).
  optimizeDeps: { include: ['uplot'] },
});
