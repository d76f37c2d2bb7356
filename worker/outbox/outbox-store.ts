// The outbox on disk: one IndexedDB database per browser profile, entries keyed by id and indexed
// by user, so it survives reloads, closed tabs and browser restarts. Stored entries are read
// back through `parseEntry`: a corrupt or older-format entry becomes a visible failed entry,
// never a silent drop.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { BatchBuilder, enqueue, nextWake, recordOf, type OutboxEntry, type Write } from './outbox-queue.js';

interface OutboxSchema extends DBSchema {
  entries: {
    key: string;
    value: OutboxEntry;
    indexes: { byUser: string; byRecord: [string, string]; byOrder: [string, number] };
  };
  counters: { key: string; value: number };
}

const DB_NAME = 'backline-outbox';
const DB_VERSION = 2;
/** Entries read beyond a full batch per page: room for ones that are skipped (in flight, failed). */
const TAKE_PAGE_SLACK = 16;

export class OutboxStore {
  private constructor(private readonly db: IDBPDatabase<OutboxSchema>) {}

  static async open(): Promise<OutboxStore> {
    const db = await openDB<OutboxSchema>(DB_NAME, DB_VERSION, {
      upgrade(database, oldVersion, _newVersion, transaction) {
        if (oldVersion < 1) {
          database.createObjectStore('entries', { keyPath: 'id' }).createIndex('byUser', 'userId');
          database.createObjectStore('counters');
        }
        // v2: enqueue reads only the write's record (folding and chaining look nowhere else), and
        // the drainer walks the queue in order and stops at a full batch: neither reads it all.
        if (oldVersion < 2) {
          const entries = transaction.objectStore('entries');
          entries.createIndex('byRecord', ['userId', 'record']);
          entries.createIndex('byOrder', ['userId', 'order']);
        }
      },
    });
    return new OutboxStore(db);
  }

  async load(userId: string): Promise<OutboxEntry[]> {
    const stored: unknown[] = await this.db.getAllFromIndex('entries', 'byUser', userId);
    return stored.map((value) => parseEntry(value, userId)).sort((a, b) => a.order - b.order);
  }

  /**
   * Queues a write in one transaction (read the record's entries, fold into an unsent write,
   * store), so tabs enqueueing at once and the drainer taking the next entry never interleave.
   */
  async enqueue(userId: string, make: (order: number) => OutboxEntry): Promise<OutboxEntry[]> {
    // Strict: when write() answers, the change is on disk. Chromium's default (relaxed) reports a
    // commit before it is flushed, and a browser closed right after lost queued writes in tests.
    const tx = this.db.transaction(['entries', 'counters'], 'readwrite', { durability: 'strict' });
    const entries = tx.objectStore('entries');
    const counters = tx.objectStore('counters');
    const order = ((await counters.get('order')) ?? 0) + 1;
    await counters.put(order, 'order');
    const entry = make(order);
    const sameRecord = (await entries.index('byRecord').getAll([userId, entry.record])) as unknown[];
    const { put, remove } = enqueue(
      sameRecord.map((v) => parseEntry(v, userId)),
      entry,
    );
    await Promise.all([...put.map((entry) => entries.put(entry)), ...remove.map((id) => entries.delete(id))]);
    await tx.done;
    return put;
  }

  /** Marks the next batch of sendable entries (see nextBatch) `sending` and returns it, atomically. */
  async takeBatch(userId: string, now: number, max: number): Promise<OutboxEntry[]> {
    const tx = this.db.transaction('entries', 'readwrite');
    const builder = new BatchBuilder(now, max);
    // Pages in enqueue order (getAll: one round trip per page, where a cursor costs one per entry).
    // Entries without a readable order are not in this index; they parse as failed, which blocks nothing.
    const index = tx.store.index('byOrder');
    const pageSize = max + TAKE_PAGE_SLACK;
    for (let after = -Infinity, more = true; more;) {
      const range = IDBKeyRange.bound([userId, after], [userId, Infinity], true);
      const page = (await index.getAll(range, pageSize)) as unknown[];
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

const isString = (value: unknown): value is string => typeof value === 'string';

/** The shape of every write kind, as the current version stores it. */
function isWrite(value: unknown): value is Write {
  if (typeof value !== 'object' || value === null) return false;
  const w = value as Record<string, unknown>;
  switch (w['kind']) {
    case 'song.insert':
      return isString(w['songId']) && isString(w['bandId']) && typeof w['fields'] === 'object';
    case 'song.update':
      return (
        isString(w['songId']) &&
        isString(w['bandId']) &&
        typeof w['baseVersion'] === 'number' &&
        typeof w['fields'] === 'object'
      );
    case 'song.delete':
      return isString(w['songId']) && isString(w['bandId']) && typeof w['baseVersion'] === 'number';
    case 'band.create':
      return isString(w['bandId']) && isString(w['name']) && isString(w['description']);
    case 'band.join':
      return isString(w['code']);
    default:
      return false;
  }
}

/** Trusts nothing read from disk: another version of the app, or a broken browser, wrote it. */
export function parseEntry(value: unknown, userId: string): OutboxEntry {
  const input = (typeof value === 'object' && value !== null ? value : {}) as Partial<OutboxEntry>;
  const id = typeof input.id === 'string' ? input.id : `corrupt-${crypto.randomUUID()}`;
  const valid = typeof input.order === 'number' && input.userId === userId && isWrite(input.write);
  if (valid) {
    const entry = { ...(input as OutboxEntry), record: recordOf(input.write as Write) };
    // A write cut off mid-send (the worker died) is sent again; replay makes that safe.
    return entry.status === 'sending' ? { ...entry, status: 'pending' } : entry;
  }
  return {
    id,
    order: typeof input.order === 'number' ? input.order : 0,
    userId,
    // What it was cannot be trusted; the entry stays visible (failed) until dismissed.
    write: { kind: 'song.insert', songId: '', bandId: '', fields: { title: '(unreadable change)' } },
    record: `corrupt:${id}`,
    status: 'failed',
    attempts: typeof input.attempts === 'number' ? input.attempts : 0,
    notBefore: 0,
    error: { code: 'corrupt_entry', message: 'This queued change could not be read and was not sent.' },
    theirs: undefined,
    createdAt: typeof input.createdAt === 'number' ? input.createdAt : 0,
  };
}
