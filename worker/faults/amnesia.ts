// A worker that restarts with empty state behind the same ports, as WebKit re-runs a shared
// worker with a fresh global scope (bug 318873): for tests only. Tabs talk to `api`; `forget()`
// stops the broker behind it and starts a new one, which knows no tab, and every answer the old
// one still owed is dropped, as a dead global scope's would be. shared-worker.ts uses it only in
// builds with __BACKLINE_FAULTS__ set (never the production bundle); Node tests use it directly.
import type { BrokerApi } from '../../contract/protocol.js';
import type { Broker } from '../broker.js';

export interface Amnesia {
  readonly api: BrokerApi;
  /** The broker answering now. */
  readonly broker: Broker;
  forget(): void;
}

const never = new Promise<never>(() => undefined);

export function amnesiac(start: () => Broker): Amnesia {
  let current = start();
  const api = new Proxy({} as BrokerApi, {
    get(_, method) {
      const value: unknown = Reflect.get(current, method);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): Promise<unknown> => {
        const asked = current;
        const answer: unknown = Reflect.apply(value, asked, args);
        return Promise.resolve(answer).then((settled: unknown) => (current === asked ? settled : never));
      };
    },
  });
  return {
    api,
    get broker() {
      return current;
    },
    forget() {
      current.shutdown();
      current = start();
    },
  };
}
