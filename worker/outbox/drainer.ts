// One user's outbox in one browser context. Every context may queue writes (straight into the
// store); exactly one drains, the holder of a Web Lock named after the user: the SharedWorker in
// shared mode, one elected tab in per-tab mode (another takes over when it dies). Entry changes
// go out on a BroadcastChannel so every context of the profile hears them.
import type { BackoffPolicy } from '../core/backoff.js';
import type { BrokerEnvironment, ChannelLike } from '../environment.js';
import { afterOutcome, keepMine, recordOf, type Outcome } from './outbox-queue.js';
import { outboxChannel, outboxLock } from '../../contract/names.js';
import type { OutboxEntry, Write } from '../../contract/writes.js';
import type { OutboxStore } from './outbox-store.js';
import type { ConflictChoice, OutboxChange, OutboxMessage } from '../../contract/protocol.js';

/** What the drainer takes from its environment: the lock, the channel, the clock. */
export type DrainerEnvironment = Pick<BrokerEnvironment, 'locks' | 'channel' | 'now' | 'random'>;

/** What the drainer needs from the user's session in the context it runs in. */
export interface DrainerHooks {
  /** Sends writes taken together (replayBatch with the session's token); outcomes line up with them. */
  send(writes: readonly Write[]): Promise<Outcome[]>;
  /** False once the token has expired: then nothing is sent until a fresh one arrives (wake). */
  tokenFresh: () => boolean;
  needToken: () => void;
  /** Tells this context's tabs about entries (the bus); other contexts hear the channel. */
  notify: (changes: OutboxChange[]) => void;
  /**
   * The server answered a send after sends had failed: the network is back, so a realtime socket
   * waiting out its backoff can try now. Runs in every context of the profile, once per recovery.
   */
  serverBack: () => void;
}

export class OutboxDrainer {
  private readonly channel: ChannelLike;
  private readonly abort = new AbortController();
  private holdsLock = false;
  private draining: Promise<void> | undefined;
  private again = false;
  private wakeTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the oldest write's backoff ends; until then new writes wait behind it. */
  private backoffUntil = 0;
  /** When the network last came back (wake): sends that failed before then do not back off. */
  private wokeAt = 0;
  /** Some entry may carry a backoff (from a failed send, or stored before this context started). */
  private backedOff = true;

  constructor(
    private readonly userId: string,
    private readonly store: OutboxStore,
    private readonly hooks: DrainerHooks,
    private readonly env: DrainerEnvironment,
    private readonly policy: BackoffPolicy,
    /** Inserts sent in one request at most; a batch is also one IndexedDB transaction each way. */
    private readonly batchSize: number,
  ) {
    this.channel = env.channel(outboxChannel(userId));
    this.channel.onmessage = (message) => {
      const data = message.data as OutboxMessage;
      if (data.type === 'changed') this.kick();
      else if (data.type === 'enqueued') this.kickUnlessBackingOff();
      else if (data.type === 'server-back') this.hooks.serverBack();
      else this.hooks.notify(data.changes);
    };
    void env.locks
      .request(outboxLock(userId), { signal: this.abort.signal }, () => {
        this.holdsLock = true;
        this.kick();
        // Held until this context stops (sign-out, page gone): then the next context drains.
        return new Promise<void>((resolve) => this.abort.signal.addEventListener('abort', () => resolve()));
      })
      .catch(() => undefined);
  }

  async queueWrite(write: Write): Promise<OutboxEntry[]> {
    const now = this.env.now();
    const changed = await this.store.add(this.userId, (order) => ({
      id: crypto.randomUUID(),
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
    this.announce(changed.map((entry) => ({ entry, removed: false })));
    this.channel.postMessage({ type: 'enqueued' } satisfies OutboxMessage);
    this.kickUnlessBackingOff();
    return changed;
  }

  list(): Promise<OutboxEntry[]> {
    return this.store.load(this.userId);
  }

  /** Back online, or the socket reconnected: retry backed-off writes now. */
  async wake(): Promise<void> {
    this.wokeAt = this.env.now();
    this.backoffUntil = 0;
    await this.store.clearBackoff(this.userId);
    this.channel.postMessage({ type: 'changed' } satisfies OutboxMessage);
    this.kick();
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
    this.channel.postMessage({ type: 'changed' } satisfies OutboxMessage);
    this.kick();
  }

  /** Sign-out or the context ends: nothing more is sent, the lock goes. Resolves once a pass in flight has settled. */
  async stop(): Promise<void> {
    this.abort.abort();
    clearTimeout(this.wakeTimer);
    this.channel.close();
    await this.draining?.catch(() => undefined);
  }

  /**
   * A new write cannot go before the oldest one, which is waiting out a backoff (the network is
   * down): the wake timer drains them in order. Skipping the pass here keeps queueing offline
   * cheap (no read of the whole queue per write).
   */
  private kickUnlessBackingOff(): void {
    if (this.env.now() < this.backoffUntil) return;
    this.kick();
  }

  private kick(): void {
    if (!this.holdsLock || this.abort.signal.aborted) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async drain(): Promise<void> {
    clearTimeout(this.wakeTimer);
    for (;;) {
      if (this.abort.signal.aborted) return;
      if (!this.hooks.tokenFresh()) {
        // Sending now would only earn 401s and backoff; the tabs refresh the session, setSession wakes us.
        if ((await this.store.load(this.userId)).some((e) => e.status === 'pending')) this.hooks.needToken();
        return;
      }
      const takenAt = this.env.now();
      const batch = await this.store.takeBatch(this.userId, takenAt, this.batchSize);
      if (batch.length === 0) break;
      this.announce(batch.map((entry) => ({ entry, removed: false })));
      const outcomes = await this.hooks.send(batch.map((entry) => entry.write));
      const now = this.env.now();
      // A send that failed before a wake (online, reconnect, retry) failed on the old network:
      // it goes again at once instead of backing off the whole queue.
      const stale = this.wokeAt >= takenAt;
      const settled = batch.map((entry, i) => {
        const next = afterOutcome(
          entry,
          outcomes[i] ?? { kind: 'retry', message: 'not sent' },
          now,
          this.env.random(),
          this.policy,
        );
        return stale && next.status === 'pending' ? { ...next, notBefore: 0 } : next;
      });
      // Confirmed writes leave the outbox; everything else stays visible until it lands or the user dismisses it.
      const confirmed = settled.filter((entry) => entry.status === 'confirmed');
      await this.store.apply(
        settled.filter((entry) => entry.status !== 'confirmed'),
        confirmed.map((entry) => entry.id),
      );
      this.announce(settled.map((entry) => ({ entry, removed: entry.status === 'confirmed' })));
      if (outcomes.some((outcome) => outcome.kind === 'retry')) this.backedOff = true;
      else if (this.backedOff) {
        // The server answered: the network is back, so writes backing off need not wait any longer.
        this.backedOff = false;
        await this.store.clearBackoff(this.userId);
        this.hooks.serverBack();
        this.channel.postMessage({ type: 'server-back' } satisfies OutboxMessage);
      }
    }
    const wake = await this.store.wakeTime(this.userId, this.env.now());
    this.backoffUntil = wake ?? 0;
    if (wake !== undefined)
      this.wakeTimer = setTimeout(() => this.kick(), Math.max(0, wake - this.env.now()));
  }

  /** One message per batch, not per entry: a drain of 1,000 writes is ten of them, not 2,000. */
  private announce(changes: OutboxChange[]): void {
    if (changes.length === 0) return;
    this.hooks.notify(changes);
    this.channel.postMessage({ type: 'entries', changes } satisfies OutboxMessage);
  }
}
