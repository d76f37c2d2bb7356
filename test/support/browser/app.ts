// The app as a browser opens it: the local backend (with demo data) and the app on Vite, each on
// a free port, started per e2e test file or benchmark run and torn down after.
import { createServer, type ViteDevServer } from 'vite';
import type { BackendOptions } from '../../../server/config.js';
import { seedDemo } from '../../../server/demo-seed.js';
import { startTestBackend, type Backend } from '../backend.js';

export interface RunningApp {
  backend: Backend;
  appUrl: string;
  close(): Promise<void>;
}

export async function startApp(options: Partial<BackendOptions> = {}): Promise<RunningApp> {
  const backend = await startTestBackend(options);
  await seedDemo(backend);
  try {
    const served = await serveApp(backend);
    return {
      backend,
      appUrl: served.appUrl,
      async close() {
        await served.close();
        await backend.close();
      },
    };
  } catch (error) {
    await backend.close();
    throw error;
  }
}

/** The app on Vite's dev server for the backend at `backend` (one in this process or another). */
export async function serveApp(backend: {
  url: string;
  anonKey: string;
}): Promise<{ appUrl: string; close(): Promise<void> }> {
  const vite: ViteDevServer = await createServer({
    logLevel: 'error',
    server: { port: 0, host: '127.0.0.1', strictPort: false, hmr: false },
    define: {
      'import.meta.env.VITE_SUPABASE_URL': JSON.stringify(backend.url),
      'import.meta.env.VITE_SUPABASE_ANON_KEY': JSON.stringify(backend.anonKey),
      // The worker's fault hooks (worker/faults/), which the production bundle never has.
      __BACKLINE_FAULTS__: 'true',
    },
  });
  await vite.listen();
  const appUrl = vite.resolvedUrls?.local[0];
  if (!appUrl) {
    await vite.close();
    throw new Error('Vite did not report a URL');
  }
  return { appUrl, close: () => vite.close() };
}
