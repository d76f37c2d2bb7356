// Everything the broker keeps for one signed-in user, wired together here and nowhere else: the
// token, the bus, the bands (feed, interest, memberships, the band list), the socket (Connection and what its
// changes set off), the heads check, the outbox and the diagnostics history. Each collaborator is
// handed the ones it talks to when it is made; the socket starts last, once all of them exist.
import type { JoinGate } from './core/join-pacing.js';
import type { ConnectionState } from '../contract/connection-state.js';
import type { Band, BandEvent } from '../contract/schema.js';
import type { BandLive, ConflictChoice, UserDiagnostics } from '../contract/protocol.js';
import type { OutboxEntry, Write } from '../contract/writes.js';
import { BandAdmin } from './band-admin.js';
import { BandFeed, type DeliveryMeter } from './band-feed.js';
import { BandInterest } from './band-interest.js';
import { BandList } from './band-list.js';
import { BandLog } from './band-log.js';
import { BandMemberships } from './band-memberships.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { ConnectionEffects } from './connection-effects.js';
import { headsPolicyFor } from './core/heads-schedule.js';
import type { BrokerEnvironment } from './environment.js';
import { UserBus, type Fanout } from './fanout.js';
import { HeadsCheck } from './heads-check.js';
import { SessionOutboxContext, UserOutbox } from './outbox/user-outbox.js';
import { SessionToken } from './session-token.js';
import { StateHistory } from './state-history.js';

export interface SessionOptions extends ConnectionOptions {
  graceMs: number;
  outboxBatchSize: number;
  /** BrokerConfig.hopStamps (bench only). */
  hopStamps: boolean;
}

export class UserSession {
  private readonly token: SessionToken;
  private readonly history: StateHistory;
  private readonly feed: BandFeed;
  private readonly interest: BandInterest;
  private readonly memberships: BandMemberships;
  private readonly list: BandList;
  private readonly connection: Connection;
  private readonly heads: HeadsCheck;
  private readonly outbox: UserOutbox;
  /** Invites and the description: an admin's calls, with this user's token. */
  readonly admin: BandAdmin;
  /** Where a fresh token comes from when the broker owns the session; unset, the tabs are asked. */
  private renewer: (() => Promise<string | undefined>) | undefined;

  constructor(
    readonly userId: string,
    token: string,
    options: SessionOptions,
    fanout: Fanout,
    meter: DeliveryMeter,
    env: BrokerEnvironment,
    joins: JoinGate,
  ) {
    // Band events go to the tabs watching the band; interest is made below, before any is published.
    const bus = new UserBus(
      fanout,
      userId,
      (bandId) => this.interest.tabsWatching(bandId),
      options.hopStamps,
    );
    this.token = new SessionToken(options, token, env, () => this.renew(bus));
    this.admin = new BandAdmin(this.token);
    this.history = new StateHistory(env);
    const log = new BandLog(this.token);
    this.list = new BandList(this.token);
    this.feed = new BandFeed(userId, log, bus, meter, this.list, joins);
    this.heads = new HeadsCheck(headsPolicyFor(options.heartbeatIntervalMs), env, this.feed, log);
    this.interest = new BandInterest(options.graceMs, env, this.feed);
    this.memberships = new BandMemberships(this.interest, bus, this.list);
    this.connection = new Connection(options, env);
    const outboxContext = new SessionOutboxContext(this.token, bus, this.memberships, this.connection);
    this.outbox = new UserOutbox(userId, env, outboxContext, options);
    this.connection.start(
      token,
      new ConnectionEffects(
        this.feed,
        this.memberships,
        this.history,
        bus,
        this.token,
        this.outbox,
        this.heads,
      ),
    );
  }

  write(write: Write, entryId: string): Promise<OutboxEntry[]> {
    return this.outbox.queueWrite(write, entryId);
  }

  outboxEntries(): Promise<OutboxEntry[]> {
    return this.outbox.list();
  }

  resolveWrite(entryId: string, choice: ConflictChoice): Promise<void> {
    return this.outbox.resolve(entryId, choice);
  }

  /** Whether `token` is the one the session sends already. */
  holdsToken(token: string): boolean {
    return this.token.current === token;
  }

  setToken(token: string): void {
    this.token.set(token);
    this.connection.setToken(token);
    // Writes held back by an expired token (or backing off after a 401) may go now.
    this.outbox.wake();
  }

  /** The broker's own auth renews this user's token (set), or the tabs' app does (unset). */
  renewWith(renewer: (() => Promise<string | undefined>) | undefined): void {
    this.renewer = renewer;
  }

  watch(tabId: string, bandId: string): Promise<BandLive> {
    return this.interest.watch(tabId, bandId);
  }

  bandRows(bandId: string): Promise<BandLive> {
    return this.feed.rowsNow(bandId);
  }

  eventsAfter(bandId: string, afterSeq: number): Promise<BandEvent[]> {
    return this.feed.eventsAfter(bandId, afterSeq);
  }

  /** The user's bands by name, from the band list. */
  bands(): Promise<Band[]> {
    return this.list.bands();
  }

  unwatch(tabId: string, bandId: string): void {
    this.interest.unwatch(tabId, bandId);
  }

  releaseTab(tabId: string): void {
    this.interest.releaseTab(tabId);
  }

  /** A band created or joined in a tab: subscribe now and tell every tab. */
  bandAdded(bandId: string): void {
    this.memberships.added(bandId);
  }

  /** The user asked to retry: the socket and any writes waiting out a backoff go now. */
  retry(): void {
    this.connection.retryNow();
    this.outbox.wake();
  }

  networkChanged(online: boolean): void {
    this.connection.networkChanged(online);
    // The socket may never have noticed the outage (REST alone was down): wake the outbox too,
    // and look for events it may have lost meanwhile.
    if (!online) return;
    this.outbox.wake();
    this.heads.suspicious('online');
  }

  /** A tab became visible: it may have been frozen, and the socket with it. */
  tabVisible(): void {
    this.retry();
    this.heads.suspicious('visible');
  }

  private renew(bus: UserBus): void {
    if (!this.renewer) return bus.publish({ type: 'session:refresh-needed' });
    void this.renewer()
      .then((token) => token && this.setToken(token))
      .catch(() => undefined);
  }

  get state(): ConnectionState {
    return this.connection.state;
  }

  /** Signed out: the socket closes, the outbox stops and closes its store, waiting watches fail. */
  stop(): void {
    this.interest.stop();
    this.connection.stop();
    this.outbox.stop();
    this.feed.stop();
  }

  diagnostics(): UserDiagnostics {
    return {
      userId: this.userId,
      state: this.connection.state,
      history: this.history.list(),
      heartbeatRttMs: this.connection.heartbeatRttMs,
      channels: this.feed.channelCount,
      bands: this.feed.diagnostics(this.interest),
      outboxJunkDropped: this.outbox.junkDropped,
    };
  }

  /** The bands each tab watches. */
  tabsOf(): Map<string, string[]> {
    return this.interest.tabs();
  }
}
