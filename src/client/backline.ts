// The Backline client a tab uses: pick a transport, tell the broker who is signed in and which
// bands this tab watches, and turn bus events into typed events. If the shared worker stops
// answering, every tab moves to a new worker generation (or to per-tab mode) and re-registers.
import type { BandEvent, BandMembership, Song } from '../data/database.js';
import type { ConnectionState } from '../../worker/core/connection-state.js';
import { INITIAL_STATE } from '../../worker/core/initial-state.js';
import { EVENTS_PAGE } from '../../worker/protocol.js';
import type {
  BandLive,
  BrokerApi,
  BrokerConfig,
  BusEvent,
  ConflictChoice,
  Diagnostics,
  OutboxEntry,
  Result,
  SessionInfo,
  TransportMode,
  Write,
} from '../../worker/protocol.js';
import { Emitter, type BacklineEvents, type RowChange } from './events.js';
import { SharedTransport, sharedWorkerAvailable } from './shared-transport.js';
import { createTabTransport } from './tab-transport.js';
import type { Transport } from './transport.js';

export interface BacklineOptions {
  supabaseUrl: string;
  anonKey: string;
  /** 'auto' (default): shared when SharedWorker works, else per-tab. */
  transport?: 'auto' | 'shared' | 'tab';
  heartbeatIntervalMs?: number;
  graceMs?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  /** Queued inserts sent in one request at most (default 250). */
  outboxBatchSize?: number;
  /** How often the tab checks that the worker answers, and how long it waits. */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
}

export interface Watch {
  /** Resolves when the band is subscribed and caught up. */
  live: Promise<BandLive>;
  unwatch(): void;
}

export class BacklineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
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

const GENERATION_KEY = 'backline:worker-generation';
const CONTROL_CHANNEL = 'backline:control';
const REPLACED = Symbol('broker replaced');
/**
 * Pause after the n-th failed fetch of a resume: 250 ms doubling to 5 s, never giving up. Written
 * out rather than through worker/core/backoff.ts: importing it puts a shared chunk (+0.16 KB gzip)
 * into every tab's bundle.
 */
const resumePause = (failures: number): number => Math.min(5000, 250 * 2 ** (failures - 1));

/** A band being resumed on a new broker: its live events wait here until the gap is filled. */
interface Resume {
  held: BandEvent[];
}

/** The newest worker generation any tab of this profile has moved to. */
const storedGeneration = (): number => Number(localStorage.getItem(GENERATION_KEY) ?? 0);

function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new BacklineError(result.error.code, result.error.message);
  return result.value;
}

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
  private readonly watched = new Map<string, number>();
  /** Per watched band, the last seq this tab delivered: for resuming and dropping repeats. */
  private readonly lastSeq = new Map<string, number>();
  /** Bands being resumed after a broker change: live events wait here until the gap is filled. */
  private readonly resuming = new Map<string, Resume>();
  private stopListening: (() => void) | undefined;
  private current: ConnectionState = INITIAL_STATE;
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
    return this.current;
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
        ? this.transport.listen(session.userId, (event) => this.onBus(event))
        : undefined;
      this.current = INITIAL_STATE;
    }
    const state = await this.call((broker) => broker.setSession(this.tabId, session));
    if (session) this.sessionWasSet();
    // A tab that joins late learns the socket's state now rather than at its next change.
    if (userChanged && state && this.session?.userId === session?.userId) {
      this.current = state;
      this.emitter.emit('realtime:state-changed', state);
    }
  }

  watchBand(bandId: string): Watch {
    this.watched.set(bandId, (this.watched.get(bandId) ?? 0) + 1);
    const live = this.call((broker) => broker.watchBand(this.tabId, bandId)).then((state) => {
      // A band already live in the broker answers here, without a band:live event.
      if (this.watched.has(bandId) && !this.lastSeq.has(bandId)) this.lastSeq.set(bandId, state.lastSeq);
      return state;
    });
    let done = false;
    return {
      live,
      unwatch: () => {
        if (done) return;
        done = true;
        const left = (this.watched.get(bandId) ?? 1) - 1;
        if (left > 0) return void this.watched.set(bandId, left);
        this.watched.delete(bandId);
        this.lastSeq.delete(bandId);
        this.resuming.delete(bandId);
        void this.transport.broker.unwatchBand(this.tabId, bandId);
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
    this.locked = holdTabLock(`backline:tab:${this.tabId}`);
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
    const config: BrokerConfig = { supabaseUrl: this.options.supabaseUrl, anonKey: this.options.anonKey };
    if (this.options.heartbeatIntervalMs !== undefined)
      config.heartbeatIntervalMs = this.options.heartbeatIntervalMs;
    if (this.options.graceMs !== undefined) config.graceMs = this.options.graceMs;
    if (this.options.maxAttempts !== undefined) config.maxAttempts = this.options.maxAttempts;
    if (this.options.backoffBaseMs !== undefined) config.backoffBaseMs = this.options.backoffBaseMs;
    if (this.options.outboxBatchSize !== undefined) config.outboxBatchSize = this.options.outboxBatchSize;
    const timeout = this.options.pingTimeoutMs ?? 3000;
    let lifeLock: string | null;
    try {
      // Posted back to back: the port keeps their order, so hello is handled after configure.
      const configured = withTimeout(transport.broker.configure(config), timeout);
      configured.catch(() => undefined); // awaited below, after the lock
      await this.locked;
      const hello = withTimeout(transport.broker.hello(this.tabId, `backline:tab:${this.tabId}`), timeout);
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
      this.stopListening = transport.listen(this.session.userId, (event) => this.onBus(event));
      unwrap(await transport.broker.setSession(this.tabId, this.session));
      for (const bandId of this.watched.keys()) {
        // A newer resume of the band (after another replacement) supersedes this one.
        const resume: Resume | undefined = this.lastSeq.has(bandId) ? { held: [] } : undefined;
        if (resume) this.resuming.set(bandId, resume);
        // Fetch the gap once the band is live on the new broker (its live events are held from
        // now on), or at once if the watch failed: the gap is owed either way.
        void transport.broker
          .watchBand(this.tabId, bandId)
          .then(unwrap)
          .catch(() => undefined)
          .then(() => (resume ? this.resume(bandId, resume) : undefined));
      }
    }
    this.emitter.emit('transport:changed', {
      mode: transport.mode,
      reason: transport.reason,
      generation: transport.generation,
    });
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

  /**
   * Emits a band event unless this tab has had it: a worker generation being replaced may still
   * publish for a moment, and a resume may overlap what the new one sends.
   */
  private deliver(event: BandEvent): void {
    const last = this.lastSeq.get(event.band_id);
    if (last !== undefined && event.seq <= last) return;
    this.lastSeq.set(event.band_id, event.seq);
    this.emitter.emit('band:event', event);
    const change = {
      bandId: event.band_id,
      seq: event.seq,
      op: event.op,
      record: event.record,
      oldRecord: event.old_record,
      actor: event.actor,
    };
    if (event.table_name === 'songs') this.emitter.emit('songs:changed', change as RowChange<Song>);
    if (event.table_name === 'band_memberships') {
      this.emitter.emit('members:changed', change as RowChange<BandMembership>);
    }
  }

  /**
   * After moving to a new broker: fetch what this tab missed since its last event, deliver it in
   * order, then what the new broker sent meanwhile (held back until now). A failed fetch (the
   * network, a broker replaced again) is retried: releasing the held events over a gap would
   * skip it for good. Only a band the user lost, or a newer resume, ends it early.
   */
  private async resume(bandId: string, resume: Resume): Promise<void> {
    const current = (): boolean => this.resuming.get(bandId) === resume;
    for (let failures = 0; current();) {
      const last = this.lastSeq.get(bandId) ?? 0;
      // The new broker's live events already start right after this tab's last: no gap left.
      if (resume.held.some((event) => event.seq === last + 1)) break;
      try {
        const page = await this.call((broker) => broker.eventsAfter(this.tabId, bandId, last));
        if (!current()) return;
        page.forEach((event) => this.deliver(event));
        if (page.length < EVENTS_PAGE) break;
        failures = 0;
      } catch (error) {
        if (error instanceof BacklineError && error.code === 'not_member') break;
        await new Promise((resolve) => setTimeout(resolve, resumePause(++failures)));
      }
    }
    if (!current()) return;
    this.resuming.delete(bandId);
    resume.held.sort((a, b) => a.seq - b.seq).forEach((event) => this.deliver(event));
  }

  private onBus(event: BusEvent): void {
    if (event.userId !== this.session?.userId) return;
    switch (event.type) {
      case 'band:event': {
        // The bus reaches every tab of the user; each tab hears only the bands it watches.
        if (!this.watched.has(event.bandId)) return;
        const resume = this.resuming.get(event.bandId);
        if (resume) resume.held.push(event.event);
        else this.deliver(event.event);
        return;
      }
      case 'band:live':
        if (!this.watched.has(event.bandId)) return;
        if (!this.lastSeq.has(event.bandId)) this.lastSeq.set(event.bandId, event.lastSeq);
        this.emitter.emit('band:live', { bandId: event.bandId, lastSeq: event.lastSeq });
        return;
      case 'band:caught-up':
        if (this.watched.has(event.bandId))
          this.emitter.emit('band:caught-up', { bandId: event.bandId, count: event.count });
        return;
      case 'band:created':
      case 'band:joined':
      case 'band:left':
        return this.emitter.emit(event.type, { bandId: event.bandId });
      case 'realtime:state-changed':
        this.current = event.state;
        return this.emitter.emit('realtime:state-changed', event.state);
      case 'realtime:max-retries-exceeded':
        return this.emitter.emit('realtime:max-retries-exceeded', event.state);
      case 'outbox:changed':
        for (const change of event.changes) this.emitter.emit('outbox:changed', change);
        return;
      case 'session:refresh-needed':
        return this.emitter.emit('session:refresh-needed', { userId: event.userId });
      case 'session:ended':
        this.current = INITIAL_STATE;
        return this.emitter.emit('session:ended', { userId: event.userId });
    }
  }
}
