// Per-tab mode (no SharedWorker, as in Chrome on Android, or asked for): the same broker core
// runs in this page, loaded on demand so shared-mode tabs never download the realtime client.
import type { AuthChange, BusEvent } from '../../contract/protocol.js';
import type { Transport } from './transport.js';

export async function createTabTransport(reason: string, generation: number): Promise<Transport> {
  const [{ Broker }, { LocalFanout }, { browserEnvironment }] = await Promise.all([
    import('../../worker/broker.js'),
    import('../../worker/fanout.js'),
    import('../../worker/environment.js'),
  ]);
  const listeners = new Set<(event: BusEvent) => void>();
  const authListeners = new Set<(change: AuthChange) => void>();
  const broker = new Broker({
    mode: 'tab',
    modeReason: reason,
    generation,
    environment: browserEnvironment(),
    fanout: new LocalFanout(
      (event) => listeners.forEach((listener) => listener(event)),
      (change) => authListeners.forEach((listener) => listener(change)),
    ),
    graceMs: 5000,
    connection: {},
  });
  return {
    mode: 'tab',
    reason,
    generation,
    broker: broker,
    listen(userId, handler) {
      const listener = (event: BusEvent): void => {
        if (event.userId === userId) handler([event]);
      };
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    listenAuth(scope, handler) {
      const listener = (change: AuthChange): void => {
        if (change.scope === scope) handler(change);
      };
      authListeners.add(listener);
      return () => authListeners.delete(listener);
    },
    // Loaded and running by now: nothing left to fail at start.
    failed: new Promise<never>(() => undefined),
    // Every event is a direct call here (LocalFanout): no route to open.
    openBandRoute: () => Promise.resolve(),
    close() {
      broker.shutdown();
    },
  };
}
