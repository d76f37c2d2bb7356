// Where the broker's auth client keeps a scope's session: the subset of auth-js's storage it
// calls, async so IndexedDB (the only storage a SharedWorker can reach) fits. Node tests pass a
// map that outlives brokers, as IndexedDB outlives a worker.
export interface AuthStorage {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

/** A profile's session store in memory: share one between brokers to play a worker replacement. */
export class MemoryAuthStorage implements AuthStorage {
  readonly items = new Map<string, string>();

  getItem(key: string): Promise<string | null> {
    return Promise.resolve(this.items.get(key) ?? null);
  }

  setItem(key: string, value: string): Promise<void> {
    this.items.set(key, value);
    return Promise.resolve();
  }

  removeItem(key: string): Promise<void> {
    this.items.delete(key);
    return Promise.resolve();
  }
}
