// The Backline client a tab uses: pick a transport, tell the broker who is signed in and which
// bands this tab watches, and turn bus events into typed events. If the shared worker stops
// answering, every tab moves to a new worker generation (or to per-tab mode) and re-registers.
import type { ConnectionState } from '../../contract/connection-state.js';
import { CONTROL_CHANNEL, GENERATION_KEY, tabLock } from '../../contract/names.js';
import type {
  BandLive,
  BrokerApi,
  BusEvent,
  ConflictChoice,
  Diagnostics,
  Result,
  SessionInfo,
  TransportMode,
} from '../../contract/protocol.js';
import type { OutboxEntry, Write } from '../../contract/writes.js';
import { AppEvents } from './app-events.js';
import { BandDelivery, isBandBusEvent } from './band-delivery.js';
import { BacklineError, unwrap } from './errors.js';
import { Emitter, type BacklineEvents } from './events.js';
import { brokerConfig, type BacklineOptions } from './options.js';
import { SharedTransport, sharedWorkerAvailable } from './shared-transport.js';
import { createTabTransport } from './tab-transport.js';
import type { Transport } from './transport.js';

export interface Watch {
  /** Resolves when the band is subscribed and caught up. */
  live: Promise<BandLive>;
  unwatch(): void;
}

/** What `write` answers for a write that cancelled out an unsent one (insert then delete). */
const PLACEHOLDER_ENTRY: Omit<OutboxEntry, 'write' | 'status'> = {
  id: '',
  order: 0,
  userId: '',
  record: '',
  attempts: 0,
  notBefore: 0,
  error: undefined,
  theirs: undefined,
  createdAt: 0,
};

const REPLACED = Symbol('broker replaced');

/** The newest worker generation any tab of this profile has moved to. */
const storedGeneration = (): number => Number(localStorage.getItem(GENERATION_KEY) ?? 0);

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new BacklineError('timeout', `no answer in ${ms} ms`)), ms),
    ),
  ]);
}

/** Holds a Web Lock named after this tab for as long as the page lives; resolves once it is held. */
function holdTabLock(name: string): Promise<void> {
  return new Promise((held) => {
    void navigator.locks.request(name, () => {
      held();
      return new Promise<never>(() => undefined);
    });
  });
}

export class BacklineClient {
  readonly tabId = `tab-${crypto.randomUUID()}`;
  private readonly emitter = new Emitter<BacklineEvents>();
  private transport!: Transport;
  private session: SessionInfo | null = null;
  /** Settles when the broker first holds a session: a page that renders before auth has loaded waits here. */
  private sessionWasSet: () => void = () => undefined;
  private readonly sessionSet = new Promise<void>((resolve) => (this.sessionWasSet = resolve));
  private readonly appEvents = new AppEvents(this.emitter);
  private readonly bands = new BandDelivery(this.appEvents, {
    eventsAfter: (bandId, seq) => this.call((broker) => broker.eventsAfter(this.tabId, bandId, seq)),
    lostBand: (error) => error instanceof BacklineError && error.code === 'not_member',
  });
  private stopListening: (() => void) | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private replacing: Promise<void> | undefined;
  private readonly control = new BroadcastChannel(CONTROL_CHANNEL);
  private readonly cleanup: (() => void)[] = [];
  /** Settles once this tab holds the Web Lock named after it (see attach). */
  private locked: Promise<void> = Promise.resolve();
  /** Cancels this tab's place in the queue for the current worker's life lock. */
  private stopAwaitingDeath: AbortController | undefined;

  private constructor(private readonly options: BacklineOptions) {}

  static async connect(options: BacklineOptions): Promise<BacklineClient> {
    const client = new BacklineClient(options);
    await client.start();
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

  on<K extends keyof BacklineEvents>(type: K, handler: (payload: BacklineEvents[K]) => void): () => void {
    return this.emitter.on(type, handler);
  }

  /** Call on sign-in and on every token refresh; null on sign-out. */
  async setSession(session: SessionInfo | null): Promise<void> {
    const userChanged = session?.userId !== this.session?.userId;
    this.session = session;
    if (userChanged) {
      this.stopListening?.();
      this.stopListening = session
        ? this.transport.listen(session.userId, (event) => this.heard(event))
        : undefined;
      this.appEvents.userChanged();
    }
    const state = await this.call((broker) => broker.setSession(this.tabId, session));
    if (session) this.sessionWasSet();
    // A tab that joins late learns the socket's state now rather than at its next change.
    if (userChanged && state && this.session?.userId === session?.userId) {
      this.appEvents.stateChanged(state);
    }
  }

  watchBand(bandId: string): Watch {
    this.bands.watch(bandId);
    const live = this.call((broker) => broker.watchBand(this.tabId, bandId)).then((state) => {
      // A band already live in the broker answers here, without a band:live event.
      this.bands.live(bandId, state.lastSeq);
      return state;
    });
    let done = false;
    return {
      live,
      unwatch: () => {
        if (done) return;
        done = true;
        if (this.bands.unwatch(bandId)) void this.transport.broker.unwatchBand(this.tabId, bandId);
      },
    };
  }

  /** After creating or joining a band in this tab: subscribes it now and tells the other tabs. */
  async bandAdded(bandId: string): Promise<void> {
    await this.call((broker) => broker.bandAdded(this.tabId, bandId));
  }

  /**
   * Queues a write in the profile's outbox and returns at once with its entry (status pending).
   * It is sent when the network allows, exactly once in effect; watch `outbox:changed`.
   */
  async write(write: Write): Promise<OutboxEntry> {
    const entries = await this.call((broker) => broker.write(this.tabId, write));
    // A write folded into an earlier unsent one returns that entry; one that cancelled an unsent insert returns none.
    return entries[0] ?? { ...PLACEHOLDER_ENTRY, write, status: 'confirmed' };
  }

  /** The signed-in user's queued writes, oldest first. Waits for the first session (setSession). */
  async outbox(): Promise<OutboxEntry[]> {
    await this.sessionSet;
    return this.call((broker) => broker.outbox(this.tabId));
  }

  async resolveWrite(entryId: string, choice: ConflictChoice): Promise<void> {
    await this.call((broker) => broker.resolveWrite(this.tabId, entryId, choice));
  }

  async retry(): Promise<void> {
    unwrap(await this.transport.broker.retry());
  }

  diagnostics(): Promise<Diagnostics> {
    return this.transport.broker.diagnostics();
  }

  close(): void {
    clearInterval(this.pingTimer);
    this.stopAwaitingDeath?.abort();
    this.stopListening?.();
    this.cleanup.forEach((undo) => undo());
    this.control.close();
    void this.transport.broker.goodbye(this.tabId).finally(() => this.transport.close());
  }

  /**
   * A call the tab must not lose: if the broker is replaced before it answers (a dead worker never
   * will), the call goes again to the next one. Safe to repeat: an unsent write repeated folds
   * into the first, and an insert carries its row's id.
   */
  private async call<T>(send: (broker: BrokerApi) => Promise<Result<T>>): Promise<T> {
    for (;;) {
      const transport = this.transport;
      const pending = send(transport.broker);
      let stop = (): void => undefined;
      const replaced = new Promise<typeof REPLACED>((resolve) => {
        stop = this.emitter.on('transport:changed', () => resolve(REPLACED));
      });
      try {
        const answer = await Promise.race([pending, replaced]);
        if (answer !== REPLACED) return unwrap(answer);
        // Sent to the new broker already (it was attached before it was announced): wait for it.
        if (this.transport === transport) return unwrap(await pending);
      } finally {
        stop();
      }
    }
  }

  private async start(): Promise<void> {
    // Requested now and awaited only before hello: the lock goes through the browser process,
    // which is slow on a busy machine, and the worker can start meanwhile.
    this.locked = holdTabLock(tabLock(this.tabId));
    const wanted = this.options.transport ?? 'auto';
    const generation = storedGeneration();
    if (wanted !== 'tab' && sharedWorkerAvailable()) {
      try {
        await this.attach(new SharedTransport(generation, 'SharedWorker is available'));
      } catch (error) {
        if (wanted === 'shared') throw error;
        await this.attach(
          await createTabTransport(`SharedWorker failed to start: ${String(error)}`, generation),
        );
      }
    } else {
      const reason = wanted === 'tab' ? 'per-tab mode was asked for' : 'this browser has no SharedWorker';
      await this.attach(await createTabTransport(reason, generation));
    }
    this.watchBrowser();
    this.control.onmessage = (message: MessageEvent<{ generation?: unknown }>) => {
      const next = message.data.generation;
      if (typeof next === 'number' && next > this.transport.generation) void this.replaceWorker(next);
    };
  }

  /**
   * Registers this tab with a broker: configure, hello (once the tab holds its lock, which the
   * broker waits on to learn the tab is gone), and (after a replacement) everything it had.
   */
  private async attach(transport: Transport): Promise<void> {
    const timeout = this.options.pingTimeoutMs ?? 3000;
    let lifeLock: string | null;
    try {
      // Posted back to back: the port keeps their order, so hello is handled after configure.
      const configured = withTimeout(transport.broker.configure(brokerConfig(this.options)), timeout);
      configured.catch(() => undefined); // awaited below, after the lock
      await this.locked;
      const hello = withTimeout(transport.broker.hello(this.tabId, tabLock(this.tabId)), timeout);
      unwrap(await configured);
      lifeLock = unwrap(await hello).lifeLock;
    } catch (error) {
      transport.close();
      throw error;
    }
    this.transport = transport;
    this.awaitWorkerDeath(transport, lifeLock);
    if (this.session) {
      this.stopListening?.();
      this.stopListening = transport.listen(this.session.userId, (event) => this.heard(event));
      unwrap(await transport.broker.setSession(this.tabId, this.session));
      for (const bandId of this.bands.bands()) {
        // Its live events are held from now on; the gap is fetched once the band is live on the
        // new broker, or at once if the watch failed: it is owed either way.
        const resume = this.bands.holdLiveEvents(bandId);
        void transport.broker
          .watchBand(this.tabId, bandId)
          .then(unwrap)
          .catch(() => undefined)
          .then(() => resume?.());
      }
    }
    this.appEvents.transportChanged(transport);
    clearInterval(this.pingTimer);
    if (transport.mode === 'shared') {
      this.pingTimer = setInterval(() => void this.checkWorker(), this.options.pingIntervalMs ?? 5000);
    }
  }

  private async checkWorker(): Promise<void> {
    if (this.replacing) return;
    try {
      await withTimeout(this.transport.broker.ping(), this.options.pingTimeoutMs ?? 3000);
    } catch {
      await this.moveToNextWorker();
    }
  }

  /** Queues for the worker's life lock: granted only once that worker is gone, however it went. */
  private awaitWorkerDeath(transport: Transport, lockName: string | null): void {
    this.stopAwaitingDeath?.abort();
    if (!lockName) return;
    const abort = new AbortController();
    this.stopAwaitingDeath = abort;
    // Shared: every tab is granted it together when the worker's hold ends, and all of them
    // move to the one generation after the dead one, so none waits for another.
    navigator.locks
      .request(lockName, { mode: 'shared', signal: abort.signal }, () => {
        if (this.transport === transport && !this.replacing)
          void this.moveToNextWorker(transport.generation + 1);
      })
      .catch(() => undefined); // aborted: this tab moved on already
  }

  /**
   * Starts the next worker generation and tells the other tabs to follow: `next`, or one past the
   * newest this profile has seen.
   */
  private async moveToNextWorker(next?: number): Promise<void> {
    const stored = storedGeneration();
    next ??= Math.max(this.transport.generation, stored) + 1;
    if (next > stored) localStorage.setItem(GENERATION_KEY, String(next));
    this.control.postMessage({ generation: next });
    await this.replaceWorker(next);
  }

  /** A SharedWorker that stopped answering stays unreachable under its name: start the next one. */
  private replaceWorker(generation: number): Promise<void> {
    this.replacing ??= (async () => {
      const old = this.transport;
      clearInterval(this.pingTimer);
      this.stopAwaitingDeath?.abort();
      old.close();
      try {
        await this.attach(
          new SharedTransport(
            generation,
            `worker generation ${generation} replaced one that stopped answering`,
          ),
        );
      } catch (error) {
        await this.attach(
          await createTabTransport(`the replacement worker failed too: ${String(error)}`, generation),
        );
      }
    })().finally(() => {
      this.replacing = undefined;
    });
    return this.replacing;
  }

  private watchBrowser(): void {
    const online = (): void => void this.transport.broker.networkChanged(true);
    const offline = (): void => void this.transport.broker.networkChanged(false);
    const visible = (): void => {
      if (document.visibilityState === 'visible') void this.transport.broker.tabVisible();
    };
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    document.addEventListener('visibilitychange', visible);
    const goodbye = (): void => void this.transport.broker.goodbye(this.tabId);
    window.addEventListener('pagehide', goodbye);
    this.cleanup.push(() => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      document.removeEventListener('visibilitychange', visible);
      window.removeEventListener('pagehide', goodbye);
    });
  }

  /** One way: band events through band delivery (in order, once) to the app events; the rest straight there. */
  private heard(event: BusEvent): void {
    if (event.userId !== this.session?.userId) return;
    if (isBandBusEvent(event)) this.bands.received(event);
    else this.appEvents.received(event);
  }
}
