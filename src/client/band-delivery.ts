// Which bands this tab watches and what it has delivered of each: every band event exactly once,
// in seq order, across broker replacements. A replaced worker generation may still publish for a
// moment, and a new one starts from its own head, so the tab keeps its own last seq per band,
// drops repeats, and after a move fetches the gap itself (holding the new broker's live events
// until the gap is filled). It takes the bus's band events and hands what the app should hear,
// in order, to its output (app-events.ts). Knows nothing of transports: the client hands it a fetch.
import type { BandEvent } from '../../contract/schema.js';
import { assertNever } from '../../contract/assert-never.js';
import { EVENTS_PAGE, type BandBusEvent, type BandLive, type BusEvent } from '../../contract/protocol.js';
import { syncLog, type SyncResult } from '../../worker/core/log-sync.js';

/** A band being resumed on a new broker: its live events wait here until the gap is filled. */
interface Resume {
  held: BandEvent[];
  /** The gap read ahead of the band going live on the new broker (readAhead), if it was. */
  ahead?: Promise<unknown>;
}

/** The events about one band (contract/protocol.ts): band delivery takes these, the app events the rest. */
export type { BandBusEvent };

export const isBandBusEvent = (event: BusEvent): event is BandBusEvent =>
  event.type === 'band:event' || event.type === 'band:live' || event.type === 'band:caught-up';

/** Where delivery hands on what the app should hear of the bands this tab watches. */
export interface DeliveryOutput {
  /** A band event, in order and once. */
  bandEvent(event: BandEvent): void;
  /** A watched band is subscribed and caught up in the broker. */
  bandLive(live: Pick<BandLive, 'bandId' | 'lastSeq'>): void;
  /** The broker fetched a watched band's missed events after a (re)subscribe or a gap. */
  bandCaughtUp(caughtUp: { bandId: string; count: number }): void;
}

/** Where a resume reads the log from. */
export interface LogSource {
  /** The band's events after `seq`, one page (up to EVENTS_PAGE), from whichever broker is current. */
  eventsAfter: (bandId: string, seq: number) => Promise<BandEvent[]>;
  /** Whether a failed fetch means the user lost the band: then the resume ends. */
  lostBand: (error: unknown) => boolean;
}

/**
 * Pause after the n-th failed fetch of a resume: 250 ms doubling to 5 s, never giving up. Written
 * out rather than through worker/core/backoff.ts: importing it puts a shared chunk (+0.16 KB gzip)
 * into every tab's bundle.
 */
export const resumePause = (failures: number): number => Math.min(5000, 250 * 2 ** (failures - 1));

export class BandDelivery {
  /** Watches per band in this tab (a band page and a list may both watch one). */
  private readonly watches = new Map<string, number>();
  /** Per watched band, the last seq this tab delivered. */
  private readonly lastSeq = new Map<string, number>();
  private readonly resuming = new Map<string, Resume>();

  constructor(
    private readonly output: DeliveryOutput,
    private readonly source: LogSource,
  ) {}

  /** One more watch of the band. */
  watch(bandId: string): void {
    this.watches.set(bandId, (this.watches.get(bandId) ?? 0) + 1);
  }

  /** One watch fewer; true when it was the last, and the band is forgotten. */
  unwatch(bandId: string): boolean {
    const left = (this.watches.get(bandId) ?? 1) - 1;
    if (left > 0) {
      this.watches.set(bandId, left);
      return false;
    }
    this.watches.delete(bandId);
    this.lastSeq.delete(bandId);
    this.resuming.delete(bandId);
    return true;
  }

  isWatched(bandId: string): boolean {
    return this.watches.has(bandId);
  }

  bands(): string[] {
    return [...this.watches.keys()];
  }

  /** The broker says the band is live at `seq`: this tab's stream starts there unless it has one. */
  live(bandId: string, seq: number): void {
    if (this.watches.has(bandId) && !this.lastSeq.has(bandId)) this.lastSeq.set(bandId, seq);
  }

  /**
   * A band's event. The broker sends a tab only its watched bands' events, but one may still be on
   * its way after an unwatch, or come from a replaced worker: a tab hears only the bands it watches.
   */
  received(event: BandBusEvent): void {
    switch (event.type) {
      case 'band:event':
        return this.receivedEvent(event.event);
      case 'band:live':
        if (!this.watches.has(event.bandId)) return;
        this.live(event.bandId, event.lastSeq);
        return this.output.bandLive({ bandId: event.bandId, lastSeq: event.lastSeq });
      case 'band:caught-up':
        if (this.watches.has(event.bandId))
          this.output.bandCaughtUp({ bandId: event.bandId, count: event.count });
        return;
      default:
        assertNever(event);
    }
  }

  /**
   * A new broker is taking over: from now on the band's live events are held. Call `resume` once
   * the band is live there (or its watch failed: the gap is owed either way). Undefined for a band
   * this tab has delivered nothing of yet: the new broker's head is its start.
   */
  holdLiveEvents(bandId: string): (() => Promise<void>) | undefined {
    if (!this.lastSeq.has(bandId)) return undefined;
    // A newer resume of the band (after another replacement) supersedes this one.
    const resume: Resume = { held: [] };
    this.resuming.set(bandId, resume);
    return () => this.resume(bandId, resume);
  }

  /**
   * Reads a held band's gap now, before it is live on the new broker: the missed events are in
   * the log already, and waiting for the band to go live there waits for its snapshot, socket and
   * join first. One pass that gives up at the first failure; `resume` then reads only what is left.
   */
  readAhead(bandId: string): void {
    const resume = this.resuming.get(bandId);
    if (resume && !resume.ahead) resume.ahead = this.fill(bandId, resume, () => undefined);
  }

  private receivedEvent(event: BandEvent): void {
    if (!this.watches.has(event.band_id)) return;
    const resume = this.resuming.get(event.band_id);
    if (resume) resume.held.push(event);
    else this.deliver(event);
  }

  /** Delivers unless this tab has had it. */
  private deliver(event: BandEvent): void {
    const last = this.lastSeq.get(event.band_id);
    if (last !== undefined && event.seq <= last) return;
    this.lastSeq.set(event.band_id, event.seq);
    this.output.bandEvent(event);
  }

  /**
   * Fetches what this tab missed since its last event, delivers it in order, then what the new
   * broker sent meanwhile. A failed fetch (the network, a broker replaced again) is retried:
   * releasing the held events over a gap would skip it for good. Only a band the user lost, or a
   * newer resume, ends it early.
   */
  private async resume(bandId: string, resume: Resume): Promise<void> {
    await resume.ahead;
    const result = await this.fill(bandId, resume, (failures, error) =>
      this.source.lostBand(error) ? undefined : resumePause(failures),
    );
    if (result.kind === 'superseded') return;
    this.resuming.delete(bandId);
    resume.held.sort((a, b) => a.seq - b.seq).forEach((event) => this.deliver(event));
  }

  /** Delivers the log after this tab's last event until it meets the held events or ends. */
  private fill(
    bandId: string,
    resume: Resume,
    retryPause: (failures: number, error: unknown) => number | undefined,
  ): Promise<SyncResult> {
    const position = (): number => this.lastSeq.get(bandId) ?? 0;
    return syncLog(
      {
        read: (after) => this.source.eventsAfter(bandId, after),
        apply: (page) => page.forEach((event) => this.deliver(event)),
        position,
        current: () => this.resuming.get(bandId) === resume,
        // The new broker's live events already start right after this tab's last: no gap left.
        reached: () => resume.held.some((event) => event.seq === position() + 1),
        retryPause,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      },
      EVENTS_PAGE,
    );
  }
}
