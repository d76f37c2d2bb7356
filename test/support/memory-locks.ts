// Web Locks in memory, for Node (which has no navigator.locks): per name a queue granted in
// order, exclusive and shared modes, abort signals for waiting requests, and a lock held until
// its callback's promise settles. Grants come asynchronously, as in a browser.
type Mode = 'exclusive' | 'shared';

interface Waiting {
  mode: Mode;
  granted: () => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

export class MemoryLocks {
  private readonly held = new Map<string, { mode: Mode; count: number }>();
  private readonly queues = new Map<string, Waiting[]>();

  request(
    name: string,
    options: { mode?: Mode; signal?: AbortSignal },
    granted: () => unknown,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) return reject(signal.reason as Error);
      const waiting: Waiting = { mode: options.mode ?? 'exclusive', granted, resolve, reject };
      const queue = this.queues.get(name) ?? [];
      this.queues.set(name, queue);
      queue.push(waiting);
      signal?.addEventListener('abort', () => {
        const at = queue.indexOf(waiting);
        if (at < 0) return; // granted already: aborting changes nothing
        queue.splice(at, 1);
        reject(signal.reason as Error);
      });
      queueMicrotask(() => this.grant(name));
    });
  }

  isHeld(name: string): boolean {
    return this.held.has(name);
  }

  private grant(name: string): void {
    const queue = this.queues.get(name) ?? [];
    for (let next = queue[0]; next; next = queue[0]) {
      const held = this.held.get(name);
      if (held && (held.mode === 'exclusive' || next.mode === 'exclusive')) return;
      queue.shift();
      this.held.set(name, { mode: next.mode, count: (held?.count ?? 0) + 1 });
      const waiting = next;
      void (async () => {
        try {
          waiting.resolve(await waiting.granted());
        } catch (error) {
          waiting.reject(error);
        } finally {
          this.release(name);
        }
      })();
    }
  }

  private release(name: string): void {
    const held = this.held.get(name);
    if (!held) return;
    if (--held.count === 0) this.held.delete(name);
    this.grant(name);
  }
}
