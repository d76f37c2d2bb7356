// One band's change log delivered exactly once and in seq order, for the baseline pages: the same
// rule the broker follows (worker/core/band-sequence.ts), so the comparison is like for like.
// Events before the head is known wait; a gap is filled from REST; duplicates are dropped.
import { EVENTS_PAGE } from '../../contract/protocol.js';
import type { BandEvent } from '../../contract/schema.js';
import { syncLog } from '../../worker/core/log-sync.js';

export class Sequencer {
  private last: number | undefined;
  private readonly pending = new Map<number, BandEvent>();
  private filling = false;
  private fillAgain = false;
  duplicates = 0;

  constructor(
    private readonly fetchAfter: (after: number) => Promise<BandEvent[]>,
    private readonly deliver: (event: BandEvent) => void,
  ) {}

  get lastSeq(): number | undefined {
    return this.last;
  }

  /** The head is known (read after subscribing, or told by the leader): deliver what follows it. */
  start(head: number): void {
    if (this.last !== undefined) return;
    this.last = head;
    this.receive([]);
  }

  receive(events: readonly BandEvent[]): void {
    for (const event of events) {
      if ((this.last !== undefined && event.seq <= this.last) || this.pending.has(event.seq)) {
        this.duplicates++;
        continue;
      }
      this.pending.set(event.seq, event);
    }
    if (this.last === undefined) return;
    for (let next = this.pending.get(this.last + 1); next; next = this.pending.get(this.last + 1)) {
      this.pending.delete(next.seq);
      this.last = next.seq;
      this.deliver(next);
    }
    if (this.pending.size > 0) void this.catchUp();
  }

  /**
   * Reads everything after the last delivered seq with the broker's own sync step (page by page,
   * retried as the tab's resume is); one read at a time, repeated if asked meanwhile.
   */
  async catchUp(): Promise<void> {
    if (this.filling) {
      this.fillAgain = true;
      return;
    }
    this.filling = true;
    try {
      do {
        this.fillAgain = false;
        const last = this.last;
        if (last === undefined) continue;
        await syncLog(
          {
            read: (after) => this.fetchAfter(after),
            apply: (page) => this.receive(page),
            position: () => this.last ?? last,
            current: () => true,
            retryPause: (failures) => Math.min(5000, 250 * 2 ** (failures - 1)),
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          },
          EVENTS_PAGE,
        );
      } while (this.fillAgain);
    } finally {
      this.filling = false;
    }
  }
}
