// The outbox store in memory, with IndexedDB's semantics where the drainer can tell: values are
// copied in and out (structured clone), read back through parseEntry, each operation is atomic,
// the batch walk follows enqueue order, and a closed connection refuses further work. Several
// connections may share one `MemoryOutboxData`, as a profile's contexts share one database.
// For Node, where there is no IndexedDB: tests run the whole broker, outbox included, on it.
import { BatchBuilder, foldIntoQueue, nextWake } from './outbox-queue.js';
import { EntryIdTaken, type Added, type OutboxStore } from './outbox-store.js';
import { parseEntry } from './stored-entry.js';
import type { OutboxEntry } from '../../contract/writes.js';

/** What one profile's outbox database holds: stored values by key, and the enqueue counter. */
export class MemoryOutboxData {
  readonly values = new Map<string, unknown>();
  order = 0;
}

const field = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;

export class MemoryOutboxStore implements OutboxStore {
  private open = true;

  constructor(readonly data: MemoryOutboxData = new MemoryOutboxData()) {}

  get closed(): boolean {
    return !this.open;
  }

  load(userId: string): Promise<OutboxEntry[]> {
    return this.run(() => this.read(userId).sort((a, b) => a.order - b.order));
  }

  add(userId: string, id: string, make: (order: number) => OutboxEntry): Promise<Added> {
    return this.run(() => {
      const known = this.data.values.get(id);
      if (known !== undefined) {
        if (field(known, 'userId') !== userId) throw new EntryIdTaken(id);
        return { stored: [parseEntry(structuredClone(known), userId)], dropped: [] };
      }
      const entry = make(++this.data.order);
      const sameRecord = this.read(userId, (value) => field(value, 'record') === entry.record);
      const { put, remove } = foldIntoQueue(sameRecord, entry);
      this.store(put, remove);
      return { stored: put, dropped: sameRecord.filter((e) => remove.includes(e.id)) };
    });
  }

  takeBatch(userId: string, now: number, max: number): Promise<OutboxEntry[]> {
    return this.run(() => {
      // IndexedDB's order index holds only values whose order is a valid key.
      const ordered = this.read(userId, (value) => typeof field(value, 'order') === 'number').sort(
        (a, b) => a.order - b.order,
      );
      const builder = new BatchBuilder(now, max);
      for (const entry of ordered) if (!builder.offer(entry)) break;
      const taken = builder.batch.map((entry) => ({ ...entry, status: 'sending' as const }));
      this.store(taken, []);
      return taken;
    });
  }

  async wakeTime(userId: string, now: number): Promise<number | undefined> {
    return nextWake(await this.load(userId), now);
  }

  clearBackoff(userId: string): Promise<void> {
    return this.run(() => {
      const waiting = this.read(userId).filter((e) => e.status === 'pending' && e.notBefore > 0);
      this.store(
        waiting.map((e) => ({ ...e, notBefore: 0 })),
        [],
      );
    });
  }

  apply(put: readonly OutboxEntry[], remove: readonly string[] = []): Promise<void> {
    return this.run(() => this.store(put, remove));
  }

  close(): void {
    this.open = false;
  }

  /** One operation, whole, before anything else runs; refused once closed, as IndexedDB does. */
  private run<T>(operation: () => T): Promise<T> {
    if (!this.open) return Promise.reject(new Error('the outbox store is closed'));
    try {
      return Promise.resolve(operation());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private read(userId: string, where: (value: unknown) => boolean = () => true): OutboxEntry[] {
    return [...this.data.values.values()]
      .filter((value) => field(value, 'userId') === userId && where(value))
      .map((value) => parseEntry(structuredClone(value), userId));
  }

  private store(put: readonly OutboxEntry[], remove: readonly string[]): void {
    for (const entry of put) this.data.values.set(entry.id, structuredClone(entry));
    for (const id of remove) this.data.values.delete(id);
  }
}
