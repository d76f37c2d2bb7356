// Band events bound for each tab, gathered until the task that produced them is over and then
// handed on as one list per tab, in the order they came: a catch-up page of 500 events, or a frame
// that fills a gap, crosses to a tab as one message instead of 500. When the burst is over is
// `schedule`'s to say (a microtask in the broker, so nothing waits on a timer; by hand in tests).
import type { BandBusEvent } from '../contract/protocol.js';

/** What one tab gets at the end of a burst: its events in order, and when the first of them came. */
export type Burst = { events: BandBusEvent[]; firstAt: number | undefined };

export class TabBursts {
  private pending = new Map<string, Burst>();

  constructor(
    private readonly send: (tabId: string, burst: Burst) => void,
    // Called through a wrapper: browsers refuse queueMicrotask called with another `this`.
    private readonly schedule: (flush: () => void) => void = (flush) => queueMicrotask(flush),
  ) {}

  /** Queues `event` for each of `tabIds`; `at` is when it reached the broker, if stamped. */
  add(tabIds: Iterable<string>, event: BandBusEvent, at: number | undefined): void {
    for (const tabId of tabIds) {
      if (this.pending.size === 0) this.schedule(() => this.flush());
      const burst = this.pending.get(tabId);
      if (burst) burst.events.push(event);
      else this.pending.set(tabId, { events: [event], firstAt: at });
    }
  }

  /** Forgets what waits for a tab that is gone. */
  drop(tabId: string): void {
    this.pending.delete(tabId);
  }

  private flush(): void {
    const bursts = this.pending;
    this.pending = new Map();
    for (const [tabId, burst] of bursts) this.send(tabId, burst);
  }
}
