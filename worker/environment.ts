// Everything the broker takes from the context it runs in, passed in rather than reached for as
// globals (realtime-js's lesson: every environment dependency is an option): Web Locks, the
// user's outbox storage, the profile's session store, BroadcastChannels, the clock and randomness. The SharedWorker and a
// per-tab broker pass `browserEnvironment()`; Node tests pass in-memory locks and outbox stores,
// so the whole broker, outbox included, runs there. Timers stay global: vitest fakes them.
import { navigatorLock, type LockFunc } from '@supabase/auth-js';
import type { OutboxStore } from './outbox/outbox-store.js';
import { openIdbOutboxStore } from './outbox/idb-outbox-store.js';
import { MemoryAuthStorage, type AuthStorage } from './auth/auth-storage.js';
import { IdbAuthStorage } from './auth/idb-auth-storage.js';

/** The subset of the Web Locks API the broker uses. */
export interface LockManagerLike {
  request<T>(name: string, options: LockRequest, granted: () => Promise<T> | T): Promise<T>;
  /** The locks held and the requests waiting, by name (navigator.locks.query()). */
  query(): Promise<LockNames> | LockNames;
}

/** The part of a lock snapshot the broker reads. */
export interface LockNames {
  held?: { name?: string }[];
  pending?: { name?: string }[];
}

export interface LockRequest {
  mode?: 'exclusive' | 'shared';
  /** Aborting a request still waiting drops it (its promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** The subset of a BroadcastChannel the broker uses: every context of the profile hears a post. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent<unknown>) => void) | null;
  close(): void;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Uniform in [0, 1), for jitter. */
  random(): number;
}

export interface BrokerEnvironment extends Clock {
  locks: LockManagerLike;
  /** Opens the profile's outbox store; undefined when this context has none (no IndexedDB). */
  openOutboxStore(): Promise<OutboxStore> | undefined;
  /** A BroadcastChannel by that name (a function, so it can be handed on as one). */
  channel: (name: string) => ChannelLike;
  /** The profile's session store: it must outlive the broker (a worker replacement, a restart). */
  authStorage: AuthStorage;
  /** auth-js's lock between contexts sharing authStorage; unset, auth-js runs without one. */
  authLock?: LockFunc;
}

/** A SharedWorker's or a page's own: navigator.locks, IndexedDB, BroadcastChannel, Date, Math. */
export function browserEnvironment(): BrokerEnvironment {
  return {
    locks: {
      request: (name, options, granted) => navigator.locks.request(name, options, () => granted()),
      query: () => navigator.locks.query(),
    },
    openOutboxStore: () => (typeof indexedDB === 'undefined' ? undefined : openIdbOutboxStore()),
    channel: (name) => new BroadcastChannel(name),
    // Without IndexedDB (a private window in some browsers) a session lasts as long as the broker.
    authStorage: typeof indexedDB === 'undefined' ? new MemoryAuthStorage() : new IdbAuthStorage(),
    authLock: navigatorLock,
    now: () => Date.now(),
    random: () => Math.random(),
  };
}
