// This user's outbox as one tab knows it, from two sources that disagree in time: answers to calls
// (`outbox()`, `write()`) carry entries as they were when the broker read them, while
// `outbox:changed` events arrive in order over another channel, sometimes before the answer.
// Once an event has spoken of an entry, the events own it: an answer read earlier must not bring
// back an entry already confirmed and removed, or move one back to an older status.
import type { OutboxEntry } from '../../client/index.js';

export class OutboxMirror {
  private readonly current = new Map<string, OutboxEntry>();
  /** Ids some event has spoken of (removed ones included). */
  private readonly heard = new Set<string>();

  /** An `outbox:changed` event. */
  changed(entry: OutboxEntry, removed: boolean): void {
    this.heard.add(entry.id);
    if (removed) this.current.delete(entry.id);
    else this.current.set(entry.id, entry);
  }

  /** Entries from a call's answer: taken only where no event has spoken of them yet. */
  learned(entries: Iterable<OutboxEntry>): void {
    for (const entry of entries) {
      // A confirmed write has left the outbox (write() answers one for an insert then deleted unsent).
      if (!this.heard.has(entry.id) && entry.status !== 'confirmed') this.current.set(entry.id, entry);
    }
  }

  get(id: string): OutboxEntry | undefined {
    return this.current.get(id);
  }

  values(): OutboxEntry[] {
    return [...this.current.values()];
  }
}
