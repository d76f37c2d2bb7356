// The broker core: the API tabs call (validated here), one UserSession per signed-in user, and the
// tabs that are alive. The same class runs in the SharedWorker and, in per-tab mode, in the page.
import type { Band, BandEvent, InviteCode } from '../contract/schema.js';
import { BAND_TEXT_LIMITS } from '../contract/song-limits.js';
import { DEFAULT_CONNECTION_OPTIONS, attemptTimeoutFor, type ConnectionOptions } from './connection.js';
import type { ConnectionState } from '../contract/connection-state.js';
import type { BrokerEnvironment } from './environment.js';
import { EventRate } from './event-rate.js';
import { DEFAULT_JOINS_PER_SECOND, JoinPacer } from './core/join-pacing.js';
import type { Fanout } from './fanout.js';
import type {
  AuthStatus,
  AuthUser,
  BandLive,
  BrokerApi,
  BrokerConfig,
  Diagnostics,
  Hello,
  Result,
  SessionInfo,
  SessionScope,
  TransportMode,
} from '../contract/protocol.js';
import type { OutboxEntry } from '../contract/writes.js';
import { UserSession, type SessionOptions } from './user-session.js';
import { ScopeAuth, type ScopeAuthListener } from './auth/scope-auth.js';
import {
  BrokerFailure,
  InvalidArgument,
  guarded,
  parseBrokerConfig,
  parseConflictChoice,
  parseCredentials,
  parseNonEmpty,
  parsePort,
  parseScope,
  parseSignUp,
  parseText,
  parseSeq,
  parseSession,
  parseTabId,
  parseUuid,
  parseWrite,
} from './validate.js';

export interface BrokerSettings {
  mode: TransportMode;
  modeReason: string;
  generation: number;
  /** Locks, outbox storage, channels, clock: the context's own (browserEnvironment) or a test's. */
  environment: BrokerEnvironment;
  fanout: Fanout;
  /** How long a band nobody watches stays subscribed. */
  graceMs: number;
  connection: Partial<Omit<ConnectionOptions, 'supabaseUrl' | 'anonKey'>>;
  /** The Web Lock a SharedWorker holds while it lives (see Hello.lifeLock), and when it got it. */
  lifeLock?: { name: string; held: Promise<void> };
}

interface Tab {
  userId: string | undefined;
  /** The stored session the tab signs in with (useAuth); unset for an app's own session (setSession). */
  scope?: SessionScope;
}

export class Broker implements BrokerApi, ScopeAuthListener {
  private config: BrokerConfig | undefined;
  private readonly tabs = new Map<string, Tab>();
  private readonly sessions = new Map<string, UserSession>();
  /** One auth client per session scope the tabs use. */
  private readonly auths = new Map<SessionScope, ScopeAuth>();
  /** Hello.instance: tells a tab this broker from one that ran before it behind the same port. */
  readonly instance = crypto.randomUUID();
  private readonly startedAt: number;
  private readonly eventRate: EventRate;
  /** Every user's channel joins pass here (made with the first session, once the config is in). */
  private joins: JoinPacer | undefined;

  constructor(private readonly settings: BrokerSettings) {
    this.startedAt = settings.environment.now();
    this.eventRate = new EventRate(settings.environment);
  }

  /** The Supabase project; set by the first tab, and every later tab must agree. */
  configure(config: unknown): Promise<Result<null>> {
    return guarded(() => {
      const next = parseBrokerConfig(config);
      if (
        this.config &&
        (this.config.supabaseUrl !== next.supabaseUrl || this.config.anonKey !== next.anonKey)
      ) {
        throw new InvalidArgument('this broker serves another Supabase project');
      }
      this.config ??= next;
      return null;
    });
  }

  hello(tabId: unknown, lockName: unknown): Promise<Result<Hello>> {
    return guarded(async () => {
      const id = parseTabId(tabId);
      const lock = parseNonEmpty(lockName, 'lockName');
      if (!this.tabs.has(id)) this.tabs.set(id, { userId: undefined });
      // In per-tab mode the broker dies with the tab. Not awaited: the tab goes on meanwhile.
      if (this.settings.mode === 'shared') void this.followTab(id, lock);
      // Answer only once the life lock is held, so a tab never queues for it ahead of the worker.
      await this.settings.lifeLock?.held;
      return {
        generation: this.settings.generation,
        instance: this.instance,
        mode: this.settings.mode,
        lifeLock: this.settings.lifeLock?.name ?? null,
      };
    });
  }

  useAuth(tabId: unknown, scope: unknown): Promise<Result<AuthStatus>> {
    return guarded(async () => {
      const id = parseTabId(tabId);
      const tab = this.tab(id);
      const auth = this.authOf(parseScope(scope));
      tab.scope = auth.scope;
      const user = await auth.user();
      const current = auth.current;
      // Signed in already (another tab, or the stored session): this tab joins that user.
      if (current && tab.scope === auth.scope && this.tabs.get(id) === tab) {
        this.bind(tab, id, current.user.id);
        this.userSession(current.user.id, current.accessToken, auth);
      }
      const state = user ? (this.sessions.get(user.id)?.state ?? null) : null;
      return { user, state };
    });
  }

  signIn(tabId: unknown, credentials: unknown): Promise<Result<AuthUser>> {
    return guarded(() => this.authOfTab(tabId).signIn(parseCredentials(credentials)));
  }

  signUp(tabId: unknown, request: unknown): Promise<Result<AuthUser | null>> {
    return guarded(() => this.authOfTab(tabId).signUp(parseSignUp(request)));
  }

  signOut(tabId: unknown): Promise<Result<null>> {
    return guarded(async () => {
      await this.authOfTab(tabId).signOut();
      return null;
    });
  }

  /** ScopeAuth: the scope signed in, or its token was refreshed. */
  session(scope: SessionScope, user: AuthUser, accessToken: string, signedIn: boolean): void {
    for (const [id, tab] of this.tabs) if (tab.scope === scope) this.bind(tab, id, user.id);
    const auth = this.auths.get(scope);
    if (auth) this.userSession(user.id, accessToken, auth);
    if (signedIn) this.settings.fanout.publishAuth({ type: 'auth:signed-in', scope, user });
  }

  /** ScopeAuth: the scope's session ended; its user's session ends for the whole profile. */
  ended(scope: SessionScope, reason: 'signed-out' | 'expired'): void {
    const users = new Set<string>();
    for (const tab of this.tabs.values()) if (tab.scope === scope && tab.userId) users.add(tab.userId);
    for (const userId of users) this.endUserSession(userId);
    this.settings.fanout.publishAuth({ type: 'auth:signed-out', scope, reason });
  }

  setSession(tabId: unknown, session: unknown): Promise<Result<ConnectionState | null>> {
    return guarded(() => {
      const id = parseTabId(tabId);
      const tab = this.tab(id);
      const next = parseSession(session);
      if (next === null) return tab.userId === undefined ? null : this.endUserSession(tab.userId);
      if (tab.userId && tab.userId !== next.userId) this.leave(tab, id);
      tab.userId = next.userId;
      const user = this.sessionFor(next);
      user.setToken(next.accessToken);
      return user.state;
    });
  }

  async watchBand(tabId: unknown, bandId: unknown): Promise<Result<BandLive>> {
    return guarded(() => {
      const [id, band] = [parseTabId(tabId), parseUuid(bandId, 'bandId')];
      return this.sessionOf(id).watch(id, band);
    });
  }

  bandRows(tabId: unknown, bandId: unknown): Promise<Result<BandLive>> {
    return guarded(() => this.sessionOf(tabId).bandRows(parseUuid(bandId, 'bandId')));
  }

  eventsAfter(tabId: unknown, bandId: unknown, afterSeq: unknown): Promise<Result<BandEvent[]>> {
    return guarded(() => {
      const [id, band] = [parseTabId(tabId), parseUuid(bandId, 'bandId')];
      const after = parseSeq(afterSeq);
      return this.sessionOf(id).eventsAfter(band, after);
    });
  }

  unwatchBand(tabId: unknown, bandId: unknown): Promise<Result<null>> {
    return guarded(() => {
      const [id, band] = [parseTabId(tabId), parseUuid(bandId, 'bandId')];
      this.sessionOf(id).unwatch(id, band);
      return null;
    });
  }

  bands(tabId: unknown): Promise<Result<Band[]>> {
    return guarded(() => this.sessionOf(tabId).bands());
  }

  bandAdded(tabId: unknown, bandId: unknown): Promise<Result<null>> {
    return guarded(() => {
      const band = parseUuid(bandId, 'bandId');
      this.sessionOf(tabId).bandAdded(band);
      return null;
    });
  }

  write(tabId: unknown, write: unknown, entryId: unknown): Promise<Result<OutboxEntry[]>> {
    return guarded(() => {
      const [parsed, id] = [parseWrite(write), parseUuid(entryId, 'entryId')];
      return this.sessionOf(tabId).write(parsed, id);
    });
  }

  outbox(tabId: unknown): Promise<Result<OutboxEntry[]>> {
    return guarded(() => this.sessionOf(tabId).outboxEntries());
  }

  resolveWrite(tabId: unknown, entryId: unknown, choice: unknown): Promise<Result<null>> {
    return guarded(async () => {
      const [id, answer] = [parseNonEmpty(entryId, 'entryId'), parseConflictChoice(choice)];
      await this.sessionOf(tabId).resolveWrite(id, answer);
      return null;
    });
  }

  invites(tabId: unknown, bandId: unknown): Promise<Result<InviteCode[]>> {
    return guarded(() => this.sessionOf(tabId).admin.invites(parseUuid(bandId, 'bandId')));
  }

  createInvite(tabId: unknown, bandId: unknown): Promise<Result<InviteCode>> {
    return guarded(() => this.sessionOf(tabId).admin.createInvite(parseUuid(bandId, 'bandId')));
  }

  revokeInvite(tabId: unknown, inviteId: unknown): Promise<Result<null>> {
    return guarded(async () => {
      await this.sessionOf(tabId).admin.revokeInvite(parseUuid(inviteId, 'inviteId'));
      return null;
    });
  }

  describeBand(tabId: unknown, bandId: unknown, description: unknown): Promise<Result<Band>> {
    return guarded(() => {
      const band = parseUuid(bandId, 'bandId');
      return this.sessionOf(tabId).admin.describe(
        band,
        parseText(description, 'description', BAND_TEXT_LIMITS.description),
      );
    });
  }

  retry(): Promise<Result<null>> {
    return guarded(() => {
      for (const session of this.sessions.values()) session.retry();
      return null;
    });
  }

  syncNow(tabId: unknown): Promise<Result<null>> {
    return guarded(() => {
      this.sessionOf(tabId).retry();
      return null;
    });
  }

  networkChanged(online: unknown): Promise<Result<null>> {
    return guarded(() => {
      if (typeof online !== 'boolean') throw new InvalidArgument('online must be a boolean');
      for (const session of this.sessions.values()) session.networkChanged(online);
      return null;
    });
  }

  tabVisible(): Promise<Result<null>> {
    return guarded(() => {
      for (const session of this.sessions.values()) session.tabVisible();
      return null;
    });
  }

  goodbye(tabId: unknown): Promise<Result<null>> {
    return guarded(() => {
      this.forgetTab(parseTabId(tabId));
      return null;
    });
  }

  bandPort(tabId: unknown, port: unknown): Promise<Result<null>> {
    return guarded(() => {
      const id = parseTabId(tabId);
      this.tab(id);
      this.settings.fanout.connectTab(id, parsePort(port));
      return null;
    });
  }

  ping(): Promise<string> {
    return Promise.resolve(this.instance);
  }

  diagnostics(): Promise<Diagnostics> {
    const bandsOfTab = new Map<string, string[]>();
    for (const session of this.sessions.values())
      for (const [tabId, bands] of session.tabsOf()) bandsOfTab.set(tabId, bands);
    return Promise.resolve({
      mode: this.settings.mode,
      modeReason: this.settings.modeReason,
      generation: this.settings.generation,
      instance: this.instance,
      startedAt: this.startedAt,
      tabs: [...this.tabs].map(([tabId, tab]) => ({
        tabId,
        userId: tab.userId,
        bands: bandsOfTab.get(tabId) ?? [],
      })),
      users: [...this.sessions.values()].map((session) => session.diagnostics()),
      eventsPerSecond: this.eventRate.perSecond(),
    });
  }

  /** Stops every socket (the worker is being replaced, or the page unloads in per-tab mode). */
  shutdown(): void {
    for (const auth of this.auths.values()) auth.stop();
    this.auths.clear();
    for (const session of this.sessions.values()) session.stop();
    this.sessions.clear();
    this.settings.fanout.close();
  }

  private tab(tabId: unknown): Tab {
    const tab = this.tabs.get(parseTabId(tabId));
    if (!tab) throw new BrokerFailure('unknown_tab', 'call hello() first');
    return tab;
  }

  private sessionOf(tabId: unknown): UserSession {
    const userId = this.tab(tabId).userId;
    const session = userId === undefined ? undefined : this.sessions.get(userId);
    if (!session)
      throw new BrokerFailure('no_session', 'no signed-in user in this tab: call setSession() first');
    return session;
  }

  private sessionFor(info: SessionInfo): UserSession {
    let session = this.sessions.get(info.userId);
    if (!session) {
      if (!this.config) throw new BrokerFailure('invalid_argument', 'configure() the Supabase project first');
      const { environment } = this.settings;
      this.joins ??= new JoinPacer(this.config.joinsPerSecond ?? DEFAULT_JOINS_PER_SECOND, () =>
        environment.now(),
      );
      session = new UserSession(
        info.userId,
        info.accessToken,
        sessionOptions(this.config, this.settings),
        this.settings.fanout,
        this.eventRate,
        environment,
        this.joins,
      );
      this.sessions.set(info.userId, session);
    }
    return session;
  }

  private authOf(scope: SessionScope): ScopeAuth {
    let auth = this.auths.get(scope);
    if (!auth) {
      if (!this.config) throw new BrokerFailure('invalid_argument', 'configure() the Supabase project first');
      const { environment } = this.settings;
      auth = new ScopeAuth(
        scope,
        {
          supabaseUrl: this.config.supabaseUrl,
          anonKey: this.config.anonKey,
          storage: environment.authStorage,
          // One SharedWorker per profile refreshes; per-tab brokers elect one of them.
          refresher: this.settings.mode === 'shared' ? 'always' : environment.locks,
          ...(environment.authLock ? { lock: environment.authLock } : {}),
        },
        this,
      );
      this.auths.set(scope, auth);
    }
    return auth;
  }

  private authOfTab(tabId: unknown): ScopeAuth {
    const scope = this.tab(tabId).scope;
    if (!scope) throw new BrokerFailure('no_session', 'this tab keeps its own session: call useAuth() first');
    return this.authOf(scope);
  }

  /** The tab now acts for `userId` (leaving the user it acted for, if another). */
  private bind(tab: Tab, tabId: string, userId: string): void {
    if (tab.userId && tab.userId !== userId) this.leave(tab, tabId);
    tab.userId = userId;
  }

  /** The user's session with a current token, renewed through the scope's auth when it runs out. */
  private userSession(userId: string, accessToken: string, auth: ScopeAuth): void {
    const session = this.sessionFor({ userId, accessToken });
    // Every tab's registration lands here with the token the session already has: pushing it to
    // the socket's channels again (and waking the outbox) would be work per tab for nothing.
    if (!session.holdsToken(accessToken)) session.setToken(accessToken);
    session.renewWith(() => auth.freshToken());
  }

  /** Sign-out in one tab ends the user's session for the whole profile: close their socket. */
  private endUserSession(userId: string): null {
    for (const other of this.tabs.values()) if (other.userId === userId) other.userId = undefined;
    this.sessions.get(userId)?.stop();
    this.sessions.delete(userId);
    this.settings.fanout.publish({ type: 'session:ended', userId });
    return null;
  }

  private leave(tab: Tab, tabId: string): void {
    if (tab.userId) this.sessions.get(tab.userId)?.releaseTab(tabId);
    tab.userId = undefined;
  }

  /**
   * Queues for the tab's life lock, granted to us only once the tab is gone however it went
   * (closed, crashed, killed). Only once the tab's own request is ahead of ours, held or waiting:
   * the tab sends hello without waiting for its lock (a round trip through the browser process,
   * 20-45 ms with 20 tabs open), and a request of ours that came first would be granted at once.
   * A tab whose request never shows died before it was made. What is forgotten is the tab as it
   * was followed: one that said goodbye and came back (from the back/forward cache) under the
   * same id is followed anew.
   */
  private async followTab(tabId: string, lock: string): Promise<void> {
    const { locks } = this.settings.environment;
    const followed = this.tabs.get(tabId);
    const forget = (): void => {
      if (followed && this.tabs.get(tabId) === followed) this.forgetTab(tabId);
    };
    for (let look = 0; ; look++) {
      // Gone meanwhile (goodbye): nothing left to follow.
      if (!followed || this.tabs.get(tabId) !== followed) return;
      const { held = [], pending = [] } = await locks.query();
      if ([...held, ...pending].some((info) => info.name === lock)) break;
      if (look === TAB_LOCK_LOOKS) return forget();
      await new Promise((resolve) => setTimeout(resolve, TAB_LOCK_LOOK_MS));
    }
    void locks.request(lock, {}, forget);
  }

  private forgetTab(tabId: string): void {
    const tab = this.tabs.get(tabId);
    if (!tab) return;
    this.leave(tab, tabId);
    this.tabs.delete(tabId);
    this.settings.fanout.disconnectTab(tabId);
  }
}

/** How often, and how many times, the broker looks for a tab's own lock request (10 s in all). */
const TAB_LOCK_LOOK_MS = 20;
const TAB_LOCK_LOOKS = 500;

/** Inserts per request when the outbox drains: large enough to drain fast, small enough to stay under body limits. */
const DEFAULT_OUTBOX_BATCH = 250;

/** A user's connection settings: defaults, then the broker's, then what the tabs configured. */
function sessionOptions(config: BrokerConfig, settings: BrokerSettings): SessionOptions {
  const base = { ...DEFAULT_CONNECTION_OPTIONS, ...settings.connection };
  const heartbeatIntervalMs = config.heartbeatIntervalMs ?? base.heartbeatIntervalMs;
  return {
    ...base,
    supabaseUrl: config.supabaseUrl,
    anonKey: config.anonKey,
    heartbeatIntervalMs,
    attemptTimeoutMs: attemptTimeoutFor(heartbeatIntervalMs),
    policy: {
      ...base.policy,
      ...(config.maxAttempts === undefined ? {} : { maxAttempts: config.maxAttempts }),
      ...(config.backoffBaseMs === undefined ? {} : { baseMs: config.backoffBaseMs }),
    },
    graceMs: config.graceMs ?? settings.graceMs,
    outboxBatchSize: config.outboxBatchSize ?? DEFAULT_OUTBOX_BATCH,
    hopStamps: config.hopStamps ?? false,
  };
}
