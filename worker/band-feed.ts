// Every band this user's socket is subscribed to: its phase (core/band-lifecycle.ts), its delivery
// order (core/band-sequence.ts), its rows (core/band-rows.ts: the band cache a watch answers
// with), the catch-up that fills what the socket did not bring (the log over REST, through
// core/log-sync.ts), the tabs' log reads, and the channels that carry the bands
// (band-channels.ts). Live events and catch-up pages both reach the tabs from here, each seq once
// and in order, and move the band's rows on in that same order. Which bands to subscribe is
// decided elsewhere (band-interest.ts).
import type { JoinGate } from './core/join-pacing.js';
import type { BandEvent } from '../contract/schema.js';
import { EVENTS_PAGE, type BandDiagnostics, type BandLive, type BandRows } from '../contract/protocol.js';
import { BandChannels, type MembershipListener, type ShardListener } from './band-channels.js';
import type { BandLog } from './band-log.js';
import type { SocketAttempt } from './connection.js';
import { backoffCeiling, type BackoffPolicy } from './core/backoff.js';
import {
  JOINING,
  reduceBand,
  statusOf,
  type BandLifecycleEvent,
  type BandPhase,
} from './core/band-lifecycle.js';
import { applyBandEvent, type BandSnapshot } from './core/band-rows.js';
import { BandSequence } from './core/band-sequence.js';
import { syncLog } from './core/log-sync.js';
import type { UserBus } from './fanout.js';
import { BrokerFailure } from './validate.js';

/** Pause before catching up again when a pass left a hole, so a stuck hole cannot spin. */
const CATCH_UP_RETRY_MS = 250;
/** Pauses after failed catch-ups (the log unreachable): 500 ms doubling to 10 s, never giving up. */
const CATCH_UP_BACKOFF: BackoffPolicy = {
  baseMs: 2 * CATCH_UP_RETRY_MS,
  factor: 2,
  capMs: 10_000,
  maxAttempts: Infinity,
};

/** A watch RLS refuses: the band's log is invisible to this user. */
export class BandRefused extends BrokerFailure {
  constructor(bandId: string) {
    super('not_member', `not a member of band ${bandId}`);
  }
}

/** Told of every band event delivered to the tabs (the broker's event rate). */
export interface DeliveryMeter {
  delivered(): void;
}

/** Told when a subscribed band's own row changed or the band was deleted (the band list). */
export interface BandRowListener {
  bandChanged(rows: BandRows): void;
}

/** What the feed reads of the log (band-log.ts). */
export type BandReads = Pick<BandLog, 'snapshot' | 'after' | 'pageForTabs'>;

/**
 * A band's rows, kept from its snapshot on. `unreadable` once an event's record did not parse (a
 * server out of step with this broker): the events still reach the tabs, but the rows would be
 * wrong, so watches are refused with the reason until the band is subscribed afresh.
 */
type KeptRows = { kind: 'kept'; rows: BandRows } | { kind: 'unreadable'; reason: string };

/** How many tabs watch a band, for diagnostics. */
export interface Watchers {
  watchers(bandId: string): number;
}

interface Waiter {
  resolve(live: BandLive): void;
  reject(error: Error): void;
}

/** A subscribe reading its band's snapshot, and the watches waiting for it. */
interface Subscribing {
  reading: Promise<BandSnapshot | null>;
  waiters: Waiter[];
}

interface Band {
  phase: BandPhase;
  sequence: BandSequence<BandEvent>;
  /** Standing at `sequence.last`: each delivered event moves both. */
  rows: KeptRows;
  catchUps: number;
  delivered: number;
  duplicates: number;
  waiters: Waiter[];
}

export class BandFeed implements ShardListener {
  private readonly bands = new Map<string, Band>();
  private readonly channels: BandChannels;
  /**
   * Bands whose snapshot is being read for a subscribe: later watches wait for that one read (20
   * tabs moving to a new worker at once read it once), and so does rowsNow.
   */
  private readonly subscribing = new Map<string, Subscribing>();
  private stopped = false;

  constructor(
    userId: string,
    private readonly log: BandReads,
    private readonly bus: UserBus,
    private readonly meter: DeliveryMeter,
    private readonly rowListener: BandRowListener,
    joins: JoinGate,
  ) {
    this.channels = new BandChannels(userId, this, joins);
  }

  /**
   * Subscribes the band if needed; resolves once it is live, with its rows at its last seq (from
   * memory when live already: no request), rejects with BandRefused if RLS hides it.
   */
  whenLive(bandId: string): Promise<BandLive> {
    const band = this.bands.get(bandId);
    if (band?.phase.kind === 'live')
      return new Promise((resolve, reject) => answer(bandId, band, { resolve, reject }));
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      const pending = this.subscribing.get(bandId);
      if (band) band.waiters.push(waiter);
      else if (pending) pending.waiters.push(waiter);
      else void this.subscribe(bandId, waiter);
    });
  }

  /**
   * The band's rows as the broker has them now, live or not: from memory once its snapshot is in
   * (a watch's subscribe reads it: waiting for that costs no request of its own), else read. So a
   * page shows its band while the socket is down or refused, before the band is live.
   */
  async rowsNow(bandId: string): Promise<BandLive> {
    await this.subscribing.get(bandId)?.reading.catch(() => undefined);
    const band = this.bands.get(bandId);
    if (band) return new Promise((resolve, reject) => answer(bandId, band, { resolve, reject }));
    const snapshot = await this.log.snapshot(bandId);
    if (snapshot === null) throw new BandRefused(bandId);
    return { bandId, lastSeq: snapshot.seq, rows: snapshot.rows };
  }

  /** One page of the band's log for a tab (see BandLog.pageForTabs). */
  eventsAfter(bandId: string, afterSeq: number): Promise<BandEvent[]> {
    return this.log.pageForTabs(bandId, afterSeq, this.bands);
  }

  /** Unsubscribes the band; whoever still waits for it going live hears `reason`. */
  release(bandId: string, reason: Error): void {
    const band = this.bands.get(bandId);
    if (!band) return;
    this.bands.delete(bandId);
    rejectWaiters(band, reason);
    void this.channels.remove(bandId);
  }

  /** A new socket: join its channels for every band (memberships heard by `memberships`). */
  attach(socket: SocketAttempt, memberships: MembershipListener): Promise<void> {
    return this.channels.attach(socket, [...this.bands.keys()], memberships);
  }

  /** The socket went down, and its channels with it. */
  socketLost(): void {
    this.channels.detach();
    for (const [bandId, band] of this.bands) this.move(bandId, band, { type: 'socket-lost' });
  }

  bandEvent(event: BandEvent): void {
    this.receive(event.band_id, [event], false);
  }

  shardLive(bands: string[]): void {
    for (const bandId of bands) this.catchUp(bandId, this.bands.get(bandId)?.sequence.beginCatchUp());
  }

  /** The bands delivering live now: those a heads check compares. */
  liveBands(): string[] {
    return [...this.bands].flatMap(([bandId, band]) => (band.phase.kind === 'live' ? [bandId] : []));
  }

  /**
   * Heads read from the server. A live band behind its head lost events the socket never brought
   * (and nothing after them showed the gap): the same catch-up as for a hole fetches them.
   */
  headsSeen(heads: ReadonlyMap<string, number>): void {
    for (const [bandId, head] of heads) {
      const band = this.bands.get(bandId);
      if (band?.phase.kind === 'live' && head > band.sequence.last)
        this.catchUp(bandId, band.sequence.beginCatchUp());
    }
  }

  /** Signed out: nothing is subscribed any more. */
  stop(): void {
    this.stopped = true;
    for (const band of this.bands.values())
      rejectWaiters(band, new BrokerFailure('no_session', 'signed out'));
    this.bands.clear();
  }

  get channelCount(): number {
    return this.channels.channelCount;
  }

  diagnostics(interest: Watchers): BandDiagnostics[] {
    return [...this.bands].map(([bandId, band]) => ({
      bandId,
      status: statusOf(band.phase),
      watchers: interest.watchers(bandId),
      lastSeq: band.sequence.last,
      catchUps: band.catchUps,
      eventsDelivered: band.delivered,
      duplicatesDropped: band.duplicates,
      channel: this.channels.topicOf(bandId),
    }));
  }

  private async subscribe(bandId: string, first: Waiter): Promise<void> {
    let snapshot: BandSnapshot | null;
    // The rows and their seq before subscribing: anything committed between the two is caught
    // up after. One request, as the head alone took.
    const pending: Subscribing = { reading: this.log.snapshot(bandId), waiters: [first] };
    this.subscribing.set(bandId, pending);
    const rejectAll = (error: Error): void => pending.waiters.forEach((waiter) => waiter.reject(error));
    try {
      snapshot = await pending.reading;
    } catch (error) {
      return rejectAll(error instanceof Error ? error : new Error(String(error)));
    } finally {
      if (this.subscribing.get(bandId) === pending) this.subscribing.delete(bandId);
    }
    if (this.stopped) return rejectAll(new BrokerFailure('no_session', 'signed out'));
    if (snapshot === null) return rejectAll(new BandRefused(bandId));
    // Subscribed meanwhile (released and watched again while this read): join that one.
    const existing = this.bands.get(bandId);
    if (existing?.phase.kind === 'live')
      return pending.waiters.forEach((waiter) => answer(bandId, existing, waiter));
    if (existing) {
      existing.waiters.push(...pending.waiters);
      return;
    }
    const band: Band = {
      phase: JOINING,
      sequence: new BandSequence(snapshot.seq),
      rows: { kind: 'kept', rows: snapshot.rows },
      catchUps: 0,
      delivered: 0,
      duplicates: 0,
      waiters: pending.waiters,
    };
    this.bands.set(bandId, band);
    // Resolves the waiters once live; until then the band rides along with every new socket.
    await this.channels.add([bandId]);
  }

  private receive(bandId: string, events: BandEvent[], fromCatchUp: boolean): void {
    const band = this.bands.get(bandId);
    if (!band) return;
    const result = band.sequence.receive(events);
    band.duplicates += result.duplicates;
    for (const event of result.deliver) {
      band.delivered++;
      this.meter.delivered();
      this.keepRows(band, event);
      this.bus.publish({ type: 'band:event', bandId, event });
    }
    if (!fromCatchUp) this.catchUp(bandId, result.catchUpFrom);
  }

  private catchUp(bandId: string, from: number | undefined): void {
    const band = this.bands.get(bandId);
    // `from` is where the sequence stands (it asked for this pass); undefined: one runs already.
    if (!band || from === undefined) return;
    this.move(bandId, band, { type: 'catch-up-started' });
    void (async () => {
      // The log may be unreachable (REST down, expired token) while the socket is fine: events
      // missed meanwhile would never be fetched if the band went live now. So the sync never
      // gives up; it pauses and reads again from what did arrive.
      const result = await syncLog<BandEvent>(
        {
          read: (after) => this.log.after(bandId, after),
          apply: (page) => this.receive(bandId, page, true),
          position: () => band.sequence.last,
          current: () => this.bands.get(bandId) === band,
          retryPause: (failures) => backoffCeiling(failures, CATCH_UP_BACKOFF),
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        },
        EVENTS_PAGE,
      );
      if (result.kind !== 'reached') return;
      band.catchUps++;
      const { count } = result;
      if (count > 0) this.bus.publish({ type: 'band:caught-up', bandId, count });
      if (band.sequence.buffered === 0) this.move(bandId, band, { type: 'caught-up' });
      const again = band.sequence.endCatchUp();
      if (again !== undefined)
        setTimeout(() => this.catchUp(bandId, again), count > 0 ? 0 : CATCH_UP_RETRY_MS);
    })();
  }

  /** Moves the band's rows on by the event the sequence just delivered: never one twice, none skipped. */
  private keepRows(band: Band, event: BandEvent): void {
    if (band.rows.kind === 'unreadable') return;
    try {
      band.rows = { kind: 'kept', rows: applyBandEvent(band.rows.rows, event) };
    } catch (error) {
      band.rows = { kind: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
      return;
    }
    if (event.table_name === 'bands') this.rowListener.bandChanged(band.rows.rows);
  }

  /** Moves the band's phase; a band that becomes live answers its waiters and tells the tabs. */
  private move(bandId: string, band: Band, event: BandLifecycleEvent): void {
    const previous = band.phase;
    band.phase = reduceBand(previous, event);
    if (band.phase.kind !== 'live' || previous.kind === 'live') return;
    for (const waiter of band.waiters.splice(0)) answer(bandId, band, waiter);
    // Every tab hears it, so without the rows: they go only to the watches that asked.
    this.bus.publish({ type: 'band:live', bandId, lastSeq: band.sequence.last });
  }
}

/** A live band's answer to a watch: its rows, standing at its last seq. */
function answer(bandId: string, band: Band, waiter: Waiter): void {
  if (band.rows.kind === 'unreadable')
    return waiter.reject(new BrokerFailure('internal', `band ${bandId}'s rows: ${band.rows.reason}`));
  waiter.resolve({ bandId, lastSeq: band.sequence.last, rows: band.rows.rows });
}

function rejectWaiters(band: Band, error: Error): void {
  for (const waiter of band.waiters.splice(0)) waiter.reject(error);
}
