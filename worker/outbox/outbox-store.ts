// The outbox on disk: one IndexedDB database per browser profile, entries keyed by id and indexed
// by user, so it survives reloads, closed tabs and browser restarts. Stored entries are read
// back through `parseEntry`: a corrupt or older-format entry becomes a visible failed entry,
// never a silent drop.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { enqueue, nextToSend, nextWake, type OutboxEntry, type Write } from './outbox-queue.js';

interface OutboxSchema extends DBSchema {
  entries: { key: string; value: OutboxEntry; indexes: { byUser: string } };
  counters: { key: string; value: number };
}

const DB_NAME = 'backline-outbox';
const DB_VERSION = 1;

export class OutboxStore {
  private constructor(private readonly db: IDBPDatabase<OutboxSchema>) {}

  static async open(): Promise<OutboxStore> {
    const db = await openDB<OutboxSchema>(DB_NAME, DB_VERSION, {
      upgrade(database) {
        const entries = database.createObjectStore('entries', { keyPath: 'id' });
        entries.createIndex('byUser', 'userId');
        database.createObjectStore('counters');
      },
    });
    return new OutboxStore(db);
  }

  async load(userId: string): Promise<OutboxEntry[]> {
    const stored: unknown[] = await this.db.getAllFromIndex('entries', 'byUser', userId);
    return stored.map((value) => parseEntry(value, userId)).sort((a, b) => a.order - b.order);
  }

  /**
   * Queues a write in one transaction (read, fold into an unsent write, store), so tabs
   * enqueueing at once and the drainer taking the next entry never interleave.
   */
  async enqueue(userId: string, make: (order: number) => OutboxEntry): Promise<OutboxEntry[]> {
    const tx = this.db.transaction(['entries', 'counters'], 'readwrite');
    const entries = tx.objectStore('entries');
    const counters = tx.objectStore('counters');
    const order = ((await counters.get('order')) ?? 0) + 1;
    await counters.put(order, 'order');
    const queue = ((await entries.index('byUser').getAll(userId)) as unknown[]).map((v) =>
      parseEntry(v, userId),
    );
    const { put, remove } = enqueue(queue, make(order));
    await Promise.all([...put.map((entry) => entries.put(entry)), ...remove.map((id) => entries.delete(id))]);
    await tx.done;
    return put;
  }

  /** Marks the next sendable entry `sending` and returns it, atomically. */
  async takeNext(userId: string, now: number): Promise<OutboxEntry | undefined> {
    const tx = this.db.transaction('entries', 'readwrite');
    const queue = ((await tx.store.index('byUser').getAll(userId)) as unknown[]).map((v) =>
      parseEntry(v, userId),
    );
    const next = nextToSend(queue, now);
    const taken = next && { ...next, status: 'sending' as const };
    if (taken) await tx.store.put(taken);
    await tx.done;
    return taken;
  }

  async wakeTime(userId: string, now: number): Promise<number | undefined> {
    return nextWake(await this.load(userId), now);
  }

  /** Back online: entries waiting out a backoff may go at once. */
  async clearBackoff(userId: string): Promise<void> {
    const tx = this.db.transaction('entries', 'readwrite');
    const queue = ((await tx.store.index('byUser').getAll(userId)) as unknown[]).map((v) =>
      parseEntry(v, userId),
    );
    await Promise.all(
      queue
        .filter((e) => e.status === 'pending' && e.notBefore > 0)
        .map((e) => tx.store.put({ ...e, notBefore: 0 })),
    );
    await tx.done;
  }

  async apply(put: readonly OutboxEntry[], remove: readonly string[] = []): Promise<void> {
    const tx = this.db.transaction('entries', 'readwrite');
    await Promise.all([
      ...put.map((entry) => tx.store.put(entry)),
      ...remove.map((id) => tx.store.delete(id)),
      tx.done,
    ]);
  }

  close(): void {
    this.db.close();
  }
}

const WRITE_KINDS = new Set(['song.insert', 'song.update', 'song.delete']);

/** Trusts nothing read from disk: another version of the app, or a broken browser, wrote it. */
export function parseEntry(value: unknown, userId: string): OutboxEntry {
  const input = (typeof value === 'object' && value !== null ? value : {}) as Partial<OutboxEntry>;
  const id = typeof input.id === 'string' ? input.id : `corrupt-${crypto.randomUUID()}`;
  const write = input.write as Partial<Write> | undefined;
  const valid =
    typeof input.order === 'number' &&
    input.userId === userId &&
    typeof write?.kind === 'string' &&
    WRITE_KINDS.has(write.kind) &&
    typeof write.songId === 'string' &&
    typeof write.bandId === 'string' &&
    (write.kind === 'song.insert' || typeof (write as { baseVersion?: unknown }).baseVersion === 'number');
  if (valid) {
    // A write cut off mid-send (the worker died) is sent again; replay makes that safe.
    return input.status === 'sending'
      ? { ...(input as OutboxEntry), status: 'pending' }
      : (input as OutboxEntry);
  }
  return {
    id,
    order: typeof input.order === 'number' ? input.order : 0,
    userId,
    write: (write ?? { kind: 'song.insert', songId: '', bandId: '', fields: { title: '' } }) as Write,
    status: 'failed',
    attempts: typeof input.attempts === 'number' ? input.attempts : 0,
    notBefore: 0,
    error: { code: 'corrupt_entry', message: 'This queued change could not be read and was not sent.' },
    theirs: undefined,
    createdAt: typeof input.createdAt === 'number' ? input.createdAt : 0,
  };
}
