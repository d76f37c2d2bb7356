// The broker's environment in Node: in-memory Web Locks, Node's own BroadcastChannel (global
// since Node 18), the real clock (vitest's fake timers fake it), and an outbox store only when a
// test asks for one: with none, write() answers as a context without IndexedDB does.
import type { BrokerEnvironment } from '../../worker/environment.js';
import { MemoryOutboxData, MemoryOutboxStore } from '../../worker/outbox/memory-outbox-store.js';
import { MemoryAuthStorage } from '../../worker/auth/auth-storage.js';
import { MemoryLocks } from './memory-locks.js';

export interface NodeEnvironmentOptions {
  locks?: MemoryLocks;
  /** The profile's outbox database; each broker opens its own connection to it. Unset: no outbox. */
  outbox?: MemoryOutboxData;
  /** Told of every store connection opened, so a test can check it is closed again. */
  opened?: (store: MemoryOutboxStore) => void;
  /** The profile's session store; share one between brokers to play a worker replacement. */
  authStorage?: MemoryAuthStorage;
}

export function nodeEnvironment({
  locks = new MemoryLocks(),
  outbox,
  opened,
  authStorage = new MemoryAuthStorage(),
}: NodeEnvironmentOptions = {}): BrokerEnvironment {
  return {
    locks,
    openOutboxStore: () => {
      if (!outbox) return undefined;
      const store = new MemoryOutboxStore(outbox);
      opened?.(store);
      return Promise.resolve(store);
    },
    channel: (name) => new BroadcastChannel(name),
    authStorage,
    now: () => Date.now(),
    random: () => Math.random(),
  };
}
