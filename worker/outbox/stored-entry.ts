// Outbox entries read from anywhere this context did not just make them: a store (another version
// of the app, another context or a broken browser may have written what is there) and the outbox
// channel (any page of the origin may post there). Nothing is trusted: `parseEntry` turns any
// stored value into a well-formed entry or a visible failed one, never a silent drop, and every
// store reads through it; `readEntry` takes a broadcast entry only when it is well-formed as it is.
import { parseWrite } from '../validate.js';
import { recordOf } from './outbox-queue.js';
import type { OutboxEntry, OutboxStatus, Write } from '../../contract/writes.js';

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

/**
 * A well-formed entry of `userId` as it stands (a broadcast one may be mid-send), or undefined.
 * Its record must be the one its write makes: only entries of the first stored version lack it.
 */
export function readEntry(value: unknown, userId: string): OutboxEntry | undefined {
  if (!isObject(value) || !isEntry(value, userId)) return undefined;
  const entry = value as unknown as OutboxEntry;
  if (entry.record !== recordOf(entry.write)) return undefined;
  return { ...entry, error: entry.error, theirs: entry.theirs };
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
