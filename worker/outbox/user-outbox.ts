// The user's outbox as their session sees it: a drainer over the store the context opens
// (IndexedDB in browsers; none in a context without it, where writes are refused), and what the
// drainer needs from the session: the token to send with, the bus, the band news, the socket.
import type { ConflictChoice, OutboxChange } from '../../contract/protocol.js';
import type { OutboxEntry, Write } from '../../contract/writes.js';
import type { BackoffPolicy } from '../core/backoff.js';
import type { BrokerEnvironment } from '../environment.js';
import type { UserBus } from '../fanout.js';
import type { SessionToken } from '../session-token.js';
import { BrokerFailure } from '../validate.js';
import { OutboxDrainer, type OutboxContext } from './drainer.js';
import type { Outcome } from './outbox-queue.js';
import type { OutboxStore } from './outbox-store.js';
import { replayBatch } from './replay.js';

/** Bands the outbox brought about (a create or join confirmed): live at once, as one made online. */
export interface BandArrivals {
  added(bandId: string): void;
}

/** The realtime socket, which may stop waiting out its backoff once REST answers again. */
export interface SocketRetry {
  retryNow(): void;
}

/** How long a probe of the server may take before the network counts as still down. */
const PROBE_TIMEOUT_MS = 10_000;

/** The drainer's view of one user's session. */
export class SessionOutboxContext implements OutboxContext {
  constructor(
    private readonly token: SessionToken,
    private readonly bus: UserBus,
    private readonly bands: BandArrivals,
    private readonly socket: SocketRetry,
  ) {}

  send(writes: readonly Write[]): Promise<Outcome[]> {
    return replayBatch(this.token.rest(), writes, this.bus.userId);
  }

  tokenFresh(): boolean {
    return this.token.fresh();
  }

  needToken(): void {
    this.token.renew();
  }

  notify(changes: OutboxChange[]): void {
    this.bus.publish({ type: 'outbox:changed', changes });
    for (const { entry, removed } of changes) if (removed && entry.band) this.bands.added(entry.band.id);
  }

  serverBack(): void {
    this.socket.retryNow();
  }

  /** A HEAD of one band the user can see: no body either way. A network that hangs counts as down. */
  async reachable(): Promise<boolean> {
    const { status } = await this.token
      .rest()
      .from('bands')
      .select('id', { head: true })
      .limit(1)
      .abortSignal(AbortSignal.timeout(PROBE_TIMEOUT_MS));
    return status > 0;
  }
}

export interface OutboxSettings {
  policy: BackoffPolicy;
  outboxBatchSize: number;
}

export class UserOutbox {
  private readonly store: Promise<OutboxStore> | undefined;
  private readonly drainer: Promise<OutboxDrainer> | undefined;
  /** The drainer once the store is open, for diagnostics (which answer at once). */
  private running: OutboxDrainer | undefined;

  constructor(userId: string, env: BrokerEnvironment, context: OutboxContext, settings: OutboxSettings) {
    this.store = env.openOutboxStore();
    this.drainer = this.store?.then(
      (store) =>
        (this.running = new OutboxDrainer(
          userId,
          store,
          context,
          env,
          settings.policy,
          settings.outboxBatchSize,
        )),
    );
  }

  /** Junk heard on the outbox channel and dropped (see OutboxDrainer.junkDropped). */
  get junkDropped(): number {
    return this.running?.junkDropped ?? 0;
  }

  async queueWrite(write: Write, entryId: string): Promise<OutboxEntry[]> {
    return (await this.opened()).queueWrite(write, entryId);
  }

  async list(): Promise<OutboxEntry[]> {
    return (await this.opened()).list();
  }

  async resolve(entryId: string, choice: ConflictChoice): Promise<void> {
    await (await this.opened()).resolve(entryId, choice);
  }

  /** The network is back, a fresh token, a retry, "Sync now": writes waiting out a backoff go now. */
  wake(): void {
    void this.drainer?.then((drainer) => drainer.wake());
  }

  /** Sign-out: the store closes once a batch in flight has settled, so no connection stays open. */
  stop(): void {
    void this.drainer?.then(async (drainer) => {
      await drainer.stop();
      (await this.store)?.close();
    });
  }

  private opened(): Promise<OutboxDrainer> {
    if (!this.drainer) throw new BrokerFailure('internal', 'this context has no IndexedDB for the outbox');
    return this.drainer;
  }
}
