// The production build the benchmark serves, and what each mode's tab downloads (gzip).
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { BENCH_PAGES, benchViteConfig } from '../vite.bench.config.js';
import type { Mode } from './modes.js';

interface ManifestChunk {
  file: string;
  imports?: string[];
  dynamicImports?: string[];
}

export interface BundleSize {
  /** JS a tab loads before it runs (the entry and its static imports), gzip bytes. */
  tab_js_gzip_bytes: number;
  tab_js_files: string[];
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

export async function bundleSizes(outDir: string): Promise<Record<Mode, BundleSize>> {
  const manifest = JSON.parse(await readFile(join(outDir, '.vite/manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const gzip = async (file: string): Promise<number> => gzipSync(await readFile(join(outDir, file))).length;
  const closure = (key: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(key)) return seen;
    seen.add(key);
    for (const next of manifest[key]?.imports ?? []) closure(next, seen);
    return seen;
  };
  const sizeOf = async (keys: Iterable<string>): Promise<{ bytes: number; files: string[] }> => {
    const files = [...keys].map((key) => manifest[key]!.file).filter((file) => file.endsWith('.js'));
    const sizes = await Promise.all(files.map(gzip));
    return { bytes: sizes.reduce((a, b) => a + b, 0), files };
  };
  // The worker is bundled on its own into one asset the manifest does not list.
  const workerFile = (await readdir(join(outDir, 'assets'))).find((file) =>
    /^shared-worker-.*\.js$/.test(file),
  );
  const workerBytes = workerFile ? await gzip(join('assets', workerFile)) : 0;
  const result: Partial<Record<Mode, BundleSize>> = {};
  for (const [mode, page] of Object.entries(BENCH_PAGES) as [Mode, string][]) {
    const tab = await sizeOf(closure(page));
    result[mode] = {
      tab_js_gzip_bytes: tab.bytes,
      tab_js_files: tab.files,
      worker_js_gzip_bytes: mode === 'shared' ? workerBytes : 0,
      client_js_gzip_bytes: mode === 'shared' ? await clientBundleSize() : 0,
    };
  }
  return result as Record<Mode, BundleSize>;
}
