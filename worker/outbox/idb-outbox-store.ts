// The outbox on disk: one IndexedDB database per browser profile, entries keyed by id and indexed
// by user, so it survives reloads, closed tabs and browser restarts. Stored values are `unknown`
// in the schema, so parseEntry is visibly the only way in: a corrupt or older-format entry
// becomes a visible failed entry, never a silent drop.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { BatchBuilder, foldIntoQueue, nextWake } from './outbox-queue.js';
import { EntryIdTaken, type Added, type OutboxStore } from './outbox-store.js';
import { parseEntry } from './stored-entry.js';
import { OUTBOX_DATABASE } from '../../contract/names.js';
import type { OutboxEntry } from '../../contract/writes.js';

interface OutboxSchema extends DBSchema {
  entries: {
    key: string;
    value: unknown;
    indexes: { byUser: string; byRecord: [string, string]; byOrder: [string, number] };
  };
  counters: { key: string; value: number };
}

const DB_VERSION = 2;
/** Entries read beyond a full batch per page: room for ones that are skipped (in flight, failed). */
const TAKE_PAGE_SLACK = 16;

export async function openIdbOutboxStore(): Promise<IdbOutboxStore> {
  const db = await openDB<OutboxSchema>(OUTBOX_DATABASE, DB_VERSION, {
    upgrade(database, oldVersion, _newVersion, transaction) {
      if (oldVersion < 1) {
        database.createObjectStore('entries', { keyPath: 'id' }).createIndex('byUser', 'userId');
        database.createObjectStore('counters');
      }
      // v2: add reads only the write's record (folding and chaining look nowhere else), and
      // the drainer walks the queue in order and stops at a full batch: neither reads it all.
      if (oldVersion < 2) {
        const entries = transaction.objectStore('entries');
        entries.createIndex('byRecord', ['userId', 'record']);
        entries.createIndex('byOrder', ['userId', 'order']);
      }
    },
  });
  return new IdbOutboxStore(db);
}

export class IdbOutboxStore implements OutboxStore {
  /** Corrupt records stored under a key that is not an id string: the id shown → the real key. */
  private readonly foreignKeys = new Map<string, IDBValidKey>();

  constructor(private readonly db: IDBPDatabase<OutboxSchema>) {}

  async load(userId: string): Promise<OutboxEntry[]> {
    const stored = await this.db.getAllFromIndex('entries', 'byUser', userId);
    return stored
      .map((value) => {
        const entry = parseEntry(value, userId);
        const key = (value as { id: IDBValidKey }).id;
        if (key !== entry.id) this.foreignKeys.set(entry.id, key);
        return entry;
      })
      .sort((a, b) => a.order - b.order);
  }

  /** One transaction: read the record's entries, fold into an unsent write, store. */
  async add(userId: string, id: string, make: (order: number) => OutboxEntry): Promise<Added> {
    // Strict: when write() answers, the change is on disk. Chromium's default (relaxed) reports a
    // commit before it is flushed, and a browser closed right after lost queued writes in tests.
    const tx = this.db.transaction(['entries', 'counters'], 'readwrite', { durability: 'strict' });
    const entries = tx.objectStore('entries');
    const counters = tx.objectStore('counters');
    const known: unknown = await entries.get(id);
    if (known !== undefined) {
      tx.abort();
      await tx.done.catch(() => undefined);
      if (typeof known !== 'object' || known === null || (known as { userId?: unknown }).userId !== userId)
        throw new EntryIdTaken(id);
      return { stored: [parseEntry(known, userId)], dropped: [] };
    }
    const order = ((await counters.get('order')) ?? 0) + 1;
    await counters.put(order, 'order');
    const entry = make(order);
    const sameRecord = (await entries.index('byRecord').getAll([userId, entry.record])).map((v) =>
      parseEntry(v, userId),
    );
    const { put, remove } = foldIntoQueue(sameRecord, entry);
    await Promise.all([...put.map((entry) => entries.put(entry)), ...remove.map((id) => entries.delete(id))]);
    await tx.done;
    return { stored: put, dropped: sameRecord.filter((e) => remove.includes(e.id)) };
  }

  async takeBatch(userId: string, now: number, max: number): Promise<OutboxEntry[]> {
    const tx = this.db.transaction('entries', 'readwrite');
    const builder = new BatchBuilder(now, max);
    // Pages in enqueue order (getAll: one round trip per page, where a cursor costs one per entry).
    // Entries without a readable order are not in this index; they parse as failed, which blocks nothing.
    const index = tx.store.index('byOrder');
    const pageSize = max + TAKE_PAGE_SLACK;
    for (let after = -Infinity, more = true; more;) {
      const range = IDBKeyRange.bound([userId, after], [userId, Infinity], true);
      const page = await index.getAll(range, pageSize);
      more = page.length === pageSize;
      for (const value of page) {
        const entry = parseEntry(value, userId);
        after = entry.order;
        if (!builder.offer(entry)) {
          more = false;
          break;
        }
      }
    }
    const taken = builder.batch.map((entry) => ({ ...entry, status: 'sending' as const }));
    await Promise.all([...taken.map((entry) => tx.store.put(entry)), tx.done]);
    return taken;
  }

  async wakeTime(userId: string, now: number): Promise<number | undefined> {
    return nextWake(await this.load(userId), now);
  }

  async clearBackoff(userId: string): Promise<void> {
    const tx = this.db.transaction('entries', 'readwrite');
    const queue = (await tx.store.index('byUser').getAll(userId)).map((v) => parseEntry(v, userId));
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
      // The schema says string keys; a foreign one is deleted by what it really is.
      ...remove.map((id) => tx.store.delete((this.foreignKeys.get(id) ?? id) as string)),
      tx.done,
    ]);
  }

  close(): void {
    this.db.close();
  }
}
