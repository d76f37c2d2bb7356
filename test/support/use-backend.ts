// The vitest fixture for a test file's backend: started before its tests, closed after them. Apart
// from backend.ts because it imports vitest, which the e2e tests and the benchmarks must not load
// (they use backend.ts too).
import { afterAll, beforeAll } from 'vitest';
import type { BackendOptions } from '../../server/config.js';
import { startTestBackend, type Backend } from './backend.js';

/**
 * Registers a beforeAll that starts a backend with `options` and an afterAll that closes it, and
 * returns a stand-in for it: tests read `backend.url` as from the started one. Read before the
 * beforeAll has run (at module load, in a describe body), it throws instead of handing back
 * undefined. The file's own beforeAll hooks run after this one, and its afterAll hooks before the
 * close, when registered after the call.
 */
export function useBackend(options: Partial<BackendOptions> = {}): Backend {
  let started: Backend | undefined;
  beforeAll(async () => {
    started = await startTestBackend(options);
  });
  afterAll(() => started?.close());
  const current = (key: PropertyKey): Backend => {
    if (!started) throw new Error(`the test backend is not started yet (reading ${String(key)})`);
    return started;
  };
  return new Proxy({} as Backend, {
    get: (_, key) => Reflect.get(current(key), key) as unknown,
    has: (_, key) => Reflect.has(current(key), key),
  });
}
