// The tab ↔ broker boundary, types only. Calls go tab → broker over Comlink (a SharedWorker port,
// or a MessageChannel in per-tab mode); events go broker → tabs on the bus. Imports nothing but
// the contract. See PROTOCOL.md.
import type { ConnectionState } from './connection-state.js';
import type { BandEvent } from './schema.js';
import type { OutboxEntry, Write } from './writes.js';

export type ConflictChoice = 'refresh' | 'keep-mine' | 'dismiss';

export type TransportMode = 'shared' | 'tab';

/** What a tab tells the broker about its signed-in user. The tab owns the Supabase session. */
export interface SessionInfo {
  userId: string;
  accessToken: string;
}

/**
 * Errors cross the boundary as values with a code, never as bare strings. `released`: the band was
 * unsubscribed (no tab watched it for a whole grace period) before it went live.
 */
export type BrokerErrorCode =
  'invalid_argument' | 'no_session' | 'unknown_tab' | 'not_member' | 'released' | 'internal';

export interface BrokerError {
  code: BrokerErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: BrokerError };

/** A band is live once it is subscribed and caught up: nothing after `lastSeq` will be missed. */
export interface BandLive {
  bandId: string;
  lastSeq: number;
}

/** A subscribed band's phase (worker/core/band-lifecycle.ts). */
export type BandStatus = 'joining' | 'catching-up' | 'live';

export interface BandDiagnostics {
  bandId: string;
  status: BandStatus;
  watchers: number;
  lastSeq: number;
  catchUps: number;
  eventsDelivered: number;
  duplicatesDropped: number;
  channel: string | undefined;
}

export interface StateChange {
  at: number;
  kind: ConnectionState['kind'];
  error: string | undefined;
}

export interface UserDiagnostics {
  userId: string;
  state: ConnectionState;
  history: StateChange[];
  heartbeatRttMs: number | undefined;
  channels: number;
  bands: BandDiagnostics[];
  /**
   * Messages on the user's outbox channel that did not parse as OutboxMessages (or as entries of
   * this user) and were ignored: any page of the origin can post there.
   */
  outboxJunkDropped: number;
}

export interface Diagnostics {
  mode: TransportMode;
  modeReason: string;
  generation: number;
  startedAt: number;
  tabs: { tabId: string; userId: string | undefined; bands: string[] }[];
  users: UserDiagnostics[];
  eventsPerSecond: number;
}

/** The Supabase project a broker serves, and optional tuning (tests shorten the heartbeat). */
export interface BrokerConfig {
  supabaseUrl: string;
  anonKey: string;
  heartbeatIntervalMs?: number;
  graceMs?: number;
  /** Failed attempts before giving up into `error` (default 10). */
  maxAttempts?: number;
  /** First backoff ceiling (default 1 s); doubles per attempt up to 30 s. */
  backoffBaseMs?: number;
  /** Queued inserts sent in one request at most (default 250; 1 sends each alone). */
  outboxBatchSize?: number;
  /** Bench only: band messages carry `arrivedAt` (BandMessage), for the broker-hop figure. */
  hopStamps?: boolean;
}

/** Events per page of a band's log, in catch-up and in `eventsAfter` answers. */
export const EVENTS_PAGE = 500;

/** An outbox entry as it is now; `removed` once it left the outbox (confirmed or dismissed). */
export interface OutboxChange {
  entry: OutboxEntry;
  removed: boolean;
}

/** What a broker answers a tab's hello. */
export interface Hello {
  generation: number;
  mode: TransportMode;
  /**
   * A Web Lock the broker holds for as long as it lives (shared mode; null in a tab): a tab
   * queued for it is granted it the moment the worker dies, however it died.
   */
  lifeLock: string | null;
}

/** The API a broker exposes to tabs. Every argument is validated on arrival. */
export interface BrokerApi {
  /** Set by the first tab; a tab configured for another project is refused. */
  configure(config: BrokerConfig): Promise<Result<null>>;
  /** A tab announces itself; `lockName` is the Web Lock it holds for as long as it lives. */
  hello(tabId: string, lockName: string): Promise<Result<Hello>>;
  /**
   * Sign-in and every token refresh; null on sign-out (closes the user's socket for every tab).
   * Answers the user's connection state, so a tab that joins late shows it at once (null on sign-out).
   */
  setSession(tabId: string, session: SessionInfo | null): Promise<Result<ConnectionState | null>>;
  /** Resolves once the band is subscribed and caught up. */
  watchBand(tabId: string, bandId: string): Promise<Result<BandLive>>;
  unwatchBand(tabId: string, bandId: string): Promise<Result<null>>;
  /**
   * A watched band's log after `afterSeq` (one page, oldest first), read with the user's token:
   * a tab that moved to a new worker generation fetches what it missed in between.
   */
  eventsAfter(tabId: string, bandId: string, afterSeq: number): Promise<Result<BandEvent[]>>;
  /** A tab created or joined a band: subscribe it at once, before any membership event arrives. */
  bandAdded(tabId: string, bandId: string): Promise<Result<null>>;
  retry(): Promise<Result<null>>;
  /** "Sync now": this tab's user's queued writes go at once, their backoff reset; the socket retries too. */
  syncNow(tabId: string): Promise<Result<null>>;
  /** The browser went online/offline, or a tab became visible (retry at once). */
  networkChanged(online: boolean): Promise<Result<null>>;
  tabVisible(): Promise<Result<null>>;
  /**
   * Queues a write in the user's outbox under `entryId`, a uuid the tab made: it knows the write
   * as its own before any event about it can arrive, and a call sent again (to a new worker) is
   * the same write, not a second one. Returns the entries it created or changed (pending).
   */
  write(tabId: string, write: Write, entryId: string): Promise<Result<OutboxEntry[]>>;
  /** Everything waiting, sending, in conflict or failed for this tab's user. */
  outbox(tabId: string): Promise<Result<OutboxEntry[]>>;
  /** The user's answer to a conflict (refresh / keep mine) or a failure (dismiss). */
  resolveWrite(tabId: string, entryId: string, choice: ConflictChoice): Promise<Result<null>>;
  /**
   * Shared mode, right after hello: the tab's end of a MessageChannel (transferred), on which it
   * hears the band events of the bands it watches (BandMessage), and only those.
   */
  bandPort(tabId: string, port: MessagePort): Promise<Result<null>>;
  diagnostics(): Promise<Diagnostics>;
  ping(): Promise<number>;
  goodbye(tabId: string): Promise<Result<null>>;
}

/**
 * Events for the tabs of one user: band-scoped ones (BandBusEvent) on the tabs' own ports, the
 * rest on the user's BroadcastChannel (names.ts: busChannel).
 */
export type BusEvent =
  | { type: 'band:event'; userId: string; bandId: string; event: BandEvent }
  | { type: 'band:live'; userId: string; bandId: string; lastSeq: number }
  | { type: 'band:created'; userId: string; bandId: string }
  | { type: 'band:joined'; userId: string; bandId: string }
  | { type: 'band:left'; userId: string; bandId: string }
  | { type: 'band:caught-up'; userId: string; bandId: string; count: number }
  | { type: 'realtime:state-changed'; userId: string; state: ConnectionState }
  | { type: 'realtime:max-retries-exceeded'; userId: string; state: ConnectionState }
  | { type: 'session:ended'; userId: string }
  /** The broker's token has expired and it has writes to send: a tab should refresh the session. */
  | { type: 'session:refresh-needed'; userId: string }
  /** Entries that changed together (a batch sent, a write queued); tabs see one event per entry. */
  | { type: 'outbox:changed'; userId: string; changes: OutboxChange[] };

/** The bus events about one band's stream: they reach only the tabs watching the band. */
export type BandBusEvent = Extract<BusEvent, { type: 'band:event' | 'band:live' | 'band:caught-up' }>;

/**
 * What a tab's band port carries (BrokerApi.bandPort): the band events for this tab that the
 * broker published in one task, in order. `arrivedAt` only when BrokerConfig.hopStamps asks:
 * when the first of them reached the broker (performance.timeOrigin + performance.now()).
 */
export interface BandMessage {
  events: BandBusEvent[];
  arrivedAt?: number;
}

/**
 * Messages on a user's outbox channel (names.ts: outboxChannel), heard by every context of the
 * profile, whichever one drains. `enqueued`: a new write; `changed`: backoffs cleared or entries
 * resolved, so drain now; `entries`: entries that changed together; `server-back`: a send reached
 * the server after sends had failed, so the network is back for every context.
 */
export type OutboxMessage =
  | { type: 'enqueued' }
  | { type: 'changed' }
  | { type: 'entries'; changes: OutboxChange[] }
  | { type: 'server-back' };
