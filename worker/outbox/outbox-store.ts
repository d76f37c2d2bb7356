// The outbox on disk: one IndexedDB database per browser profile, entries keyed by id and indexed
// by user, so it survives reloads, closed tabs and browser restarts. Stored entries are read
// back through `parseEntry`: a corrupt or older-format entry becomes a visible failed entry,
// never a silent drop.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { parseWrite } from '../validate.js';
import { BatchBuilder, foldIntoQueue, nextWake, recordOf } from './outbox-queue.js';
import { OUTBOX_DATABASE } from '../../contract/names.js';
import type { OutboxEntry, OutboxStatus, Write } from '../../contract/writes.js';

interface OutboxSchema extends DBSchema {
  entries: {
    key: string;
    value: OutboxEntry;
    indexes: { byUser: string; byRecord: [string, string]; byOrder: [string, number] };
  };
  counters: { key: string; value: number };
}

const DB_VERSION = 2;
/** Entries read beyond a full batch per page: room for ones that are skipped (in flight, failed). */
const TAKE_PAGE_SLACK = 16;

export class OutboxStore {
  /** Corrupt records stored under a key that is not an id string: the id shown → the real key. */
  private readonly foreignKeys = new Map<string, IDBValidKey>();

  private constructor(private readonly db: IDBPDatabase<OutboxSchema>) {}

  static async open(): Promise<OutboxStore> {
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
    return new OutboxStore(db);
  }

  async load(userId: string): Promise<OutboxEntry[]> {
    const stored: unknown[] = await this.db.getAllFromIndex('entries', 'byUser', userId);
    return stored
      .map((value) => {
        const entry = parseEntry(value, userId);
        const key = (value as { id: IDBValidKey }).id;
        if (key !== entry.id) this.foreignKeys.set(entry.id, key);
        return entry;
      })
      .sort((a, b) => a.order - b.order);
  }

  /**
   * Queues a write in one transaction (read the record's entries, fold into an unsent write,
   * store), so tabs enqueueing at once and the drainer taking the next entry never interleave.
   */
  async add(userId: string, make: (order: number) => OutboxEntry): Promise<OutboxEntry[]> {
    // Strict: when write() answers, the change is on disk. Chromium's default (relaxed) reports a
    // commit before it is flushed, and a browser closed right after lost queued writes in tests.
    const tx = this.db.transaction(['entries', 'counters'], 'readwrite', { durability: 'strict' });
    const entries = tx.objectStore('entries');
    const counters = tx.objectStore('counters');
    const order = ((await counters.get('order')) ?? 0) + 1;
    await counters.put(order, 'order');
    const entry = make(order);
    const sameRecord = (await entries.index('byRecord').getAll([userId, entry.record])) as unknown[];
    const { put, remove } = foldIntoQueue(
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
      // The schema says string keys; a foreign one is deleted by what it really is.
      ...remove.map((id) => tx.store.delete((this.foreignKeys.get(id) ?? id) as string)),
      tx.done,
    ]);
  }

  close(): void {
    this.db.close();
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The same JSON whatever the key order; anything but plain data (a Map, a class) reads as what it is. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return Object.prototype.toString.call(v);
    return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)));
  });

/** A write a tab could have queued: the boundary's validator takes it as it is, unchanged. */
function readWrite(value: unknown): Write | undefined {
  try {
    const write = parseWrite(value);
    return canonical(write) === canonical(value) ? write : undefined;
  } catch {
    return undefined;
  }
}

const STATUSES: ReadonlySet<unknown> = new Set<OutboxStatus>([
  'pending',
  'sending',
  'confirmed',
  'conflict',
  'failed',
]);
const isCount = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;
/** A row the user may re-base on ("keep mine" reads its version). */
const isRow = (value: unknown): boolean =>
  isObject(value) && Number.isSafeInteger(value['version']) && (value['version'] as number) >= 1;

/** Everything the queue, the drainer and the views rely on; entries of the first version had no `record` yet. */
function isEntry(input: Record<string, unknown>, userId: string): boolean {
  const { id, order, status, attempts, notBefore, createdAt, error, theirs, result, band } = input;
  return (
    typeof id === 'string' &&
    id !== '' &&
    Number.isFinite(order) &&
    input['userId'] === userId &&
    readWrite(input['write']) !== undefined &&
    STATUSES.has(status) &&
    isCount(attempts) &&
    Number.isFinite(notBefore) &&
    Number.isFinite(createdAt) &&
    (error === undefined ||
      (isObject(error) && typeof error['code'] === 'string' && typeof error['message'] === 'string')) &&
    (theirs === undefined || theirs === null || isRow(theirs)) &&
    (result === undefined || isRow(result)) &&
    (band === undefined || isObject(band))
  );
}

/**
 * The id a corrupt entry is shown and dismissed under: its key when that is a usable id, else
 * text made from the key, the same on every read (the store maps it back to delete the record).
 */
function corruptId(key: unknown): string {
  if (typeof key === 'string' && key !== '') return key;
  // Only IndexedDB keys (numbers, strings, dates, arrays, bytes) can be stored; anything else is just its type.
  const text = (k: unknown): string => {
    if (typeof k === 'number' || typeof k === 'string') return `${typeof k}:${k}`;
    if (k instanceof Date) return `date:${k.getTime()}`;
    if (Array.isArray(k)) return `[${k.map(text).join(',')}]`;
    if (k instanceof ArrayBuffer) return `bytes:${new Uint8Array(k).join('.')}`;
    if (ArrayBuffer.isView(k))
      return `bytes:${new Uint8Array(k.buffer, k.byteOffset, k.byteLength).join('.')}`;
    return typeof k;
  };
  return `corrupt-${text(key)}`;
}

/** Trusts nothing read from disk: another version of the app, or a broken browser, wrote it. */
export function parseEntry(value: unknown, userId: string): OutboxEntry {
  const input = isObject(value) ? value : {};
  if (isEntry(input, userId)) {
    const entry = input as unknown as OutboxEntry;
    const read = { ...entry, record: recordOf(entry.write), error: entry.error, theirs: entry.theirs };
    // A write cut off mid-send (the worker died) is sent again; replay makes that safe.
    return read.status === 'sending' ? { ...read, status: 'pending' } : read;
  }
  const id = corruptId(input['id']);
  return {
    id,
    order: Number.isFinite(input['order']) ? (input['order'] as number) : 0,
    userId,
    // What it was cannot be trusted; the entry stays visible (failed) until dismissed.
    write: { kind: 'song.insert', songId: '', bandId: '', fields: { title: '(unreadable change)' } },
    record: `corrupt:${id}`,
    status: 'failed',
    attempts: isCount(input['attempts']) ? (input['attempts'] as number) : 0,
    notBefore: 0,
    error: { code: 'corrupt_entry', message: 'This queued change could not be read and was not sent.' },
    theirs: undefined,
    createdAt: Number.isFinite(input['createdAt']) ? (input['createdAt'] as number) : 0,
  };
}
