// Where one profile's outbox is kept, behind one interface: IndexedDB in browsers
// (idb-outbox-store.ts), memory in Node tests (memory-outbox-store.ts). Both read every stored
// value back through parseEntry (stored-entry.ts) and decide with the pure outbox-queue.ts, so
// the drainer behaves the same over either. Several contexts may share one store: each operation
// is atomic on its own.
import type { OutboxEntry } from '../../contract/writes.js';
import { InvalidArgument } from '../validate.js';

/** What queueing a write did to the outbox. */
export interface Added {
  stored: OutboxEntry[];
  dropped: OutboxEntry[];
}

/** A write queued under an entry id another user's entry has: a bug or a forgery, refused. */
export class EntryIdTaken extends InvalidArgument {
  constructor(id: string) {
    super(`entryId ${id} belongs to another user's queued write; make a new one`);
  }
}

export interface OutboxStore {
  /** Every entry of the user, in enqueue order. */
  load(userId: string): Promise<OutboxEntry[]>;
  /**
   * Queues the entry `make` builds (with id `id`) with the next enqueue order, folded into an unsent
   * write to the same record where that keeps the meaning (foldIntoQueue), in one step: entries
   * added at once and the drainer taking the next batch never interleave. Returns the entries
   * stored and the unsent ones the fold dropped (a delete undone, an insert deleted). An id the user's outbox holds already is the same write sent again (a tab's call
   * repeated to a new worker): it answers that entry as it stands and queues nothing. An id of
   * another user's entry is refused (EntryIdTaken), never overwritten.
   */
  add(userId: string, id: string, make: (order: number) => OutboxEntry): Promise<Added>;
  /** Marks the next batch of sendable entries (see nextBatch) `sending` and returns it, atomically. */
  takeBatch(userId: string, now: number, max: number): Promise<OutboxEntry[]>;
  /** When the oldest write's backoff ends, if the queue is waiting on one (see nextWake). */
  wakeTime(userId: string, now: number): Promise<number | undefined>;
  /** Back online: entries waiting out a backoff may go at once. */
  clearBackoff(userId: string): Promise<void>;
  /** Stores `put` and deletes the entries `remove` names, together. */
  apply(put: readonly OutboxEntry[], remove?: readonly string[]): Promise<void>;
  /** The context is done with the store (sign-out): its connection closes. */
  close(): void;
}
