// The heads check's effects: its one timer, its one request at a time (band_heads, through the
// band log), and what it finds handed to the band feed, whose catch-up fetches what the socket
// lost. When to check is decided in core/heads-schedule.ts.
import type { Heartbeat } from './connection.js';
import type { Clock } from './environment.js';
import {
  HEADS_OFF,
  reduceHeads,
  wakeAt,
  type HeadsEvent,
  type HeadsPolicy,
  type HeadsState,
} from './core/heads-schedule.js';

/** The bands to check and what to do with their heads: the band feed. */
export interface HeadsFollower {
  liveBands(): string[];
  headsSeen(heads: ReadonlyMap<string, number>): void;
}

/** One read of many bands' heads: the band log. */
export interface HeadsReader {
  heads(bandIds: string[]): Promise<Map<string, number>>;
}

export class HeadsCheck {
  private state: HeadsState = HEADS_OFF;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The request in flight; a check that begins meanwhile (the socket went down and up) waits for it. */
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly policy: HeadsPolicy,
    private readonly clock: Clock,
    private readonly feed: HeadsFollower,
    private readonly reader: HeadsReader,
  ) {}

  /** The socket is live (joined, or joined again). */
  live(): void {
    this.dispatch({ type: 'live', at: this.clock.now() });
  }

  /** The socket is down, or the user signed out. */
  down(): void {
    this.dispatch({ type: 'down' });
  }

  suspicious(reason: 'visible' | 'online'): void {
    this.dispatch({ type: 'suspicious', reason, at: this.clock.now() });
  }

  heartbeat(beat: Heartbeat): void {
    const at = this.clock.now();
    this.dispatch(
      beat.type === 'sent'
        ? { type: 'heartbeat-sent', at }
        : { type: 'heartbeat-answered', at, latencyMs: beat.latencyMs },
    );
  }

  private dispatch(event: HeadsEvent): void {
    const previous = this.state;
    const next = reduceHeads(previous, event, this.policy);
    // A timer can fire a millisecond before Date.now reaches its time (two clocks): that tick
    // changes nothing, but it spent the timer, which must be set again.
    if (next === previous && event.type !== 'tick') return;
    this.state = next;
    if (next.kind === 'checking' && previous.kind !== 'checking') this.check();
    clearTimeout(this.timer);
    const at = wakeAt(next);
    if (at !== undefined)
      this.timer = setTimeout(
        () => this.dispatch({ type: 'tick', at: this.clock.now() }),
        Math.max(0, at - this.clock.now()),
      );
  }

  private check(): void {
    this.reading = this.reading.then(async () => {
      const bands = this.feed.liveBands();
      try {
        if (bands.length > 0) this.feed.headsSeen(await this.reader.heads(bands));
      } catch {
        // The log unreachable: nothing was compared, so the check goes again shortly. A socket
        // that is really dead fails its heartbeat and catches every band up on rejoin.
        return this.dispatch({ type: 'check-failed', at: this.clock.now() });
      }
      this.dispatch({ type: 'checked', at: this.clock.now() });
    });
  }
}
