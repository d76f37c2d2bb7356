// The channels one user's socket joins: one for their own memberships, and "shards" of up to 100
// bands each, listening to band_events INSERTs with `band_id=in.(...)`. Supabase allows 100
// channels per connection, so a channel per band would fail a user in 150 bands. A binding is
// fixed at join, so changing a shard's bands means joining a new channel before leaving the old
// one (make before break); the overlap's duplicates are dropped by seq downstream.
import { REALTIME_SUBSCRIBE_STATES, type RealtimeChannel } from '@supabase/realtime-js';
import type { BandEvent } from '../contract/schema.js';
import type { SocketAttempt } from './connection.js';
import type { JoinGate } from './core/join-pacing.js';

/** `in.(...)` takes at most 100 values on Supabase. */
export const MAX_BANDS_PER_SHARD = 100;
/** Shard channels before small shards are merged; the rest of the 100 stays free for the app. */
export const MAX_SHARDS = 80;
/** Adds arriving within this window join one shard. */
const COALESCE_MS = 10;

/** Who hears the band shards: the band feed. */
export interface ShardListener {
  bandEvent(event: BandEvent): void;
  /** A shard's channel delivers changes from now on: catch its bands up. */
  shardLive(bands: string[]): void;
}

export interface MembershipChange {
  type: 'INSERT' | 'DELETE';
  bandId: string;
  userId: string;
}

/** Who hears the user's own memberships channel: the user joined or left a band elsewhere. */
export interface MembershipListener {
  membershipChanged(change: MembershipChange): void;
}

interface Shard {
  id: number;
  bands: Set<string>;
  channel: RealtimeChannel;
}

export class BandChannels {
  private socket: SocketAttempt | undefined;
  private readonly shards = new Map<number, Shard>();
  private readonly shardOf = new Map<string, number>();
  private readonly retiring = new WeakSet<RealtimeChannel>();
  private nextShardId = 0;
  private queued: string[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly userId: string,
    private readonly shardListener: ShardListener,
    /** The broker's join budget: every join waits its turn here (core/join-pacing.ts). */
    private readonly joins: JoinGate,
  ) {}

  /**
   * A new socket: join the memberships channel (heard by `memberships`) and shards for `bands`;
   * resolves when all are live.
   */
  async attach(socket: SocketAttempt, bands: string[], memberships: MembershipListener): Promise<void> {
    this.detach();
    this.socket = socket;
    const joins: Promise<unknown>[] = [this.joinMemberships(memberships)];
    for (let i = 0; i < bands.length; i += MAX_BANDS_PER_SHARD) {
      joins.push(this.joinShard(bands.slice(i, i + MAX_BANDS_PER_SHARD)));
    }
    await Promise.all(joins);
  }

  /** The socket is gone; its owner disposes its channels. */
  detach(): void {
    this.socket = undefined;
    this.shards.clear();
    this.shardOf.clear();
  }

  /**
   * Subscribes bands not yet in a shard. Without a socket there is nothing to do: attach will.
   * A join that fails breaks the socket on purpose: the next attempt re-attaches every band.
   */
  add(bands: string[]): Promise<void> {
    this.queued.push(...bands);
    this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /**
   * Joins queued bands one batch at a time: bands watched together (a page of 150 at sign-in)
   * share shards, and the channel count is read only while nothing else is joining.
   */
  private async flush(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, COALESCE_MS));
    while (this.queued.length > 0) {
      const batch = this.queued.splice(0);
      const socket = this.socket;
      try {
        await this.addToShards(batch);
      } catch (error) {
        if (socket && this.socket === socket)
          socket.broke(error instanceof Error ? error.message : String(error));
      }
    }
  }

  private async addToShards(bands: string[]): Promise<void> {
    const fresh = [...new Set(bands)].filter((b) => !this.shardOf.has(b));
    while (this.socket && fresh.length > 0) {
      if (this.shards.size < MAX_SHARDS) {
        await this.joinShard(fresh.splice(0, MAX_BANDS_PER_SHARD));
        continue;
      }
      // Over the channel budget: fill the smallest shard (rejoined with the newcomers added).
      const smallest = [...this.shards.values()].sort((a, b) => a.bands.size - b.bands.size)[0]!;
      const room = MAX_BANDS_PER_SHARD - smallest.bands.size;
      if (room <= 0) throw new Error(`a socket holds at most ${MAX_SHARDS * MAX_BANDS_PER_SHARD} bands`);
      await this.rebuild(smallest, [...smallest.bands, ...fresh.splice(0, room)]);
    }
  }

  async remove(bandId: string): Promise<void> {
    const shard = this.shards.get(this.shardOf.get(bandId) ?? -1);
    this.shardOf.delete(bandId);
    if (!shard || !this.socket) return;
    const rest = [...shard.bands].filter((b) => b !== bandId);
    if (rest.length === 0) return this.retire(shard);
    const socket = this.socket;
    try {
      await this.rebuild(shard, rest);
    } catch (error) {
      if (this.socket === socket) socket.broke(error instanceof Error ? error.message : String(error));
    }
  }

  topicOf(bandId: string): string | undefined {
    const shard = this.shards.get(this.shardOf.get(bandId) ?? -1);
    return shard && `bands:${shard.id}`;
  }

  get channelCount(): number {
    return this.socket ? this.shards.size + 1 : 0;
  }

  private async rebuild(old: Shard, bands: string[]): Promise<void> {
    await this.joinShard(bands);
    this.retire(old);
  }

  private retire(shard: Shard): void {
    this.shards.delete(shard.id);
    for (const band of shard.bands) if (this.shardOf.get(band) === shard.id) this.shardOf.delete(band);
    this.retiring.add(shard.channel);
    void this.socket?.client.removeChannel(shard.channel);
  }

  private async joinShard(bands: string[]): Promise<void> {
    const socket = this.requireSocket();
    const id = this.nextShardId++;
    const channel = socket.client.channel(`bands:${id}`);
    channel.on(
      'postgres_changes',
      { event: 'INSERT', schema: 'public', table: 'band_events', filter: `band_id=in.(${bands.join(',')})` },
      (payload: { new: BandEvent }) => this.shardListener.bandEvent(payload.new),
    );
    await this.join(socket, channel);
    if (this.socket !== socket) return;
    this.shards.set(id, { id, bands: new Set(bands), channel });
    for (const band of bands) this.shardOf.set(band, id);
    this.shardListener.shardLive(bands);
  }

  private async joinMemberships(listener: MembershipListener): Promise<void> {
    const socket = this.requireSocket();
    const channel = socket.client.channel('memberships');
    channel.on(
      'postgres_changes',
      { event: '*', schema: 'public', table: 'band_memberships', filter: `user_id=eq.${this.userId}` },
      (payload: { eventType: string; new: Partial<Membership>; old: Partial<Membership> }) => {
        const row = payload.eventType === 'DELETE' ? payload.old : payload.new;
        // Delete events are not filtered on Supabase: keep only this user's.
        if (row.user_id !== this.userId || !row.band_id) return;
        if (payload.eventType === 'INSERT' || payload.eventType === 'DELETE') {
          listener.membershipChanged({ type: payload.eventType, bandId: row.band_id, userId: row.user_id });
        }
      },
    );
    await this.join(socket, channel);
  }

  /**
   * Resolves when the join is acknowledged and the server says changes flow ("Subscribed to
   * PostgreSQL"): SUBSCRIBED alone comes earlier, and a write in between would be missed.
   */
  private async join(socket: SocketAttempt, channel: RealtimeChannel): Promise<void> {
    await this.joins.take();
    // The socket was replaced while the join waited its turn: the next attempt joins again.
    if (this.socket !== socket) throw new Error(`${channel.topic}: its socket was replaced`);
    return new Promise((resolve, reject) => {
      let subscribed = false;
      let flowing = false;
      let settled = false;
      // The server says why before it closes a channel (a quota, an expired token): keep it, so
      // the connection state carries the server's reason rather than a bare CLOSED.
      let serverReason: string | undefined;
      const settle = (error?: Error): void => {
        if (settled) return;
        if (error) {
          settled = true;
          reject(error);
        } else if (subscribed && flowing) {
          settled = true;
          resolve();
        }
      };
      channel.on('system', {}, (payload: { status?: string; extension?: string; message?: string }) => {
        if (payload.status === 'error' && payload.message) serverReason = payload.message;
        if (payload.extension !== 'postgres_changes') return;
        if (payload.status === 'ok') flowing = true;
        else settle(new Error(payload.message ?? 'postgres_changes failed'));
        settle();
      });
      channel.subscribe((status, error) => {
        if (status === REALTIME_SUBSCRIBE_STATES.SUBSCRIBED) {
          subscribed = true;
          return settle();
        }
        if (this.retiring.has(channel)) return;
        const reason = serverReason ?? (error && errorDetail(error));
        const message = `${channel.topic}: ${status}${reason ? ` (${reason})` : ''}`;
        if (!settled) settle(new Error(message));
        else socket.broke(message);
      });
    });
  }

  private requireSocket(): SocketAttempt {
    if (!this.socket) throw new Error('no socket');
    return this.socket;
  }
}

/**
 * A channel error's message, with what the transport said when it says more: a refused upgrade
 * reads "transport failure" in realtime-js, while `ws` (Node) names the HTTP status in the event.
 * Browsers give a refused WebSocket no status at all, so there the generic message is all we have.
 */
function errorDetail(error: Error): string {
  const cause: unknown = error.cause;
  const detail =
    typeof cause === 'object' && cause !== null && 'message' in cause && typeof cause.message === 'string'
      ? cause.message
      : '';
  return detail && detail !== error.message ? `${error.message}: ${detail}` : error.message;
}

interface Membership {
  band_id: string;
  user_id: string;
}
