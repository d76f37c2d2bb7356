// A fake browser profile for worker succession tests: one SharedWorker per generation (shared by
// every tab that opens that name), which holds its life lock in the in-memory locks while it
// lives; per-tab brokers; one stored generation; one control channel (a real BroadcastChannel,
// which Node has). Transports record every call sent over them; a closed transport delivers
// nothing, and a hung or dead worker answers nothing.
import type { BandRows, BrokerApi, Result, TransportMode } from '../../contract/protocol.js';
import { workerLifeLock } from '../../contract/names.js';
import type { ControlChannel, SuccessionEnvironment, Timers } from '../../src/client/environment.js';
import type { Transport } from '../../src/client/transport.js';
import { browserTimers } from '../../src/client/browser-environment.js';
import { BacklineError } from '../../src/client/errors.js';
import {
  WorkerSuccession,
  type SuccessionOptions,
  type SuccessionState,
} from '../../src/client/worker-succession.js';
import { MemoryLocks } from '../support/memory-locks.js';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** A band with no members or songs, as a fake broker's watches answer. */
const emptyRows = (bandId: string): BandRows => ({
  status: 'present',
  band: { id: bandId, name: 'Band', description: '', created_by: null, created_at: '', updated_at: '' },
  members: [],
  songs: [],
});

export class FakeWorker {
  health: 'alive' | 'hung' | 'dead' = 'alive';
  /** Its script cannot be loaded: the browser fires `error` at it, and it never answers. */
  unloadable = false;
  /** Every call that reached this broker, by method (pings left out). */
  readonly calls: string[] = [];
  readonly lifeLock: string | null = null;
  /** Hello.instance: a new one when the worker restarts with empty state (forget). */
  instance: string = crypto.randomUUID();
  /** Forgets every tab as soon as it has answered its hello. */
  amnesiac = false;
  /** The tabs that said hello to this instance. */
  private readonly known = new Set<string>();
  private readonly lifeLockHeld: Promise<void> = Promise.resolve();
  private releaseLifeLock = (): void => undefined;
  private helloHeld: Promise<void> = Promise.resolve();

  constructor(
    readonly generation: number,
    readonly mode: TransportMode,
    locks: MemoryLocks,
  ) {
    if (mode !== 'shared') return;
    const lifeLock = (this.lifeLock = workerLifeLock(generation));
    this.lifeLockHeld = new Promise((held) => {
      void locks.request(lifeLock, {}, () => {
        held();
        return new Promise<void>((release) => (this.releaseLifeLock = release));
      });
    });
  }

  /** The worker's process ends: its life lock is released, and it never answers again. */
  kill(): void {
    this.health = 'dead';
    this.releaseLifeLock();
  }

  /** Its next hello waits until the returned function is called. */
  holdHello(): () => void {
    let answer = (): void => undefined;
    this.helloHeld = new Promise((resolve) => (answer = resolve));
    return answer;
  }

  /**
   * Restarts with empty state behind the same ports, as WebKit re-runs a shared worker: a new
   * instance, which knows no tab; its life lock stays held.
   */
  forget(): void {
    this.instance = crypto.randomUUID();
    this.known.clear();
  }

  /** Alive (its life lock held) but answering nothing, pings included. */
  hang(): void {
    this.health = 'hung';
  }

  readonly broker: BrokerApi = {
    configure: () => this.answer('configure', undefined, null),
    hello: async (tabId) => {
      await this.lifeLockHeld;
      await this.helloHeld;
      if (!this.amnesiac) this.known.add(tabId);
      return this.answer('hello', undefined, {
        generation: this.generation,
        instance: this.instance,
        mode: this.mode,
        lifeLock: this.lifeLock,
      });
    },
    useAuth: (tabId) => this.answer('useAuth', tabId, { user: null, state: null }),
    signIn: (tabId) => this.answer('signIn', tabId, { id: '', email: null, name: null }),
    signUp: (tabId) => this.answer('signUp', tabId, null),
    signOut: (tabId) => this.answer('signOut', tabId, null),
    setSession: (tabId) => this.answer('setSession', tabId, null),
    watchBand: (tabId, bandId) =>
      this.answer('watchBand', tabId, { bandId, lastSeq: 0, rows: emptyRows(bandId) }),
    unwatchBand: (tabId) => this.answer('unwatchBand', tabId, null),
    eventsAfter: (tabId) => this.answer('eventsAfter', tabId, []),
    bandRows: () => never(),
    bands: (tabId) => this.answer('bands', tabId, []),
    bandAdded: (tabId) => this.answer('bandAdded', tabId, null),
    invites: (tabId) => this.answer('invites', tabId, []),
    createInvite: () => never(),
    revokeInvite: (tabId) => this.answer('revokeInvite', tabId, null),
    describeBand: () => never(),
    retry: () => this.answer('retry', undefined, null),
    syncNow: (tabId) => this.answer('syncNow', tabId, null),
    networkChanged: () => this.answer('networkChanged', undefined, null),
    tabVisible: () => this.answer('tabVisible', undefined, null),
    write: (tabId) => this.answer('write', tabId, []),
    outbox: (tabId) => this.answer('outbox', tabId, []),
    resolveWrite: (tabId) => this.answer('resolveWrite', tabId, null),
    bandPort: (tabId) => this.answer('bandPort', tabId, null),
    diagnostics: never,
    ping: () => (this.health === 'alive' ? Promise.resolve(this.instance) : never()),
    goodbye: (tabId) => {
      const answer = this.answer('goodbye', tabId, null);
      this.known.delete(tabId);
      return answer;
    },
  };

  /** A call of `tabId` (undefined: a call about no tab) is answered only if it said hello to this instance. */
  private answer<T>(method: string, tabId: string | undefined, value: T): Promise<Result<T>> {
    this.calls.push(method);
    if (this.health !== 'alive') return never();
    if (tabId !== undefined && !this.known.has(tabId))
      return Promise.resolve({ ok: false, error: { code: 'unknown_tab', message: 'call hello() first' } });
    return Promise.resolve({ ok: true, value });
  }
}

export class FakeTransport implements Transport {
  closed = false;
  /** Every call the tab sent over this transport, delivered or not. */
  readonly sent: string[] = [];
  readonly broker: BrokerApi;
  readonly failed: Promise<never>;

  constructor(
    readonly worker: FakeWorker,
    readonly reason: string,
  ) {
    this.failed = worker.unloadable
      ? Promise.reject(new BacklineError('worker_failed', 'the SharedWorker could not load its script'))
      : never();
    this.failed.catch(() => undefined);
    this.broker = new Proxy(worker.broker, {
      get: (target, method: keyof BrokerApi) => {
        if (method !== 'ping') this.sent.push(method);
        return this.closed ? never : Reflect.get(target, method);
      },
    });
  }

  get mode(): TransportMode {
    return this.worker.mode;
  }

  get generation(): number {
    return this.worker.generation;
  }

  listen(): () => void {
    return () => undefined;
  }

  openBandRoute(): Promise<void> {
    return Promise.resolve();
  }

  listenAuth(): () => void {
    return () => undefined;
  }

  close(): void {
    this.closed = true;
  }
}

/** The browser's timers are the global ones, which the tests fake. */
const timers: Timers = browserTimers;

export const PING = { pingIntervalMs: 1000, pingTimeoutMs: 500 };
/** How long a fake broker just started may take to answer the handshake: well past a ping's deadline. */
export const START_TIMEOUT_MS = 4000;

export class FakeProfile {
  readonly locks = new MemoryLocks();
  stored = 0;
  /** Generations whose SharedWorker starts hung: hello is never answered. */
  readonly broken = new Set<number>();
  /** Generations whose SharedWorker script fails to load (the browser's `error` event). */
  readonly unloadable = new Set<number>();
  /** Every transport opened, as `<tab> <mode> <generation>`. */
  readonly opened: string[] = [];
  readonly transports: FakeTransport[] = [];
  /** Set to make per-tab mode fail to start. */
  tabFailure: Error | undefined;
  private readonly workers = new Map<number, FakeWorker>();
  private readonly channelName = `control-${crypto.randomUUID()}`;
  private readonly channels: BroadcastChannel[] = [];
  private readonly tabs: WorkerSuccession[] = [];
  private heldMessages: (() => void)[] | undefined;

  /** The SharedWorker named for `generation`, started on first use as a browser does. */
  worker(generation: number): FakeWorker {
    let worker = this.workers.get(generation);
    if (!worker) {
      worker = new FakeWorker(generation, 'shared', this.locks);
      if (this.broken.has(generation)) worker.hang();
      if (this.unloadable.has(generation)) {
        worker.hang();
        worker.unloadable = true;
      }
      this.workers.set(generation, worker);
    }
    return worker;
  }

  /** A tab of this profile, attached to its first broker; `moves` lists where it went. */
  async openTab(name: string, options: Partial<SuccessionOptions> = {}): Promise<FakeTab> {
    const tab = new FakeTab();
    const succession = await WorkerSuccession.start(
      this.environment(name),
      {
        tabId: name,
        config: { supabaseUrl: 'u', anonKey: 'k' },
        transport: 'auto',
        ...PING,
        startTimeoutMs: START_TIMEOUT_MS,
        ...options,
      },
      {
        register: (transport) => tab.registered(transport),
        signedIn: () => false,
        changed: (transport) => tab.changed(transport),
      },
    );
    this.tabs.push(succession);
    tab.succession = succession;
    return tab;
  }

  /** Control messages wait from now until the returned function sends them. */
  holdControlMessages(): () => void {
    const held: (() => void)[] = (this.heldMessages = []);
    return () => {
      this.heldMessages = undefined;
      held.forEach((send) => send());
    };
  }

  close(): void {
    this.tabs.forEach((tab) => tab.close());
    this.channels.forEach((channel) => channel.close());
  }

  private environment(tab: string): SuccessionEnvironment {
    const open = (worker: FakeWorker, reason: string): FakeTransport => {
      const transport = new FakeTransport(worker, reason);
      this.opened.push(`${tab} ${worker.mode} ${worker.generation}`);
      this.transports.push(transport);
      return transport;
    };
    const control = (): ControlChannel => {
      const channel = new BroadcastChannel(this.channelName);
      this.channels.push(channel);
      return {
        postMessage: (message) => {
          if (this.heldMessages) this.heldMessages.push(() => channel.postMessage(message));
          else channel.postMessage(message);
        },
        get onmessage() {
          return channel.onmessage;
        },
        set onmessage(handler) {
          channel.onmessage = handler;
        },
        close: () => channel.close(),
      };
    };
    return {
      transports: {
        sharedWorkerAvailable: true,
        shared: (generation, reason) => open(this.worker(generation), reason),
        tab: (reason, generation) =>
          this.tabFailure
            ? Promise.reject(this.tabFailure)
            : Promise.resolve(open(new FakeWorker(generation, 'tab', this.locks), reason)),
      },
      generations: { get: () => this.stored, set: (generation) => (this.stored = generation) },
      control,
      locks: this.locks,
      timers,
    };
  }
}

export class FakeTab {
  succession!: WorkerSuccession;
  /** Every transport the tab was told it talks to, as `<mode> <generation>`. */
  readonly moves: string[] = [];
  /** Every broker the tab told what it has (hooks.register), as `<mode> <generation>`. */
  readonly registrations: string[] = [];
  private readonly waiting = new Set<() => void>();

  get state(): SuccessionState {
    return this.succession.current;
  }

  registered(transport: Transport): Promise<void> {
    this.registrations.push(`${transport.mode} ${transport.generation}`);
    return Promise.resolve();
  }

  changed(transport: Transport): void {
    this.moves.push(`${transport.mode} ${transport.generation}`);
    this.waiting.forEach((check) => check());
  }

  /** Resolves once the tab has moved to `move` (`<mode> <generation>`). */
  movedTo(move: string): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!this.moves.includes(move)) return;
        this.waiting.delete(check);
        resolve();
      };
      this.waiting.add(check);
      check();
    });
  }
}
