// One user's outbox in one browser context. Every context may enqueue (straight into IndexedDB);
// exactly one drains, the holder of a Web Lock named after the user: the SharedWorker in shared
// mode, one elected tab in per-tab mode (another takes over when it dies). Entry changes go out
// on a BroadcastChannel so every context of the profile hears them.
import type { BackoffPolicy } from '../core/backoff.js';
import type { Rest } from '../catch-up.js';
import { afterOutcome, keepMine, type OutboxEntry, type Write } from './outbox-queue.js';
import type { OutboxStore } from './outbox-store.js';
import { replay } from './replay.js';
import type { ConflictChoice } from '../protocol.js';

type OutboxMessage = { type: 'changed' } | { type: 'entry'; entry: OutboxEntry; removed: boolean };

export class OutboxDrainer {
  private readonly channel: BroadcastChannel;
  private readonly abort = new AbortController();
  private holdsLock = false;
  private draining: Promise<void> | undefined;
  private again = false;
  private wakeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly userId: string,
    private readonly store: OutboxStore,
    private readonly rest: () => Rest,
    /** Tells this context's tabs about an entry (the bus); other contexts hear the channel. */
    private readonly notify: (entry: OutboxEntry, removed: boolean) => void,
    private readonly policy: BackoffPolicy,
  ) {
    this.channel = new BroadcastChannel(`backline:outbox:${userId}`);
    this.channel.onmessage = (message: MessageEvent<OutboxMessage>) => {
      if (message.data.type === 'changed') this.kick();
      else this.notify(message.data.entry, message.data.removed);
    };
    void navigator.locks
      .request(`backline:outbox:${userId}`, { signal: this.abort.signal }, () => {
        this.holdsLock = true;
        this.kick();
        // Held until this context stops (sign-out, page gone): then the next context drains.
        return new Promise<void>((resolve) => this.abort.signal.addEventListener('abort', () => resolve()));
      })
      .catch(() => undefined);
  }

  async enqueue(write: Write): Promise<OutboxEntry[]> {
    const now = Date.now();
    const changed = await this.store.enqueue(this.userId, (order) => ({
      id: crypto.randomUUID(),
      order,
      userId: this.userId,
      write,
      status: 'pending',
      attempts: 0,
      notBefore: 0,
      error: undefined,
      theirs: undefined,
      createdAt: now,
    }));
    for (const entry of changed) this.announce(entry, false);
    this.channel.postMessage({ type: 'changed' } satisfies OutboxMessage);
    this.kick();
    return changed;
  }

  list(): Promise<OutboxEntry[]> {
    return this.store.load(this.userId);
  }

  /** Back online, or the socket reconnected: retry backed-off writes now. */
  async wake(): Promise<void> {
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
      this.announce(next, false);
    } else {
      // Refresh (drop mine, keep theirs) or dismiss: the user chose; the entry goes.
      await this.store.apply([], [entry.id]);
      this.announce(entry, true);
    }
    this.channel.postMessage({ type: 'changed' } satisfies OutboxMessage);
    this.kick();
  }

  stop(): void {
    this.abort.abort();
    clearTimeout(this.wakeTimer);
    this.channel.close();
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
      const entry = await this.store.takeNext(this.userId, Date.now());
      if (!entry) break;
      this.announce(entry, false);
      const outcome = await replay(this.rest(), entry.write, this.userId);
      const settled = afterOutcome(entry, outcome, Date.now(), Math.random(), this.policy);
      // Confirmed writes leave the outbox; everything else stays visible until it lands or the user dismisses it.
      if (settled.status === 'confirmed') await this.store.apply([], [settled.id]);
      else await this.store.apply([settled]);
      this.announce(settled, settled.status === 'confirmed');
    }
    const wake = await this.store.wakeTime(this.userId, Date.now());
    if (wake !== undefined) this.wakeTimer = setTimeout(() => this.kick(), Math.max(0, wake - Date.now()));
  }

  private announce(entry: OutboxEntry, removed: boolean): void {
    this.notify(entry, removed);
    this.channel.postMessage({ type: 'entry', entry, removed } satisfies OutboxMessage);
  }
}
