// The Backline client a tab uses: the public facade over worker succession (which broker the tab
// talks to, worker-succession.ts), band delivery (band-delivery.ts) and the app's events
// (app-events.ts). It tells the broker who is signed in and which bands this tab watches, and
// tells each new broker again after a move.
import type { ConnectionState } from '../../contract/connection-state.js';
import type {
  AuthStatus,
  AuthUser,
  BandLive,
  BrokerApi,
  BusEvent,
  ConflictChoice,
  Diagnostics,
  Result,
  SessionInfo,
  SessionScope,
  SignUpRequest,
  TransportMode,
} from '../../contract/protocol.js';
import { TAB_SESSION_KEY } from '../../contract/names.js';
import type { OutboxEntry, Write } from '../../contract/writes.js';
import type { Band, InviteCode } from '../../contract/schema.js';
import { AppEvents } from './app-events.js';
import { parseAuthChange } from './auth-change.js';
import { BandDelivery, isBandBusEvent } from './band-delivery.js';
import { browserEnvironment, watchPage } from './browser-environment.js';
import { BacklineError, unwrap } from './errors.js';
import { Emitter, type BacklineEvents } from './events.js';
import { brokerConfig, type BacklineOptions } from './options.js';
import type { SuccessionEnvironment } from './environment.js';
import type { Transport } from './transport.js';
import { WorkerSuccession } from './worker-succession.js';

export interface Watch {
  /** Resolves when the band is subscribed and caught up. */
  live: Promise<BandLive>;
  unwatch(): void;
}

/** What `write` answers for a write that cancelled out an unsent one (insert then delete). */
const PLACEHOLDER_ENTRY: Omit<OutboxEntry, 'id' | 'write' | 'status'> = {
  order: 0,
  userId: '',
  record: '',
  attempts: 0,
  notBefore: 0,
  error: undefined,
  theirs: undefined,
  createdAt: 0,
};

export class BacklineClient {
  readonly tabId = `tab-${crypto.randomUUID()}`;
  private readonly emitter = new Emitter<BacklineEvents>();
  private readonly appEvents = new AppEvents(this.emitter);
  private readonly delivery = new BandDelivery(this.appEvents, {
    eventsAfter: (bandId, seq) => this.call((broker) => broker.eventsAfter(this.tabId, bandId, seq)),
    lostBand: (error) => error instanceof BacklineError && error.code === 'not_member',
  });
  private succession!: WorkerSuccession;
  /** The app's own session (auth 'app'), handed over at each token refresh. */
  private session: SessionInfo | null = null;
  /** Who this tab acts for: from Backline's auth or from the app's session. */
  private userId: string | undefined;
  /** The signed-in user (Backline's auth): undefined until the stored session has been read. */
  private user: AuthUser | null | undefined;
  /** Bumped at every change of who is signed in, so an answer that was overtaken is dropped. */
  private authEpoch = 0;
  private stopAuth: (() => void) | undefined;
  /**
   * Settles once the broker holds a session, and starts over at a sign-out: a page that renders
   * before auth has loaded, or again at a sign-in in another tab, waits here instead of meeting
   * `no_session`.
   */
  private sessionSet!: Promise<void>;
  private sessionWasSet!: () => void;
  /** The transport the bus is heard on: the newest one registered with (it may still be joining). */
  private busTransport: Transport | undefined;
  private stopListening: (() => void) | undefined;
  private stopWatchingPage: () => void = () => undefined;

  private constructor(
    private readonly authMode: 'backline' | 'app',
    private readonly scope: SessionScope,
  ) {
    this.awaitSession();
  }

  private awaitSession(): void {
    this.sessionSet = new Promise<void>((resolve) => (this.sessionWasSet = resolve));
  }

  static connect(options: BacklineOptions): Promise<BacklineClient> {
    return BacklineClient.connectIn(browserEnvironment(), options, watchPage);
  }

  /**
   * `connect` on the surroundings given: the browser's (connect), or a test's in Node, with
   * `watch` hearing the page's events (none in Node).
   */
  static async connectIn(
    environment: SuccessionEnvironment,
    options: BacklineOptions,
    watch: typeof watchPage = () => () => undefined,
  ): Promise<BacklineClient> {
    const client = new BacklineClient(options.auth ?? 'backline', sessionScope(options.session));
    client.succession = await WorkerSuccession.start(
      environment,
      {
        tabId: client.tabId,
        config: brokerConfig(options),
        transport: options.transport ?? 'auto',
        pingIntervalMs: options.pingIntervalMs ?? 5000,
        pingTimeoutMs: options.pingTimeoutMs ?? 3000,
        startTimeoutMs: options.startTimeoutMs ?? 10_000,
      },
      {
        register: (transport) => client.register(transport),
        signedIn: () => client.userId !== undefined,
        changed: (transport) => client.appEvents.transportChanged(transport),
      },
    );
    client.stopWatchingPage = watch(client);
    return client;
  }

  get mode(): TransportMode {
    return this.transport.mode;
  }

  get modeReason(): string {
    return this.transport.reason;
  }

  get state(): ConnectionState {
    return this.appEvents.state;
  }

  /** The worker generation this tab talks to (it grows when a dead worker is replaced). */
  get generation(): number {
    return this.transport.generation;
  }

  /** How often this tab registered again with a worker that had forgotten it (restarted empty). */
  get repairs(): number {
    return this.succession.repairs;
  }

  on<K extends keyof BacklineEvents>(type: K, handler: (payload: BacklineEvents[K]) => void): () => void {
    return this.emitter.on(type, handler);
  }

  /** The signed-in user (Backline's auth); undefined until the stored session has been read. */
  get currentUser(): AuthUser | null | undefined {
    return this.user;
  }

  /** Signs in every tab of this tab's scope (every tab hears `auth:changed`). */
  async signIn(email: string, password: string): Promise<AuthUser> {
    const user = await this.call((broker) => broker.signIn(this.tabId, { email, password }));
    await this.readAuth('signed-in');
    return user;
  }

  /** Creates an account and signs in; null when the server wants the email confirmed first. */
  async signUp(request: SignUpRequest): Promise<AuthUser | null> {
    const user = await this.call((broker) => broker.signUp(this.tabId, request));
    if (user) await this.readAuth('signed-in');
    return user;
  }

  /** Signs out every tab of the scope: on the server when it can be reached, on this device anyway. */
  async signOut(): Promise<void> {
    await this.call((broker) => broker.signOut(this.tabId));
    this.adopt({ user: null, state: null }, 'signed-out');
  }

  /** With `auth: 'app'`: call on sign-in and on every token refresh; null on sign-out. */
  async setSession(session: SessionInfo | null): Promise<void> {
    if (this.authMode !== 'app')
      throw new BacklineError('invalid_argument', "setSession needs auth: 'app'; sign in with signIn()");
    const userChanged = session?.userId !== this.session?.userId;
    this.session = session;
    this.actFor(session?.userId);
    const state = await this.call((broker) => broker.setSession(this.tabId, session));
    if (session) this.sessionWasSet();
    // A tab that joins late learns the socket's state now rather than at its next change.
    if (userChanged && state && this.session?.userId === session?.userId) this.appEvents.stateChanged(state);
  }

  watchBand(bandId: string): Watch {
    this.delivery.watch(bandId);
    let done = false;
    const live = this.sessionSet
      .then(() => {
        // Unwatched while it waited for a session: asking now would leave a watch nobody ends.
        if (done) throw new BacklineError('closed', `the watch of ${bandId} ended before a session came`);
        return this.call((broker) => broker.watchBand(this.tabId, bandId));
      })
      .then((state) => {
        // A band already live in the broker answers here, without a band:live event.
        this.delivery.live(bandId, state.lastSeq);
        return state;
      });
    return {
      live,
      unwatch: () => {
        if (done) return;
        done = true;
        if (this.delivery.unwatch(bandId)) void this.transport.broker.unwatchBand(this.tabId, bandId);
      },
    };
  }

  /** After creating or joining a band in this tab: subscribes it now and tells the other tabs. */
  async bandAdded(bandId: string): Promise<void> {
    await this.call((broker) => broker.bandAdded(this.tabId, bandId));
  }

  /**
   * Queues a write in the profile's outbox and returns at once with its entry (status pending).
   * It is sent when the network allows, exactly once in effect; watch `outbox:changed`. The entry
   * is `entryId`: make it first to know the write's events as yours however early they arrive.
   */
  async write(write: Write, entryId: string = crypto.randomUUID()): Promise<OutboxEntry> {
    const entries = await this.call((broker) => broker.write(this.tabId, write, entryId));
    // A write folded into an earlier unsent one returns that entry; one that cancelled an unsent insert returns none.
    return entries[0] ?? { ...PLACEHOLDER_ENTRY, id: entryId, write, status: 'confirmed' };
  }

  /** The signed-in user's queued writes, oldest first. Waits for the first session (setSession). */
  async outbox(): Promise<OutboxEntry[]> {
    await this.sessionSet;
    return this.call((broker) => broker.outbox(this.tabId));
  }

  async resolveWrite(entryId: string, choice: ConflictChoice): Promise<void> {
    await this.call((broker) => broker.resolveWrite(this.tabId, entryId, choice));
  }

  /**
   * The band's rows as the broker has them now, even before the band is live (socket down or
   * refused): a page shows its band at once. Waits for the first session, as watchBand does.
   */
  async bandRows(bandId: string): Promise<BandLive> {
    await this.sessionSet;
    return this.call((broker) => broker.bandRows(this.tabId, bandId));
  }

  /** The user's bands by name, from the broker (one read per profile, kept current there). */
  bands(): Promise<Band[]> {
    return this.call((broker) => broker.bands(this.tabId));
  }

  /** The band's invite codes: an admin's (RLS shows a member none). */
  invites(bandId: string): Promise<InviteCode[]> {
    return this.call((broker) => broker.invites(this.tabId, bandId));
  }

  /** A new invite code for the band (admins only: anyone else is refused with request_failed). */
  createInvite(bandId: string): Promise<InviteCode> {
    return this.call((broker) => broker.createInvite(this.tabId, bandId));
  }

  async revokeInvite(inviteId: string): Promise<void> {
    await this.call((broker) => broker.revokeInvite(this.tabId, inviteId));
  }

  /** An admin's new description for the band, saved at once (not queued): the band as saved. */
  describeBand(bandId: string, description: string): Promise<Band> {
    return this.call((broker) => broker.describeBand(this.tabId, bandId, description));
  }

  async retry(): Promise<void> {
    unwrap(await this.transport.broker.retry());
  }

  /** Sends the signed-in user's queued writes now instead of at the end of their backoff. */
  async syncNow(): Promise<void> {
    await this.call((broker) => broker.syncNow(this.tabId));
  }

  diagnostics(): Promise<Diagnostics> {
    return this.transport.broker.diagnostics();
  }

  /**
   * The page goes into the back/forward cache: the tab leaves its broker and closes everything a
   * message could arrive on while cached (Chromium evicts a cached page that is sent one). Called
   * at `pagehide` with `persisted`.
   */
  suspend(): void {
    this.stopAuth?.();
    this.stopAuth = undefined;
    this.listen(undefined);
    this.succession.suspend();
  }

  /**
   * The page is shown again from the back/forward cache: the tab registers anew (session, its
   * watches from its last seq per band) and catches up. Called at `pageshow` with `persisted`.
   */
  resume(): void {
    this.succession.resume();
  }

  /** The broker this tab talks to now (the page's events go to it). */
  get broker(): BrokerApi {
    return this.transport.broker;
  }

  close(): void {
    this.stopAuth?.();
    this.stopListening?.();
    this.stopWatchingPage();
    this.succession.close();
  }

  /** The transport this tab talks to (the last one while a replacement is under way). */
  private get transport(): Transport {
    return this.succession.transport;
  }

  private call<T>(send: (broker: BrokerApi) => Promise<Result<T>>): Promise<T> {
    return this.succession.call(send);
  }

  /** Tells a broker the tab joins everything it has: its session and (after a move) its bands. */
  private async register(transport: Transport): Promise<void> {
    this.listen(transport);
    if (this.authMode === 'backline') {
      this.stopAuth?.();
      this.stopAuth = transport.listenAuth(this.scope, (data) => this.heardAuth(data));
      const epoch = this.authEpoch;
      const status = unwrap(await transport.broker.useAuth(this.tabId, this.scope));
      if (epoch === this.authEpoch && !this.adopt(status, 'loaded')) this.caughtUpState(status.state);
      if (!this.userId) return;
    } else {
      if (!this.session) return;
      this.caughtUpState(unwrap(await transport.broker.setSession(this.tabId, this.session)));
    }
    for (const bandId of this.delivery.bands()) {
      // Its live events are held from now on; the gap is read at once (the new broker has the
      // session), and what is left of it once the band is live there, or its watch failed.
      const resume = this.delivery.holdLiveEvents(bandId);
      this.delivery.readAhead(bandId);
      void transport.broker
        .watchBand(this.tabId, bandId)
        .then(unwrap)
        .catch(() => undefined)
        .then(() => resume?.());
    }
  }

  /** Reads who is signed in from the broker (with their connection's state) and takes it on. */
  private async readAuth(reason: 'signed-in'): Promise<void> {
    const epoch = ++this.authEpoch;
    const status = await this.call((broker) => broker.useAuth(this.tabId, this.scope));
    if (epoch === this.authEpoch) this.adopt(status, reason);
  }

  /** A sign-in or sign-out in some tab of this scope. */
  private heardAuth(data: unknown): void {
    const change = parseAuthChange(data, this.scope);
    if (!change) return;
    // Either way an answer to a question asked before is out of date now.
    this.authEpoch++;
    // The socket's state follows on the user's bus, which the tab hears from now on.
    if (change.type === 'auth:signed-in') this.adopt({ user: change.user, state: null }, 'signed-in');
    else this.adopt({ user: null, state: null }, change.reason);
  }

  /**
   * Backline's auth says who is signed in: the tab acts for them, and the app hears of a change.
   * True when that told the app the user's connection state.
   */
  private adopt(status: AuthStatus, reason: BacklineEvents['auth:changed']['reason']): boolean {
    const before = this.user;
    this.user = status.user;
    const changed = this.actFor(status.user?.id);
    // The broker acts for them already (it answered): watches may go.
    if (status.user) this.sessionWasSet();
    if (changed && status.state) this.appEvents.stateChanged(status.state);
    if (before === undefined || before?.id !== status.user?.id)
      this.emitter.emit('auth:changed', { user: status.user, reason });
    return changed && status.state !== null;
  }

  /**
   * The state a broker registered with again answered (after a move, a repair or the
   * back/forward cache): the bus was not heard meanwhile, so the app may have missed a change.
   */
  private caughtUpState(state: ConnectionState | null): void {
    if (state && JSON.stringify(state) !== JSON.stringify(this.appEvents.state))
      this.appEvents.stateChanged(state);
  }

  /** The tab acts for `userId` now (none: signed out); true when that is a change. */
  private actFor(userId: string | undefined): boolean {
    if (userId === this.userId) return false;
    if (!userId) this.awaitSession();
    this.userId = userId;
    this.listen(this.busTransport);
    this.appEvents.userChanged();
    return true;
  }

  /** Hears the signed-in user's bus on `transport` (nothing when signed out). */
  private listen(transport: Transport | undefined): void {
    this.stopListening?.();
    this.busTransport = transport;
    const userId = this.userId;
    this.stopListening =
      transport && userId ? transport.listen(userId, (events) => this.heard(events)) : undefined;
  }

  /**
   * One way, in the order heard (a band message brings a burst at once): band events through band
   * delivery (in order, once) to the app events; the rest straight there.
   */
  private heard(events: readonly BusEvent[]): void {
    for (const event of events) {
      if (event.userId !== this.userId) continue;
      if (isBandBusEvent(event)) this.delivery.received(event);
      else this.appEvents.received(event);
    }
  }
}

/** The scope a tab signs in with: the profile's, or this tab's own (kept across its reloads). */
function sessionScope(session: BacklineOptions['session']): SessionScope {
  if (session !== 'tab') return 'profile';
  let id = sessionStorage.getItem(TAB_SESSION_KEY);
  if (!id) sessionStorage.setItem(TAB_SESSION_KEY, (id = crypto.randomUUID()));
  return `tab:${id}`;
}
