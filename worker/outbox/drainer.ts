// One user's outbox in one browser context. Every context may queue writes (straight into the
// store); exactly one drains, the holder of a Web Lock named after the user: the SharedWorker in
// shared mode, one elected tab in per-tab mode (another takes over when it stops or dies). Entry
// changes go out on a BroadcastChannel so every context of the profile hears them. When to send
// is one value (drain-state.ts); this class runs the passes, the wake timer, the lock and the channel.
import { assertNever } from '../../contract/assert-never.js';
import type { BackoffPolicy } from '../core/backoff.js';
import type { BrokerEnvironment, ChannelLike } from '../environment.js';
import { reduceDrain, startsPass, STANDBY, type DrainEvent, type DrainState } from './drain-state.js';
import { parseOutboxMessage } from './outbox-message.js';
import { afterOutcome, keepMine, recordOf, type Outcome } from './outbox-queue.js';
import type { OutboxStore } from './outbox-store.js';
import { outboxChannel, outboxLock } from '../../contract/names.js';
import type { ConflictChoice, OutboxChange, OutboxMessage } from '../../contract/protocol.js';
import type { OutboxEntry, Write } from '../../contract/writes.js';

/** What the drainer takes from its environment: the lock, the channel, the clock. */
export type DrainerEnvironment = Pick<BrokerEnvironment, 'locks' | 'channel' | 'now' | 'random'>;

/** What the drainer needs from the user's session in the context it runs in. */
export interface OutboxContext {
  /** Sends writes taken together (replayBatch with the session's token); outcomes line up with them. */
  send(writes: readonly Write[]): Promise<Outcome[]>;
  /** False once the token has expired: then nothing is sent until a fresh one arrives (wake). */
  tokenFresh(): boolean;
  /** Asks the tabs for a fresh token. */
  needToken(): void;
  /** Tells this context's tabs about entries (the bus); other contexts hear the channel. */
  notify(changes: OutboxChange[]): void;
  /**
   * The server answered a send after sends had failed: the network is back, so a realtime socket
   * waiting out its backoff can try now. Runs in every context of the profile, once per recovery.
   */
  serverBack(): void;
  /**
   * Whether the server answers a small request now (any HTTP answer counts): while writes back off
   * after network errors, this says the network is back long before their backoff would end.
   */
  reachable(): Promise<boolean>;
}

/**
 * How often the draining context asks whether the server is back while writes back off after a
 * network error: without it a write waits out its jittered backoff (up to 30 s) after REST has
 * returned, since a socket that never dropped (REST alone was down) wakes nothing. One HEAD
 * request per interval per profile, and only while something waits.
 */
export const REST_PROBE_MS = 2000;

export class OutboxDrainer {
  private state: DrainState = STANDBY;
  private readonly channel: ChannelLike;
  private readonly abort = new AbortController();
  private pass: Promise<void> | undefined;
  private wakeTimer: ReturnType<typeof setTimeout> | undefined;
  private probeTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the network last came back (wake): sends that failed before then do not back off. */
  private wokeAt = 0;
  /** Some entry may carry a backoff (from a failed send, or stored before this context started). */
  private backoffsMayExist = true;
  /** Messages heard on the outbox channel that did not parse (another page of the origin posted them). */
  private junk = 0;

  constructor(
    private readonly userId: string,
    private readonly store: OutboxStore,
    private readonly context: OutboxContext,
    private readonly env: DrainerEnvironment,
    private readonly policy: BackoffPolicy,
    /** Inserts sent in one request at most; a batch is also one store transaction each way. */
    private readonly batchSize: number,
  ) {
    this.channel = env.channel(outboxChannel(userId));
    this.channel.onmessage = (message) => {
      const heard = parseOutboxMessage(message.data, userId);
      if (heard) this.heard(heard);
      else this.junk++;
    };
    void env.locks
      .request(outboxLock(userId), { signal: this.abort.signal }, () => {
        this.dispatch({ type: 'lock-granted' });
        // Held until this context stops (sign-out, page gone): then the next context drains.
        return new Promise<void>((resolve) => this.abort.signal.addEventListener('abort', () => resolve()));
      })
      .catch(() => undefined);
  }

  /** Queues `write` as entry `entryId`; the same id again is the same write (see OutboxStore.add). */
  async queueWrite(write: Write, entryId: string): Promise<OutboxEntry[]> {
    const now = this.env.now();
    const { stored, dropped } = await this.store.add(this.userId, entryId, (order) => ({
      id: entryId,
      order,
      userId: this.userId,
      write,
      record: recordOf(write),
      status: 'pending',
      attempts: 0,
      notBefore: 0,
      error: undefined,
      theirs: undefined,
      createdAt: now,
    }));
    // A dropped entry leaves unsent: removed, still pending, so no view takes it for confirmed.
    this.announce([
      ...stored.map((entry) => ({ entry, removed: false })),
      ...dropped.map((entry) => ({ entry, removed: true })),
    ]);
    this.post({ type: 'enqueued' });
    this.dispatch({ type: 'write-queued', at: this.env.now() });
    return stored;
  }

  get junkDropped(): number {
    return this.junk;
  }

  list(): Promise<OutboxEntry[]> {
    return this.store.load(this.userId);
  }

  /**
   * Back online, the socket reconnected, the server answered a probe, a fresh token, "Sync now":
   * retry backed-off writes now, in every context.
   */
  async wake(): Promise<void> {
    if (this.state.kind === 'stopped') return;
    this.wokeAt = this.env.now();
    this.dispatch({ type: 'backoff-cleared' });
    await this.store.clearBackoff(this.userId);
    this.post({ type: 'changed' });
    this.dispatch({ type: 'kick' });
  }

  async resolve(entryId: string, choice: ConflictChoice): Promise<void> {
    const entry = (await this.list()).find((e) => e.id === entryId);
    if (!entry || (entry.status !== 'conflict' && entry.status !== 'failed')) return;
    const next = choice === 'keep-mine' ? keepMine(entry) : undefined;
    if (next) {
      await this.store.apply([next]);
      this.announce([{ entry: next, removed: false }]);
    } else {
      // Refresh (drop mine, keep theirs) or dismiss: the user chose; the entry goes.
      await this.store.apply([], [entry.id]);
      this.announce([{ entry, removed: true }]);
    }
    this.post({ type: 'changed' });
    this.dispatch({ type: 'kick' });
  }

  /** Sign-out or the context ends: nothing more is sent, the lock goes. Resolves once a pass in flight settled. */
  async stop(): Promise<void> {
    this.dispatch({ type: 'stop' });
    await this.pass;
  }

  private heard(message: OutboxMessage): void {
    switch (message.type) {
      case 'enqueued':
        return this.dispatch({ type: 'write-queued', at: this.env.now() });
      case 'changed':
        return this.dispatch({ type: 'kick' });
      case 'entries':
        return this.context.notify(message.changes);
      case 'server-back':
        return this.context.serverBack();
      default:
        return assertNever(message);
    }
  }

  private dispatch(event: DrainEvent): void {
    const previous = this.state;
    const next = reduceDrain(previous, event);
    if (next === previous) return;
    this.state = next;
    if (startsPass(previous, next)) this.startPass();
    if (next.kind === 'idle' && event.type === 'pass-ended' && next.backoffUntil > 0) {
      this.wakeTimer = setTimeout(
        () => this.dispatch({ type: 'kick' }),
        Math.max(0, next.backoffUntil - this.env.now()),
      );
      this.scheduleProbe();
    }
    if (next.kind === 'stopped') {
      clearTimeout(this.wakeTimer);
      clearTimeout(this.probeTimer);
      this.abort.abort();
      this.channel.close();
    }
  }

  /** Probes the server while the queue waits out a backoff that ends later than the next probe. */
  private scheduleProbe(): void {
    clearTimeout(this.probeTimer);
    if (!this.backingOff(REST_PROBE_MS)) return;
    this.probeTimer = setTimeout(() => void this.probe(), REST_PROBE_MS);
  }

  private async probe(): Promise<void> {
    if (!this.backingOff(0)) return;
    const reachable = await this.context.reachable().catch(() => false);
    // A pass, a wake or a stop may have come meanwhile: then there is nothing to probe for.
    if (!this.backingOff(0)) return;
    if (reachable) await this.wake();
    else this.scheduleProbe();
  }

  /** Idle with the queue's backoff ending more than `marginMs` from now. */
  private backingOff(marginMs: number): boolean {
    return this.state.kind === 'idle' && this.state.backoffUntil > this.env.now() + marginMs;
  }

  private startPass(): void {
    clearTimeout(this.wakeTimer);
    clearTimeout(this.probeTimer);
    this.pass = this.drain().then(
      (end) => this.dispatch(end),
      (error: unknown) => {
        // The store failed (a disk error): this pass is over; the next kick tries again.
        console.error('backline: an outbox pass failed', error);
        this.dispatch({ type: 'pass-ended', wakeAt: undefined });
      },
    );
  }

  /** Sends batch after batch until nothing is sendable; says how the pass ended. */
  private async drain(): Promise<DrainEvent> {
    for (;;) {
      if (this.state.kind === 'stopped') return { type: 'pass-ended', wakeAt: undefined };
      if (!this.context.tokenFresh()) {
        // Sending now would only earn 401s and backoff; the tabs refresh the session, setSession wakes us.
        if ((await this.store.load(this.userId)).some((e) => e.status === 'pending'))
          this.context.needToken();
        return { type: 'held-for-token' };
      }
      const takenAt = this.env.now();
      const batch = await this.store.takeBatch(this.userId, takenAt, this.batchSize);
      if (batch.length === 0) break;
      this.announce(batch.map((entry) => ({ entry, removed: false })));
      const outcomes = await this.context.send(batch.map((entry) => entry.write));
      await this.settle(batch, outcomes, takenAt);
    }
    return { type: 'pass-ended', wakeAt: await this.store.wakeTime(this.userId, this.env.now()) };
  }

  private async settle(batch: OutboxEntry[], outcomes: Outcome[], takenAt: number): Promise<void> {
    const now = this.env.now();
    // A send that failed before a wake (online, reconnect, retry) failed on the old network:
    // it goes again at once instead of backing off the whole queue.
    const stale = this.wokeAt >= takenAt;
    const settled = batch.map((entry, i) => {
      const outcome = outcomes[i] ?? { kind: 'retry', message: 'not sent' };
      const next = afterOutcome(entry, outcome, now, this.env.random(), this.policy);
      return stale && next.status === 'pending' ? { ...next, notBefore: 0 } : next;
    });
    // Confirmed writes leave the outbox; everything else stays visible until it lands or the user dismisses it.
    const confirmed = settled.filter((entry) => entry.status === 'confirmed');
    await this.store.apply(
      settled.filter((entry) => entry.status !== 'confirmed'),
      confirmed.map((entry) => entry.id),
    );
    this.announce(settled.map((entry) => ({ entry, removed: entry.status === 'confirmed' })));
    if (outcomes.some((outcome) => outcome.kind === 'retry')) this.backoffsMayExist = true;
    else if (this.backoffsMayExist) {
      // The server answered: the network is back, so writes backing off need not wait any longer.
      this.backoffsMayExist = false;
      await this.store.clearBackoff(this.userId);
      this.context.serverBack();
      this.post({ type: 'server-back' });
    }
  }

  /** One message per batch, not per entry: a drain of 1,000 writes is ten of them, not 2,000. */
  private announce(changes: OutboxChange[]): void {
    if (changes.length === 0) return;
    this.context.notify(changes);
    this.post({ type: 'entries', changes });
  }

  private post(message: OutboxMessage): void {
    if (this.state.kind !== 'stopped') this.channel.postMessage(message);
  }
}
