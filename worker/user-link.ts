// Everything the broker keeps for one signed-in user: their socket (Connection), the channels on
// it (BandChannels), which tabs watch which bands (InterestRegistry), and each band's delivery
// order and catch-up (BandSequence + the change log over REST).
import { PostgrestClient } from '@supabase/postgrest-js';
import type { BandEvent, Database } from '../contract/schema.js';
import { BandChannels } from './band-channels.js';
import { eventsAfter, logHead, type Rest } from './catch-up.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { backoffCeiling, type BackoffPolicy } from './core/backoff.js';
import { BandSequence } from './core/band-sequence.js';
import {
  JOINING,
  reduceBand,
  statusOf,
  type BandLifecycleEvent,
  type BandPhase,
} from './core/band-lifecycle.js';
import type { ConnectionState } from '../contract/connection-state.js';
import { InterestRegistry } from './core/interest-registry.js';
import { syncLog } from './core/log-sync.js';
import type { Fanout } from './fanout.js';
import { OutboxDrainer } from './outbox/drainer.js';
import { EVENTS_PAGE } from '../contract/protocol.js';
import { tokenExpiresAt, tokenFresh } from './core/token-expiry.js';
import type { BrokerEnvironment } from './environment.js';
import { replayBatch } from './outbox/replay.js';
import type { OutboxStore } from './outbox/outbox-store.js';
import type {
  BandDiagnostics,
  BandLive,
  ConflictChoice,
  StateChange,
  UserDiagnostics,
} from '../contract/protocol.js';
import type { OutboxEntry, Write } from '../contract/writes.js';
import { BrokerFailure } from './validate.js';

export interface LinkOptions extends ConnectionOptions {
  graceMs: number;
  outboxBatchSize: number;
}

interface BandState {
  phase: BandPhase;
  sequence: BandSequence<BandEvent>;
  catchUps: number;
  delivered: number;
  duplicates: number;
  waiters: { resolve(live: BandLive): void; reject(error: Error): void }[];
}

const HISTORY_LIMIT = 50;
/** Pause before catching up again when a pass left a hole, so a stuck hole cannot spin. */
const CATCH_UP_RETRY_MS = 250;
/** Pauses after failed catch-ups (the log unreachable): 500 ms doubling to 10 s, never giving up. */
const CATCH_UP_BACKOFF: BackoffPolicy = {
  baseMs: 2 * CATCH_UP_RETRY_MS,
  factor: 2,
  capMs: 10_000,
  maxAttempts: Infinity,
};

export class UserLink {
  private readonly registry: InterestRegistry;
  private readonly bands = new Map<string, BandState>();
  private readonly channels: BandChannels;
  private readonly connection: Connection;
  private rest: Rest;
  private tokenExpiresAt: number | undefined;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  /** Log pages being read for tabs, by band and seq: identical asks share one request. */
  private readonly reads = new Map<string, Promise<BandEvent[]>>();
  private readonly history: StateChange[] = [];
  private stopped = false;
  /** The user's outbox, where the context has a store for it (IndexedDB in browsers). */
  private readonly store: Promise<OutboxStore> | undefined;
  private readonly drainer: Promise<OutboxDrainer> | undefined;

  constructor(
    readonly userId: string,
    token: string,
    private readonly options: LinkOptions,
    private readonly fanout: Fanout,
    private readonly countEvent: () => void,
    private readonly env: BrokerEnvironment,
  ) {
    this.registry = new InterestRegistry(options.graceMs);
    this.rest = this.restClient(token);
    this.tokenExpiresAt = tokenExpiresAt(token);
    this.channels = new BandChannels(userId, {
      bandEvent: (event) => this.receive(event.band_id, [event], false),
      membership: (change) =>
        change.type === 'INSERT' ? this.joined(change.bandId) : this.left(change.bandId),
      shardLive: (bands) =>
        bands.forEach((band) => this.catchUp(band, this.bands.get(band)?.sequence.beginCatchUp())),
      broken: (attempt, message) => this.connection.fail(attempt, 'channel_error', message),
    });
    this.connection = new Connection(
      options,
      env,
      (client, attempt) => this.channels.attach(client, attempt, [...this.bands.keys()]),
      (state, previous) => this.stateChanged(state, previous),
    );
    this.connection.start(token);
    this.store = env.openOutboxStore();
    this.drainer = this.store?.then(
      (store) =>
        new OutboxDrainer(
          userId,
          store,
          {
            send: (writes) => replayBatch(this.rest, writes, userId),
            tokenFresh: () => tokenFresh(this.tokenExpiresAt, env.now()),
            needToken: () => this.fanout.publish({ type: 'session:refresh-needed', userId }),
            notify: (changes) => {
              this.fanout.publish({ type: 'outbox:changed', userId, changes });
              // A band created or joined from the outbox is live at once, as one made online.
              for (const { entry, removed } of changes)
                if (removed && entry.band) this.bandAdded(entry.band.id);
            },
            // REST answers again: the socket need not wait out the rest of its backoff.
            serverBack: () => this.connection.retryNow(),
          },
          env,
          options.policy,
          options.outboxBatchSize,
        ),
    );
  }

  async write(write: Write): Promise<OutboxEntry[]> {
    return (await this.outboxDrainer()).queueWrite(write);
  }

  async outbox(): Promise<OutboxEntry[]> {
    return (await this.outboxDrainer()).list();
  }

  async resolveWrite(entryId: string, choice: ConflictChoice): Promise<void> {
    await (await this.outboxDrainer()).resolve(entryId, choice);
  }

  private outboxDrainer(): Promise<OutboxDrainer> {
    if (!this.drainer) throw new BrokerFailure('internal', 'this context has no IndexedDB for the outbox');
    return this.drainer;
  }

  setToken(token: string): void {
    this.rest = this.restClient(token);
    this.tokenExpiresAt = tokenExpiresAt(token);
    this.connection.setToken(token);
    // Writes held back by an expired token (or backing off after a 401) may go now.
    void this.drainer?.then((drainer) => drainer.wake());
  }

  async watch(tabId: string, bandId: string): Promise<BandLive> {
    this.registry.watch(tabId, bandId);
    return this.whenLive(bandId);
  }

  /**
   * One page of the band's log after `afterSeq`; RLS on the server decides what the user may read.
   * RLS answers a band the user is not in with no rows, which reads as "nothing new": when a page
   * of a band this user has no subscription for is empty, its head says whether it is visible at
   * all (every band's log starts with its creation), and an invisible one is refused.
   */
  /**
   * One page of the band's log after `afterSeq`. After a worker replacement every tab of the
   * profile asks for the same gap at once: tabs asking for the same page share one request.
   */
  eventsAfter(bandId: string, afterSeq: number): Promise<BandEvent[]> {
    const key = `${bandId}:${afterSeq}`;
    let read = this.reads.get(key);
    if (!read) {
      read = this.readEventsAfter(bandId, afterSeq).finally(() => this.reads.delete(key));
      this.reads.set(key, read);
    }
    return read;
  }

  private async readEventsAfter(bandId: string, afterSeq: number): Promise<BandEvent[]> {
    const page = await eventsAfter(this.rest, bandId, afterSeq);
    if (page.length === 0 && !this.bands.has(bandId) && (await logHead(this.rest, bandId)) === 0)
      throw new BrokerFailure('not_member', `not a member of band ${bandId}`);
    return page;
  }

  unwatch(tabId: string, bandId: string): void {
    this.registry.unwatch(tabId, bandId, this.env.now());
    this.scheduleGrace();
  }

  releaseTab(tabId: string): void {
    this.registry.releaseTab(tabId, this.env.now());
    this.scheduleGrace();
  }

  /** A band created or joined in a tab: subscribe now and tell every tab. */
  bandAdded(bandId: string): void {
    if (this.registry.isHeld(bandId)) return;
    this.registry.keepForGrace(bandId, this.env.now());
    this.scheduleGrace();
    this.fanout.publish({ type: 'band:created', userId: this.userId, bandId });
    void this.whenLive(bandId).catch(() => undefined);
  }

  /** The user asked to retry: the socket and any writes waiting out a backoff go now. */
  retry(): void {
    this.connection.retryNow();
    void this.drainer?.then((drainer) => drainer.wake());
  }

  networkChanged(online: boolean): void {
    this.connection.networkChanged(online);
    // The socket may never have noticed the outage (REST alone was down): wake the outbox too.
    if (online) void this.drainer?.then((drainer) => drainer.wake());
  }

  get state(): ConnectionState {
    return this.connection.state;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.graceTimer);
    this.connection.stop();
    // The store closes once a batch in flight has settled, so sign-out leaves no connection open.
    void this.drainer?.then(async (drainer) => {
      await drainer.stop();
      (await this.store)?.close();
    });
    for (const band of this.bands.values())
      this.rejectWaiters(band, new BrokerFailure('no_session', 'signed out'));
    this.bands.clear();
  }

  diagnostics(): UserDiagnostics {
    return {
      userId: this.userId,
      state: this.connection.state,
      history: [...this.history],
      heartbeatRttMs: this.connection.heartbeatRttMs,
      channels: this.channels.channelCount,
      bands: [...this.bands].map(([bandId, band]): BandDiagnostics => ({
        bandId,
        status: statusOf(band.phase),
        watchers: this.registry.watchers(bandId),
        lastSeq: band.sequence.last,
        catchUps: band.catchUps,
        eventsDelivered: band.delivered,
        duplicatesDropped: band.duplicates,
        channel: this.channels.topicOf(bandId),
      })),
    };
  }

  tabsOf(): Map<string, string[]> {
    return this.registry.tabs();
  }

  private restClient(token: string): Rest {
    return new PostgrestClient<Database>(`${this.options.supabaseUrl}/rest/v1`, {
      headers: { apikey: this.options.anonKey, Authorization: `Bearer ${token}` },
      // The broker retries on its own terms (catch-up, outbox backoff); postgrest-js's own
      // retries would hide an outage for seconds and delay a drain when the network returns.
      retry: false,
    });
  }

  /** Subscribes the band if needed and resolves once it is live. */
  private whenLive(bandId: string): Promise<BandLive> {
    const band = this.bands.get(bandId);
    if (band?.phase.kind === 'live') return Promise.resolve({ bandId, lastSeq: band.sequence.last });
    return new Promise((resolve, reject) => {
      if (band) band.waiters.push({ resolve, reject });
      else void this.subscribe(bandId, { resolve, reject });
    });
  }

  private async subscribe(bandId: string, waiter: BandState['waiters'][number]): Promise<void> {
    let head: number;
    try {
      // The head before subscribing: anything committed between the two is caught up after.
      head = await logHead(this.rest, bandId);
    } catch (error) {
      waiter.reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.stopped) return waiter.reject(new BrokerFailure('no_session', 'signed out'));
    // Every band has at least its creation event; an empty log means RLS hides it.
    if (head === 0) {
      this.registry.forget(bandId);
      return waiter.reject(new BrokerFailure('not_member', `not a member of band ${bandId}`));
    }
    // Another watch subscribed it while this one read the head: join that one (it may be live already).
    const existing = this.bands.get(bandId);
    if (existing?.phase.kind === 'live') return waiter.resolve({ bandId, lastSeq: existing.sequence.last });
    if (existing) {
      existing.waiters.push(waiter);
      return;
    }
    const band: BandState = {
      phase: JOINING,
      sequence: new BandSequence(head),
      catchUps: 0,
      delivered: 0,
      duplicates: 0,
      waiters: [waiter],
    };
    this.bands.set(bandId, band);
    // Resolves the waiter once live; until then the band rides along with every new socket.
    await this.channels.add([bandId]);
  }

  private receive(bandId: string, events: BandEvent[], fromCatchUp: boolean): void {
    const band = this.bands.get(bandId);
    if (!band) return;
    const result = band.sequence.receive(events);
    band.duplicates += result.duplicates;
    for (const event of result.deliver) {
      band.delivered++;
      this.countEvent();
      this.fanout.publish({ type: 'band:event', userId: this.userId, bandId, event });
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
          read: (after) => eventsAfter(this.rest, bandId, after),
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
      if (count > 0) this.fanout.publish({ type: 'band:caught-up', userId: this.userId, bandId, count });
      if (band.sequence.buffered === 0) this.move(bandId, band, { type: 'caught-up' });
      const again = band.sequence.endCatchUp();
      if (again !== undefined)
        setTimeout(() => this.catchUp(bandId, again), count > 0 ? 0 : CATCH_UP_RETRY_MS);
    })();
  }

  private move(bandId: string, band: BandState, event: BandLifecycleEvent): void {
    const previous = band.phase;
    band.phase = reduceBand(previous, event);
    if (band.phase.kind === 'live' && previous.kind !== 'live') this.markLive(bandId, band);
  }

  private markLive(bandId: string, band: BandState): void {
    const live = { bandId, lastSeq: band.sequence.last };
    for (const waiter of band.waiters.splice(0)) waiter.resolve(live);
    this.fanout.publish({ type: 'band:live', userId: this.userId, ...live });
  }

  private joined(bandId: string): void {
    if (this.registry.isHeld(bandId)) return;
    this.registry.keepForGrace(bandId, this.env.now());
    this.scheduleGrace();
    this.fanout.publish({ type: 'band:joined', userId: this.userId, bandId });
    void this.whenLive(bandId).catch(() => undefined);
  }

  private left(bandId: string): void {
    this.registry.forget(bandId);
    this.release(bandId, new BrokerFailure('not_member', `left band ${bandId}`));
    this.fanout.publish({ type: 'band:left', userId: this.userId, bandId });
  }

  private release(bandId: string, reason: Error): void {
    const band = this.bands.get(bandId);
    if (!band) return;
    this.bands.delete(bandId);
    this.rejectWaiters(band, reason);
    void this.channels.remove(bandId);
  }

  private scheduleGrace(): void {
    clearTimeout(this.graceTimer);
    const next = this.registry.nextExpiry();
    if (next === undefined) return;
    this.graceTimer = setTimeout(
      () => {
        for (const bandId of this.registry.expired(this.env.now())) {
          this.release(
            bandId,
            new BrokerFailure('released', `no tab watched band ${bandId} for the grace period`),
          );
        }
        this.scheduleGrace();
      },
      Math.max(0, next - this.env.now()),
    );
  }

  private stateChanged(state: ConnectionState, previous: ConnectionState): void {
    this.history.push({ at: this.env.now(), kind: state.kind, error: state.lastError?.message });
    if (this.history.length > HISTORY_LIMIT) this.history.shift();
    if (state.kind !== 'connected' && previous.kind === 'connected') {
      this.channels.detach();
      for (const [bandId, band] of this.bands) this.move(bandId, band, { type: 'socket-lost' });
    }
    this.fanout.publish({ type: 'realtime:state-changed', userId: this.userId, state });
    // Back in touch with the server: queued writes need not wait out their backoff.
    if (state.kind === 'connected') void this.drainer?.then((drainer) => drainer.wake());
    if (state.kind === 'error')
      this.fanout.publish({ type: 'realtime:max-retries-exceeded', userId: this.userId, state });
    // An expired token fails every attempt until a tab hands over a fresh one: ask for it.
    const error = state.lastError;
    if (
      error &&
      error !== previous.lastError &&
      (error.code === 'token_expired' || !tokenFresh(this.tokenExpiresAt, this.env.now()))
    )
      this.fanout.publish({ type: 'session:refresh-needed', userId: this.userId });
  }

  private rejectWaiters(band: BandState, error: Error): void {
    for (const waiter of band.waiters.splice(0)) waiter.reject(error);
  }
}
