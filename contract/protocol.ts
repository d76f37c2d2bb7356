// The tab ↔ broker boundary, types only. Calls go tab → broker over Comlink (a SharedWorker port,
// or a MessageChannel in per-tab mode); events go broker → tabs on the bus. Imports nothing but
// the contract. See PROTOCOL.md.
import type { ConnectionState } from './connection-state.js';
import type { Band, BandEvent, BandMembership, InviteCode, Song } from './schema.js';
import type { OutboxEntry, Write } from './writes.js';

export type ConflictChoice = 'refresh' | 'keep-mine' | 'dismiss';

export type TransportMode = 'shared' | 'tab';

/**
 * What an app that keeps its own Supabase session tells the broker (BacklineOptions.auth 'app').
 * With Backline's own auth (the default) the broker owns the session and no token reaches a tab.
 */
export interface SessionInfo {
  userId: string;
  accessToken: string;
}

/** The signed-in user as a tab sees it: who, never their tokens. */
export interface AuthUser {
  id: string;
  email: string | null;
  /** The name they signed up with (user_metadata.display_name), if any. */
  name: string | null;
}

/**
 * Which stored session a tab uses: the profile's (every tab of the browser profile shares it), or
 * a tab's own (`tab:<uuid>`, two people in one profile: ?session=tab).
 */
export type SessionScope = 'profile' | `tab:${string}`;

/** A scope's user (null: signed out) and, when signed in, their connection's state. */
export interface AuthStatus {
  user: AuthUser | null;
  state: ConnectionState | null;
}

export interface Credentials {
  email: string;
  password: string;
}

export interface SignUpRequest extends Credentials {
  /** The name co-members see (else the part of the email before the @). */
  name?: string;
}

/**
 * A change of a scope's session, on that scope's channel (names.ts: authChannel). `signed-in`
 * carries the user; `signed-out`: by a tab's sign-out; `expired`: the session could not be
 * refreshed (revoked, or its refresh token unknown) and was dropped.
 */
export type AuthChange =
  | { type: 'auth:signed-in'; scope: SessionScope; user: AuthUser }
  | { type: 'auth:signed-out'; scope: SessionScope; reason: 'signed-out' | 'expired' };

/**
 * Errors cross the boundary as values with a code, never as bare strings. `released`: the band was
 * unsubscribed (no tab watched it for a whole grace period) before it went live.
 */
export type BrokerErrorCode =
  | 'invalid_argument'
  | 'no_session'
  | 'unknown_tab'
  | 'not_member'
  | 'released'
  /** Sign-in or sign-up refused by the auth server (the message is its own, for the user). */
  | 'auth_failed'
  /** The auth server could not be reached. */
  | 'auth_unreachable'
  /** A read or an admin change (invites, description) the server refused or could not answer: its words. */
  | 'request_failed'
  | 'internal';

export interface BrokerError {
  code: BrokerErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: BrokerError };

/**
 * A watched band's rows as the broker keeps them, standing at one seq of its log: the band, its
 * members (by joined_at, then user_id) and its songs (by created_at, then id; soft-deleted ones
 * included, as in the log). `deleted` once the band itself was deleted: `band` is its last row,
 * and members and songs are empty, as they went with it. A value: never changed in place.
 */
export interface BandRows {
  status: 'present' | 'deleted';
  band: Band;
  members: BandMembership[];
  songs: Song[];
}

/**
 * A band is live once it is subscribed and caught up: nothing after `lastSeq` will be missed, and
 * `rows` are the band's rows exactly at `lastSeq` (the band:event after it applies on top).
 */
export interface BandLive {
  bandId: string;
  lastSeq: number;
  rows: BandRows;
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
  /** Hello.instance. */
  instance: string;
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
  /**
   * Channel joins the broker sends per second at most, for all its users together (default 10:
   * worker/core/join-pacing.ts says how the project's budget is split).
   */
  joinsPerSecond?: number;
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
  /**
   * This broker's own id, new each time a broker starts: a tab that hears another one (from
   * ping) is talking to a worker that restarted with empty state behind the same port, and
   * registers with it again.
   */
  instance: string;
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
  /**
   * A tab announces itself; `lockName` is the Web Lock it holds for as long as it lives, asked
   * for before hello (the broker queues behind that request, so hello need not wait for it).
   */
  hello(tabId: string, lockName: string): Promise<Result<Hello>>;
  /**
   * The tab signs in through the broker, with the session of `scope` (Backline's own auth). Answers
   * once the stored session has been read: the user signed in there, or null.
   */
  useAuth(tabId: string, scope: SessionScope): Promise<Result<AuthStatus>>;
  /** Signs the tab's scope in (every tab of the scope hears auth:signed-in). */
  signIn(tabId: string, credentials: Credentials): Promise<Result<AuthUser>>;
  /** Creates an account and signs in; null when the server wants the email confirmed first. */
  signUp(tabId: string, request: SignUpRequest): Promise<Result<AuthUser | null>>;
  /** Signs the tab's scope out, on the server if it can be reached and on this profile anyway. */
  signOut(tabId: string): Promise<Result<null>>;
  /**
   * An app's own session (BacklineOptions.auth 'app'): sign-in and every token refresh; null on
   * sign-out (closes the user's socket for every tab). Answers the user's connection state, so a
   * tab that joins late shows it at once (null on sign-out).
   */
  setSession(tabId: string, session: SessionInfo | null): Promise<Result<ConnectionState | null>>;
  /** Resolves once the band is subscribed and caught up, with its rows at that seq (no REST read if live already). */
  watchBand(tabId: string, bandId: string): Promise<Result<BandLive>>;
  unwatchBand(tabId: string, bandId: string): Promise<Result<null>>;
  /**
   * A watched band's log after `afterSeq` (one page, oldest first), read with the user's token:
   * a tab that moved to a new worker generation fetches what it missed in between.
   */
  eventsAfter(tabId: string, bandId: string, afterSeq: number): Promise<Result<BandEvent[]>>;
  /**
   * The band's rows as the broker has them now, live or not (a page shows its band while the
   * socket is down or refused): from memory once a watch's snapshot is in, else read.
   */
  bandRows(tabId: string, bandId: string): Promise<Result<BandLive>>;
  /**
   * The bands of this tab's user, by name, from the broker's cache: read once over REST (callers at
   * the same time share the read), read again after a membership change, and kept current by the
   * band UPDATE events of watched bands.
   */
  bands(tabId: string): Promise<Result<Band[]>>;
  /** A tab created or joined a band: subscribe it at once, before any membership event arrives. */
  bandAdded(tabId: string, bandId: string): Promise<Result<null>>;
  /** The band's invite codes (an admin's; a member reads none), oldest first. */
  invites(tabId: string, bandId: string): Promise<Result<InviteCode[]>>;
  /** A new invite code for the band (admins only). */
  createInvite(tabId: string, bandId: string): Promise<Result<InviteCode>>;
  /** Revokes an invite code; one already gone counts as revoked. */
  revokeInvite(tabId: string, inviteId: string): Promise<Result<null>>;
  /** An admin's new description for the band, saved at once (not queued); answers the band. */
  describeBand(tabId: string, bandId: string, description: string): Promise<Result<Band>>;
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
  /** Answers the broker's instance id (Hello.instance). */
  ping(): Promise<string>;
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
  /**
   * The broker's token has expired and it has writes to send or channels to join: a tab that owns
   * the session (auth 'app') should refresh it. Backline's own auth refreshes by itself.
   */
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
