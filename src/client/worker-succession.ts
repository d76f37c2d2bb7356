// Which broker this tab talks to, and the move to the next one when a shared worker dies. Owns
// the first choice of transport, the handshake with each broker (broker-handshake.ts), queueing
// for the worker's life lock, the ping timer, moving every tab of the profile to the same next
// worker generation (stored generation plus a control message), falling back to per-tab mode
// when a replacement fails, and the rule that a call goes to the broker that will answer it,
// once. Its state is one value; its environment (environment.ts) comes in as an argument.
import { assertNever } from '../../contract/assert-never.js';
import type { BrokerApi, BrokerConfig, Result } from '../../contract/protocol.js';
import { holdTabLock, joinBroker, withTimeout, type Handshake, type Joined } from './broker-handshake.js';
import type { ControlChannel, SuccessionEnvironment } from './environment.js';
import { BacklineError, unwrap } from './errors.js';
import type { Transport } from './transport.js';

export type TransportChoice = 'auto' | 'shared' | 'tab';

export interface SuccessionOptions {
  tabId: string;
  config: BrokerConfig;
  transport: TransportChoice;
  pingIntervalMs: number;
  /** How long a ping may take before the broker counts as gone. */
  pingTimeoutMs: number;
  /** How long a broker just started may take to answer the handshake (Handshake.startTimeoutMs). */
  startTimeoutMs: number;
}

export interface SuccessionHooks {
  /** Tells a joining broker what the tab has (session, watched bands); calls wait for it. */
  register(transport: Transport): Promise<void>;
  /** Whether the tab acts for a signed-in user: then a broker answering `no_session` forgot it. */
  signedIn(): boolean;
  /** The tab talks to `transport` now. */
  changed(transport: Transport): void;
}

export type SuccessionState =
  /**
   * `instance`: the broker's (Hello.instance). `ended` settles when the tab leaves this broker
   * (or registers with it again); `leave` stops its ping and life-lock wait.
   */
  | { kind: 'attached'; transport: Transport; instance: string; ended: Promise<void>; leave: () => void }
  /**
   * Starting worker `generation` (or per-tab mode at it), or registering again with `previous`
   * when it forgot the tab; `done` settles once that is over.
   */
  | { kind: 'replacing'; generation: number; previous: Transport; done: Promise<void> }
  /**
   * The page is in the back/forward cache: it has left its broker and holds nothing another
   * context could want (ports, channels, locks), since a message or a lock wanted there makes
   * Chromium evict it. `resumed` settles when the page is shown again (`wake`).
   */
  | { kind: 'suspended'; last: Transport; resumed: Promise<void>; wake: () => void }
  | { kind: 'closed'; last: Transport; reason: string };

/** Where a tab whose broker stopped answering moves: where the profile went already, or one on. */
export const nextGeneration = (current: number, stored: number): number =>
  stored > current ? stored : current + 1;

/** The generation a control message asks for, if it is one. */
export function requestedGeneration(data: unknown): number | undefined {
  const generation = (data as { generation?: unknown } | null)?.generation;
  return typeof generation === 'number' && Number.isInteger(generation) ? generation : undefined;
}

const LEFT = Symbol('broker left');

type Attached = Extract<SuccessionState, { kind: 'attached' }>;

/**
 * How many times one call may meet a broker that forgot the tab and wait for the tab to register
 * again: a broker that forgets again at once is answered with its error rather than in a loop.
 */
const REPAIRS_PER_CALL = 2;

export class WorkerSuccession {
  /** Set by `attach` in the constructor, and only ever replaced whole. */
  private state!: SuccessionState;
  private repairCount = 0;
  private control: ControlChannel;
  private releaseTabLock: () => void;

  private constructor(
    private readonly env: SuccessionEnvironment,
    private readonly options: SuccessionOptions,
    private readonly hooks: SuccessionHooks,
    private readonly handshake: Handshake,
    first: Joined,
    releaseTabLock: () => void,
  ) {
    this.releaseTabLock = releaseTabLock;
    this.attach(first);
    this.control = this.openControl();
  }

  /** Attaches to the first broker: shared where wanted and working, else per-tab. */
  static async start(
    env: SuccessionEnvironment,
    options: SuccessionOptions,
    hooks: SuccessionHooks,
  ): Promise<WorkerSuccession> {
    const handshake: Handshake = {
      tabId: options.tabId,
      config: options.config,
      startTimeoutMs: options.startTimeoutMs,
      timers: env.timers,
      register: (transport) => hooks.register(transport),
    };
    // Asked for before any hello and never waited for: granted through the browser process, slow
    // on a busy machine (20-45 ms with 20 tabs open), while the broker needs only the request.
    const releaseTabLock = holdTabLock(env.locks, options.tabId);
    const { transports } = env;
    const generation = env.generations.get();
    const join = (open: () => Transport | Promise<Transport>): Promise<Joined> => joinBroker(open, handshake);
    let first: Joined;
    if (options.transport !== 'tab' && transports.sharedWorkerAvailable) {
      try {
        first = await join(() => transports.shared(generation, 'SharedWorker is available'));
      } catch (error) {
        if (options.transport === 'shared') throw error;
        first = await join(() =>
          transports.tab(`SharedWorker failed to start: ${String(error)}`, generation),
        );
      }
    } else {
      const reason =
        options.transport === 'tab' ? 'per-tab mode was asked for' : 'this browser has no SharedWorker';
      first = await join(() => transports.tab(reason, generation));
    }
    return new WorkerSuccession(env, options, hooks, handshake, first, releaseTabLock);
  }

  get current(): SuccessionState {
    return this.state;
  }

  /** How often the tab registered again with a broker that had forgotten it (restarted with empty state). */
  get repairs(): number {
    return this.repairCount;
  }

  /** The transport the tab talks to, or last talked to while a replacement is under way. */
  get transport(): Transport {
    switch (this.state.kind) {
      case 'attached':
        return this.state.transport;
      case 'replacing':
        return this.state.previous;
      case 'suspended':
      case 'closed':
        return this.state.last;
      default:
        return assertNever(this.state);
    }
  }

  /**
   * A call the tab must not lose. While a replacement is under way it waits and goes to the
   * replacement; a call in flight when the tab leaves its broker (a dead worker never answers)
   * goes again to the next one. A broker that answers it does not know the tab (it restarted
   * with empty state behind the same port) is registered with again, and the call goes again.
   * Safe to repeat: an unsent write repeated folds into the first, and an insert carries its
   * row's id.
   */
  async call<T>(send: (broker: BrokerApi) => Promise<Result<T>>): Promise<T> {
    for (let repairs = 0; ;) {
      const state = this.state;
      switch (state.kind) {
        case 'attached': {
          const left = state.ended.then((): typeof LEFT => LEFT);
          const answer = await Promise.race([send(state.transport.broker), left]);
          if (answer === LEFT) break;
          if (!answer.ok && this.forgot(answer.error.code) && repairs++ < REPAIRS_PER_CALL) {
            this.repair(state);
            break;
          }
          return unwrap(answer);
        }
        case 'replacing':
          await state.done;
          break;
        case 'suspended':
          await state.resumed;
          break;
        case 'closed':
          throw new BacklineError('closed', `no broker to answer: ${state.reason}`);
        default:
          assertNever(state);
      }
    }
  }

  /** Says goodbye to the broker and stops following worker generations. */
  close(): void {
    this.closeControl();
    const last = this.transport;
    const before = this.state;
    if (before.kind === 'attached') {
      before.leave();
      this.farewell(last);
    }
    this.state = { kind: 'closed', last, reason: 'the client was closed' };
    if (before.kind === 'suspended') before.wake(); // its waiting calls meet `closed`
  }

  /**
   * The page goes into the back/forward cache (`pagehide` with `persisted`): it leaves its broker
   * at once (goodbye posted, ports closed without waiting for the answer, which would reach a
   * cached page), releases its tab lock and closes the control channel. Calls made from now on
   * wait for `resume`; a replacement under way is said goodbye to when it is done.
   */
  suspend(): void {
    const before = this.state;
    if (before.kind === 'suspended' || before.kind === 'closed') return;
    const last = this.transport;
    if (before.kind === 'attached') {
      before.leave();
      this.leaveAtOnce(last);
    }
    this.releaseTabLock();
    this.closeControl();
    let wake = (): void => undefined;
    const resumed = new Promise<void>((resolve) => (wake = resolve));
    this.state = { kind: 'suspended', last, resumed, wake };
  }

  /**
   * The page is shown again from the back/forward cache (`pageshow` with `persisted`): it
   * registers as a tab anew, in the mode it had, with the profile's current worker generation,
   * and calls made while it was cached go there. The broker may have died meanwhile (a worker
   * whose every tab was cached or closed): then it starts again, as at a tab's start.
   */
  resume(): void {
    const before = this.state;
    if (before.kind !== 'suspended') return;
    this.releaseTabLock = holdTabLock(this.env.locks, this.options.tabId);
    this.control = this.openControl();
    const { last } = before;
    const generation = Math.max(last.generation, this.env.generations.get());
    const reason = 'the page came back from the back/forward cache';
    const { transports } = this.env;
    this.swap(last, generation, () =>
      last.mode === 'shared'
        ? this.startReplacement(generation, reason)
        : joinBroker(() => transports.tab(reason, generation), this.handshake),
    );
    before.wake();
  }

  /** From now on the tab talks to `transport`: pings it (shared) and queues for its life lock. */
  private attach({ transport, lifeLock, instance }: Joined): void {
    const stops: (() => void)[] = [];
    let leave = (): void => undefined;
    const ended = new Promise<void>((resolve) => {
      leave = () => {
        stops.forEach((stop) => stop());
        resolve();
      };
    });
    this.state = { kind: 'attached', transport, instance, ended, leave };
    if (lifeLock) stops.push(this.awaitDeath(transport, lifeLock));
    if (transport.mode === 'shared') {
      stops.push(this.env.timers.every(this.options.pingIntervalMs, () => void this.check(transport)));
    }
    this.hooks.changed(transport);
  }

  private isAttachedTo(transport: Transport): boolean {
    return this.state.kind === 'attached' && this.state.transport === transport;
  }

  private async check(transport: Transport): Promise<void> {
    let instance: string;
    try {
      instance = await withTimeout(transport.broker.ping(), this.options.pingTimeoutMs, this.env.timers);
    } catch {
      // A ping that fails after the tab moved on (a control message came first) decides nothing.
      if (this.isAttachedTo(transport)) {
        this.moveOn(nextGeneration(transport.generation, this.env.generations.get()));
      }
      return;
    }
    // Another broker behind the same port: the worker restarted with empty state (WebKit does).
    if (
      this.state.kind === 'attached' &&
      this.state.transport === transport &&
      this.state.instance !== instance
    )
      this.repair(this.state);
  }

  /** A broker that answers `code` has forgotten this tab (it restarted with empty state). */
  private forgot(code: string): boolean {
    return code === 'unknown_tab' || (code === 'no_session' && this.hooks.signedIn());
  }

  /**
   * Queues for the worker's life lock: granted only once that worker is gone, however it went.
   * Shared: every tab is granted it together when the worker's hold ends, and all of them move to
   * the one generation after the dead one, so none waits for another.
   */
  private awaitDeath(transport: Transport, lockName: string): () => void {
    const abort = new AbortController();
    this.env.locks
      .request(lockName, { mode: 'shared', signal: abort.signal }, () => {
        if (this.isAttachedTo(transport)) this.moveOn(transport.generation + 1);
      })
      .catch(() => undefined); // aborted: this tab moved on already
    return () => void abort;
  }

  /** Moves every tab of the profile to `next`: stored for tabs that start later, told to the open ones. */
  private moveOn(next: number): void {
    this.announce(next);
    this.replace(next);
  }

  private announce(next: number): void {
    if (next > this.env.generations.get()) this.env.generations.set(next);
    this.control.postMessage({ generation: next });
  }

  /** Another tab moved the profile on. A tab that asked for per-tab mode stays in it. */
  private heard(data: unknown): void {
    if (this.options.transport === 'tab') return;
    const next = requestedGeneration(data);
    if (next !== undefined && this.state.kind === 'attached' && next > this.state.transport.generation) {
      this.replace(next);
    }
  }

  /**
   * A SharedWorker that stopped answering stays unreachable under its name: start the next one,
   * or per-tab mode at its generation if that fails too.
   */
  private replace(generation: number): void {
    if (this.state.kind !== 'attached') return;
    const previous = this.state.transport;
    this.state.leave();
    previous.close();
    this.swap(previous, generation, () => this.startReplacement(generation));
  }

  /**
   * The broker behind `from`'s port forgot the tab: register with it again (hello, session,
   * watches from the tab's own last seqs), and calls in flight go again once that is done. One
   * that will not take the tab back is as good as hung: the profile moves on.
   */
  private repair(from: Attached): void {
    if (this.state !== from) return;
    this.repairCount++;
    const { transport } = from;
    from.leave();
    this.swap(transport, transport.generation, async () => {
      try {
        return await joinBroker(() => transport, this.handshake);
      } catch {
        const next = nextGeneration(transport.generation, this.env.generations.get());
        this.announce(next);
        return this.startReplacement(next);
      }
    });
  }

  /** The tab is between brokers until `start` settles; calls made meanwhile wait for it. */
  private swap(previous: Transport, generation: number, start: () => Promise<Joined>): void {
    let finished = (): void => undefined;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const replacing: SuccessionState = { kind: 'replacing', generation, previous, done };
    this.state = replacing;
    void start()
      .then((next) => {
        if (this.state === replacing) this.attach(next);
        else if (this.state.kind === 'suspended') this.leaveAtOnce(next.transport);
        else this.farewell(next.transport); // the client closed meanwhile
      })
      .catch((error: unknown) => {
        if (this.state !== replacing) return;
        this.state = { kind: 'closed', last: previous, reason: `no broker could start: ${String(error)}` };
      })
      .finally(finished);
  }

  private async startReplacement(
    generation: number,
    reason = `worker generation ${generation} replaced one that stopped answering`,
  ): Promise<Joined> {
    const { transports } = this.env;
    try {
      return await joinBroker(() => transports.shared(generation, reason), this.handshake);
    } catch (error) {
      const fallback = `the replacement worker failed too: ${String(error)}`;
      return joinBroker(() => transports.tab(fallback, generation), this.handshake);
    }
  }

  private openControl(): ControlChannel {
    const control = this.env.control();
    control.onmessage = (message) => this.heard(message.data);
    return control;
  }

  private closeControl(): void {
    this.control.onmessage = null;
    this.control.close();
  }

  /** Goodbye without waiting for its answer: the broker also learns it from the tab lock's release. */
  private leaveAtOnce(transport: Transport): void {
    void transport.broker.goodbye(this.options.tabId);
    transport.close();
  }

  private farewell(transport: Transport): void {
    void transport.broker.goodbye(this.options.tabId).finally(() => transport.close());
  }
}
