// The production build the benchmark serves, and the gzip size of what each page loads.
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { benchViteConfig } from '../vite.bench.config.js';
import type { Mode } from './modes.js';
import type { PagesScripts } from './page-scripts.js';

export interface BundleSize {
  /** JS the mode's page loaded until its band's songs were on screen (page-scripts.ts), gzip bytes. */
  tab_js_gzip_bytes: number;
  tab_js_files: string[];
  /**
   * Shared mode only: the band app (index.html) on a signed-in band page, until its first song
   * showed, measured the same way. The app runs Backline in shared mode.
   */
  app_js_gzip_bytes: number;
  app_js_files: string[];
  /** The SharedWorker's script (shared mode only), gzip bytes. */
  worker_js_gzip_bytes: number;
  /**
   * Shared mode only: the Backline client alone (src/client, what a tab imports to talk to the
   * worker), without auth, data access or UI, and without the per-tab fallback it loads lazily.
   */
  client_js_gzip_bytes: number;
}

/** The client library built on its own, minified: its entry chunk and static imports, gzip bytes. */
export async function clientBundleSize(): Promise<number> {
  const output = await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      // backline.ts, not index.ts: the auth adapter (bindSupabaseAuth) is left out, as the target says.
      lib: { entry: resolve(import.meta.dirname, '../../src/client/backline.ts'), formats: ['es'] },
    },
    worker: { format: 'es' },
  });
  const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) =>
    'output' in o ? o.output.filter((item) => item.type === 'chunk') : [],
  );
  const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  const entry = chunks.find((chunk) => chunk.isEntry);
  if (!entry) throw new Error('the client build has no entry chunk');
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    byName.get(name)?.imports.forEach(visit);
  };
  visit(entry.fileName);
  return [...seen].reduce((sum, name) => sum + gzipSync(byName.get(name)?.code ?? '').length, 0);
}

export async function buildPages(backend: { url: string; anonKey: string }, outDir: string): Promise<void> {
  await build(benchViteConfig(backend, outDir));
}

/** Gzip bytes of built files, each compressed on its own as a server would send it. */
async function gzipSize(outDir: string, files: readonly string[]): Promise<number> {
  const sizes = await Promise.all(
    files.map(async (file) => gzipSync(await readFile(join(outDir, file))).length),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

export async function bundleSizes(outDir: string, scripts: PagesScripts): Promise<Record<Mode, BundleSize>> {
  // The worker is bundled on its own into one asset the pages do not fetch themselves.
  const workerFile = (await readdir(join(outDir, 'assets'))).find((file) =>
    /^shared-worker-.*\.js$/.test(file),
  );
  const workerBytes = workerFile ? await gzipSize(outDir, [join('assets', workerFile)]) : 0;
  const result: Partial<Record<Mode, BundleSize>> = {};
  for (const [mode, files] of Object.entries(scripts.modes) as [Mode, string[]][]) {
    const shared = mode === 'shared';
    result[mode] = {
      tab_js_gzip_bytes: await gzipSize(outDir, files),
      tab_js_files: files,
      app_js_gzip_bytes: shared ? await gzipSize(outDir, scripts.app) : 0,
      app_js_files: shared ? scripts.app : [],
      worker_js_gzip_bytes: shared ? workerBytes : 0,
      client_js_gzip_bytes: shared ? await clientBundleSize() : 0,
    };
  }
  return result as Record<Mode, BundleSize>;
}
