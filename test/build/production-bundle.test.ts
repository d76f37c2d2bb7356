// What ships: the SharedWorker as `vite build` bundles it (vite.config.ts) has no fault hooks.
// The e2e tests' dev server turns them on (test/support/browser/app.ts); nothing else may.
import { resolve } from 'node:path';
import { build, type Rollup } from 'vite';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

async function bundledWorker(define: Record<string, string> = {}): Promise<string> {
  const output = await build({
    root,
    configFile: resolve(root, 'vite.config.ts'),
    logLevel: 'silent',
    define,
    build: {
      write: false,
      sourcemap: false,
      lib: { entry: resolve(root, 'worker/shared-worker.ts'), formats: ['es'] },
    },
  });
  const outputs = (Array.isArray(output) ? output : [output]) as Rollup.RollupOutput[];
  return outputs
    .flatMap((o) => o.output)
    .flatMap((item) => (item.type === 'chunk' ? [item.code] : []))
    .join('\n');
}

describe('the production bundle', () => {
  it('leaves the worker’s fault hooks out, and has them only when a test build asks', async () => {
    const production = await bundledWorker();
    expect(production).toContain('SharedWorker is available');
    expect(production).not.toContain('backlineFaults');
    // The check can fail: the same build with the flag on has them.
    expect(await bundledWorker({ __BACKLINE_FAULTS__: 'true' })).toContain('backlineFaults');
  }, 60_000);
});
