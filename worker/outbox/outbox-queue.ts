// The outbox's decisions, pure: what a write becomes when queued behind others for the same
// record, which entry drains next, and what each replay outcome does to the entry. Storage
// (IndexedDB) and the network live elsewhere and call in here.
import { nextRetryDelay, type BackoffPolicy } from '../core/backoff.js';
import type { Band, Song } from '../../contract/schema.js';
import { isSongWrite, type OutboxEntry, type Write } from '../../contract/writes.js';

export type Outcome =
  | { kind: 'confirmed'; row: Song | undefined; band?: Band }
  | { kind: 'conflict'; theirs: Song | null }
  | { kind: 'failed'; code: string; message: string }
  /** Network error, 5xx, expired token: try again later. */
  | { kind: 'retry'; message: string };

/** What a write is to: writes to one record apply in order, one at a time. */
export function recordOf(write: Write): string {
  switch (write.kind) {
    case 'band.create':
      return `band:${write.bandId}`;
    case 'band.join':
      return `join:${write.code}`;
    default:
      return write.songId;
  }
}
const isOpen = (entry: OutboxEntry): boolean => entry.status === 'pending' || entry.status === 'sending';

/**
 * Folds a new write into an unsent one for the same record when that keeps the meaning (edit
 * after edit, edit after insert, delete after insert). Returns the entries to store and to drop.
 */
export function foldIntoQueue(
  queue: readonly OutboxEntry[],
  entry: OutboxEntry,
): { put: OutboxEntry[]; remove: string[] } {
  const earlier = [...queue]
    .reverse()
    .find((e) => recordOf(e.write) === recordOf(entry.write) && e.status === 'pending' && e.attempts === 0);
  const write = entry.write;
  if (earlier && write.kind === 'song.update') {
    if (earlier.write.kind === 'song.insert' || earlier.write.kind === 'song.update') {
      const merged = { ...earlier.write, fields: { ...earlier.write.fields, ...write.fields } } as Write;
      return { put: [{ ...earlier, write: merged }], remove: [] };
    }
  }
  if (earlier && write.kind === 'song.delete' && earlier.write.kind === 'song.insert') {
    // Created and deleted before either left the device: nothing to send.
    return { put: [], remove: [earlier.id] };
  }
  if (earlier && write.kind === 'band.join') {
    // The same code twice before it was sent: one join.
    return { put: [earlier], remove: [] };
  }
  if (earlier && write.kind === 'song.restore' && earlier.write.kind === 'song.delete') {
    // Deleted and undone before the delete left the device: nothing to send.
    return { put: [], remove: [earlier.id] };
  }
  if (earlier && write.kind === 'song.delete' && earlier.write.kind === 'song.update') {
    return { put: [{ ...earlier, write: { ...write, baseVersion: earlier.write.baseVersion } }], remove: [] };
  }
  return { put: [chainAfter(queue, entry)], remove: [] };
}

/** The version a record will have once its open writes apply: inserts make 1, updates add 1. */
function expectedVersion(write: Write): number {
  return 'baseVersion' in write ? write.baseVersion + 1 : 1;
}

/**
 * A write queued behind an open write to the same record is based on the version that write will
 * produce, not the one the tab saw: otherwise the log would show the earlier write at base + 1
 * and "confirm" this one without applying it.
 */
function chainAfter(queue: readonly OutboxEntry[], entry: OutboxEntry): OutboxEntry {
  const write = entry.write;
  if (write.kind === 'song.insert') return entry;
  if (!isSongWrite(write)) return entry;
  const open = [...queue].reverse().find((e) => recordOf(e.write) === write.songId && isOpen(e));
  if (!open) return entry;
  return {
    ...entry,
    write: { ...write, baseVersion: Math.max(write.baseVersion, expectedVersion(open.write)) },
  };
}

/**
 * The entry that goes next once its backoff (if any) is over: the oldest pending one that no
 * earlier open or conflicted write to the same record is waiting in front of. Failed entries block
 * nothing; a conflict blocks only its own record until the user chooses. A write backing off after
 * a network error holds the whole queue: the network is down for all of them, and the first to go
 * when it returns must be the oldest, or writes would land in the order their backoffs happened to end.
 */
function headOf(queue: readonly OutboxEntry[]): OutboxEntry | undefined {
  const sorted = [...queue].sort((a, b) => a.order - b.order);
  const blocked = new Set<string>();
  for (const entry of sorted) {
    const record = recordOf(entry.write);
    if (entry.status === 'pending' && !blocked.has(record)) return entry;
    if (isOpen(entry) || entry.status === 'conflict') blocked.add(record);
  }
  return undefined;
}

/**
 * Entries to send in one request: the next one and, when it is an insert, the inserts that would
 * be sent right after it (PostgREST takes many rows in one upsert). Updates and deletes go alone:
 * each carries its own version check.
 */
export function nextBatch(queue: readonly OutboxEntry[], now: number, max: number): OutboxEntry[] {
  const builder = new BatchBuilder(now, max);
  for (const entry of [...queue].sort((a, b) => a.order - b.order)) if (!builder.offer(entry)) break;
  return builder.batch;
}

/**
 * nextBatch one entry at a time, in enqueue order, so the store can walk its order index and stop
 * early instead of reading the whole queue. Same rules as headOf: an entry taken into the batch
 * blocks its record like any write in flight, and the batch ends at a write still backing off,
 * at a write that must go alone, or where the kind changes.
 */
export class BatchBuilder {
  readonly batch: OutboxEntry[] = [];
  private readonly blocked = new Set<string>();

  constructor(
    private readonly now: number,
    private readonly max: number,
  ) {}

  /** False once the batch is complete: offer nothing more. */
  offer(entry: OutboxEntry): boolean {
    const record = recordOf(entry.write);
    if (entry.status === 'pending' && !this.blocked.has(record)) {
      if (entry.notBefore > this.now) return false;
      const isInsert = entry.write.kind === 'song.insert';
      if (this.batch.length > 0 && !isInsert) return false;
      this.batch.push(entry);
      if (!isInsert || this.batch.length >= this.max) return false;
      this.blocked.add(record);
    } else if (isOpen(entry) || entry.status === 'conflict') {
      this.blocked.add(record);
    }
    return true;
  }
}

/** The earliest time a backed-off entry may be sent, for the drainer's one timer. */
export function nextWake(queue: readonly OutboxEntry[], now: number): number | undefined {
  const head = headOf(queue);
  return head && head.notBefore > now ? head.notBefore : undefined;
}

export function afterOutcome(
  entry: OutboxEntry,
  outcome: Outcome,
  now: number,
  random: number,
  policy: BackoffPolicy,
): OutboxEntry {
  const attempts = entry.attempts + 1;
  switch (outcome.kind) {
    case 'confirmed':
      return {
        ...entry,
        attempts,
        status: 'confirmed',
        error: undefined,
        result: outcome.row,
        band: outcome.band,
      };
    case 'conflict':
      return { ...entry, attempts, status: 'conflict', theirs: outcome.theirs, error: undefined };
    case 'failed':
      return {
        ...entry,
        attempts,
        status: 'failed',
        error: { code: outcome.code, message: outcome.message },
      };
    case 'retry': {
      // Retries never give up: a queued write waits for the network as long as it takes.
      const delay = nextRetryDelay(Math.min(attempts, 30), () => random, policy);
      return {
        ...entry,
        attempts,
        status: 'pending',
        notBefore: now + delay,
        error: { code: 'retrying', message: outcome.message },
      };
    }
  }
}

/**
 * "Keep mine" after a conflict: the same change, re-based on the version the other member left.
 * An edit to a song they deleted restores it. Undefined when there is nothing to re-base on (the
 * row is gone): only "Refresh" applies then.
 */
export function keepMine(entry: OutboxEntry): OutboxEntry | undefined {
  const { write, theirs } = entry;
  if (!isSongWrite(write) || write.kind === 'song.insert' || !theirs) return undefined;
  const baseVersion = theirs.version;
  const rebased: Write =
    write.kind === 'song.delete' || write.kind === 'song.restore'
      ? { ...write, baseVersion }
      : {
          ...write,
          baseVersion,
          fields: theirs.deleted_at ? { ...write.fields, deleted_at: null } : write.fields,
        };
  return {
    ...entry,
    write: rebased,
    status: 'pending',
    attempts: 0,
    notBefore: 0,
    error: undefined,
    theirs: undefined,
  };
}
