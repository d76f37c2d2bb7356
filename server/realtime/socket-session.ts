// One client socket: decodes its frames, answers heartbeats, joins and leaves channels with
// Supabase's replies and errors, tracks its access token, and sends what the server fans out.
// A bad frame costs only this socket (an error reply, or a close); nothing throws out of here.
import type { WebSocket } from 'ws';
import type { Claims, JwtKeys } from '../auth/jwt.js';
import type { RealtimeQuotas } from '../config.js';
import { asText, parseFilter, type ChangeFilter } from './filters.js';
import type { Frame, PostgresBinding, Vsn } from './protocol.js';
import { FrameError, decode, encode } from './serializer.js';

export interface Channel {
  topic: string;
  joinRef: string | null;
  claims: Claims;
  bindings: PostgresBinding[];
  filters: (ChangeFilter | undefined)[];
  broadcastSelf: boolean;
  broadcastAck: boolean;
  presenceKey: string | undefined;
  /** Closes the channel when its token expires, as Supabase does. */
  expiry: ReturnType<typeof setTimeout> | undefined;
}

/** What a session needs from the server it belongs to. */
export interface SessionHost {
  keys: JwtKeys;
  quotas: RealtimeQuotas;
  isPublished(schema: string, table: string): boolean;
  nextBindingId(): number;
  /** Faults: frames are dropped while blackholed; both directions wait `latency` ms. */
  blackholed(): boolean;
  latency(): number;
  broadcast(from: SocketSession, channel: Channel, payload: Record<string, unknown>): void;
  presence(
    from: SocketSession,
    channel: Channel,
    change: { joins?: Record<string, unknown>; leaves?: Record<string, unknown> },
  ): void;
  presenceState(topic: string): Record<string, unknown>;
}

const SECOND = 1000;

const presenceKey = (key: unknown): string =>
  typeof key === 'string' && key !== '' ? key : crypto.randomUUID();

export class SocketSession {
  readonly channels = new Map<string, Channel>();
  readonly connectedAt = new Date();
  messagesIn = 0;
  messagesOut = 0;
  private windowStart = 0;
  private messagesInWindow = 0;
  private joinsInWindow = 0;
  private closed = false;

  constructor(
    readonly id: string,
    private readonly ws: WebSocket,
    readonly vsn: Vsn,
    private readonly socketClaims: Claims,
    private readonly host: SessionHost,
  ) {}

  /** The user this socket acts for: the last access token a channel joined with, else the apikey's. */
  get userId(): string | null {
    for (const channel of [...this.channels.values()].reverse())
      if (channel.claims.sub) return channel.claims.sub;
    return this.socketClaims.sub ?? null;
  }

  receive(data: Buffer, isBinary: boolean): void {
    if (this.host.blackholed()) return;
    const delay = this.host.latency();
    if (delay > 0) setTimeout(() => this.handle(data, isBinary), delay);
    else this.handle(data, isBinary);
  }

  send(frame: Frame): void {
    this.sendText(encode(frame, this.vsn));
  }

  /** Sends an already encoded frame (see encodeWithPayload). */
  sendText(text: string): void {
    if (this.closed || this.host.blackholed()) return;
    const delay = this.host.latency();
    const write = (): void => {
      if (this.ws.readyState !== this.ws.OPEN) return;
      this.messagesOut++;
      this.ws.send(text);
    };
    if (delay > 0) setTimeout(write, delay);
    else write();
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason.slice(0, 120));
  }

  private handle(data: Buffer, isBinary: boolean): void {
    let frame: Frame;
    try {
      frame = decode(data, isBinary, this.vsn);
    } catch (error) {
      // Phoenix cannot reply to a frame it cannot read: close this socket with the reason.
      this.close(1007, error instanceof FrameError ? error.message : 'malformed frame');
      return;
    }
    this.messagesIn++;
    if (frame.topic === 'phoenix' && frame.event === 'heartbeat') return this.reply(frame, 'ok', {});
    if (this.overMessageRate()) return;
    try {
      this.dispatch(frame);
    } catch (error) {
      this.reply(frame, 'error', { reason: error instanceof Error ? error.message : 'error' });
    }
  }

  private overMessageRate(): boolean {
    const now = Date.now();
    if (now - this.windowStart >= SECOND) {
      this.windowStart = now;
      this.messagesInWindow = 0;
      this.joinsInWindow = 0;
    }
    if (++this.messagesInWindow <= this.host.quotas.maxMessagesPerSecond) return false;
    for (const channel of [...this.channels.values()]) this.shutDown(channel, 'Too many messages per second');
    return true;
  }

  private dispatch(frame: Frame): void {
    switch (frame.event) {
      case 'phx_join':
        return this.join(frame);
      case 'phx_leave':
        return this.leave(frame);
      case 'access_token':
        return this.accessToken(frame);
      case 'broadcast':
        return this.broadcast(frame);
      case 'presence':
        return this.presence(frame);
      default:
        return this.reply(frame, 'error', { reason: `unknown event "${frame.event}"` });
    }
  }

  private join(frame: Frame): void {
    if (++this.joinsInWindow > this.host.quotas.maxJoinsPerSecond) {
      return this.reply(frame, 'error', { reason: 'ClientJoinRateLimitReached: Too many joins per second' });
    }
    if (!this.channels.has(frame.topic) && this.channels.size >= this.host.quotas.maxChannelsPerConnection) {
      return this.reply(frame, 'error', { reason: 'ChannelRateLimitReached: Too many channels' });
    }
    const token = frame.payload['access_token'];
    void this.claimsFor(token).then((claims) => {
      if (typeof claims === 'string') return this.reply(frame, 'error', { reason: claims });
      this.joinWith(frame, claims);
    });
  }

  private joinWith(frame: Frame, claims: Claims): void {
    const config = (frame.payload['config'] ?? {}) as Record<string, unknown>;
    const requested = Array.isArray(config['postgres_changes'])
      ? (config['postgres_changes'] as unknown[])
      : [];
    const bindings: PostgresBinding[] = [];
    const filters: (ChangeFilter | undefined)[] = [];
    for (const item of requested) {
      const binding = (item ?? {}) as Record<string, unknown>;
      const event = binding['event'];
      const schema = binding['schema'] ?? 'public';
      const table = binding['table'];
      const filter = binding['filter'];
      if (event !== '*' && event !== 'INSERT' && event !== 'UPDATE' && event !== 'DELETE') {
        return this.reply(frame, 'error', { reason: `Invalid postgres_changes event: ${asText(event)}` });
      }
      if (typeof schema !== 'string' || typeof table !== 'string' || !this.host.isPublished(schema, table)) {
        return this.reply(frame, 'error', {
          reason: `Unable to subscribe to changes: ${asText(schema)}.${asText(table)} is not in the supabase_realtime publication`,
        });
      }
      if (filter !== undefined && filter !== null && typeof filter !== 'string') {
        return this.reply(frame, 'error', { reason: 'filter must be a string' });
      }
      try {
        filters.push(typeof filter === 'string' && filter !== '' ? parseFilter(filter) : undefined);
      } catch (error) {
        return this.reply(frame, 'error', {
          reason: error instanceof Error ? error.message : 'invalid filter',
        });
      }
      bindings.push({
        id: this.host.nextBindingId(),
        event,
        schema,
        table,
        filter: typeof filter === 'string' && filter !== '' ? filter : undefined,
      });
    }
    const broadcast = (config['broadcast'] ?? {}) as Record<string, unknown>;
    const presence = (config['presence'] ?? {}) as Record<string, unknown>;
    const channel: Channel = {
      topic: frame.topic,
      joinRef: frame.joinRef ?? frame.ref,
      claims,
      bindings,
      filters,
      broadcastSelf: broadcast['self'] === true,
      broadcastAck: broadcast['ack'] === true,
      presenceKey: presence['enabled'] === true ? presenceKey(presence['key']) : undefined,
      expiry: undefined,
    };
    const previous = this.channels.get(frame.topic);
    if (previous) clearTimeout(previous.expiry);
    this.channels.set(frame.topic, channel);
    this.watchExpiry(channel);
    this.reply(frame, 'ok', {
      postgres_changes: bindings.map((b) => ({
        id: b.id,
        event: b.event,
        schema: b.schema,
        table: b.table,
        ...(b.filter ? { filter: b.filter } : {}),
      })),
    });
    if (channel.presenceKey !== undefined) {
      this.send({
        joinRef: channel.joinRef,
        ref: null,
        topic: channel.topic,
        event: 'presence_state',
        payload: this.host.presenceState(channel.topic),
      });
    }
    // Subscriptions are registered synchronously above: changes committed from now on flow.
    if (bindings.length > 0) this.system(channel, 'ok', 'Subscribed to PostgreSQL');
  }

  private leave(frame: Frame): void {
    const channel = this.channels.get(frame.topic);
    this.reply(frame, 'ok', {});
    if (!channel) return;
    clearTimeout(channel.expiry);
    this.channels.delete(frame.topic);
    if (channel.presenceKey !== undefined)
      this.host.presence(this, channel, { leaves: { [channel.presenceKey]: { metas: [] } } });
  }

  private accessToken(frame: Frame): void {
    const channel = this.channels.get(frame.topic);
    if (!channel) return;
    void this.claimsFor(frame.payload['access_token']).then((claims) => {
      if (typeof claims === 'string') return this.shutDown(channel, claims);
      channel.claims = claims;
      this.watchExpiry(channel);
    });
  }

  private watchExpiry(channel: Channel): void {
    clearTimeout(channel.expiry);
    const exp = channel.claims.exp;
    if (exp === undefined || channel.claims.role !== 'authenticated') return;
    const ms = Math.min(exp * 1000 - Date.now(), 2 ** 31 - 1);
    channel.expiry = setTimeout(
      () => {
        if (this.channels.get(channel.topic) === channel)
          this.shutDown(channel, 'InvalidJWTToken: Token has expired');
      },
      Math.max(0, ms),
    );
  }

  /** A system error, then phx_close: the channel ends and the client must join again. */
  private shutDown(channel: Channel, reason: string): void {
    clearTimeout(channel.expiry);
    this.system(channel, 'error', reason);
    this.channels.delete(channel.topic);
    this.send({
      joinRef: channel.joinRef,
      ref: channel.joinRef,
      topic: channel.topic,
      event: 'phx_close',
      payload: {},
    });
  }

  /** The socket closed: stop every timer it owns. */
  dispose(): void {
    for (const channel of this.channels.values()) clearTimeout(channel.expiry);
  }

  private broadcast(frame: Frame): void {
    const channel = this.channels.get(frame.topic);
    if (!channel) return this.reply(frame, 'error', { reason: 'join the channel before broadcasting' });
    const size = Buffer.byteLength(JSON.stringify(frame.payload));
    if (size > this.host.quotas.maxBroadcastBytes) {
      return this.reply(frame, 'error', {
        reason: `Payload too large: ${size} bytes (limit ${this.host.quotas.maxBroadcastBytes})`,
      });
    }
    this.host.broadcast(this, channel, frame.payload);
    if (channel.broadcastAck && frame.ref) this.reply(frame, 'ok', {});
  }

  private presence(frame: Frame): void {
    const channel = this.channels.get(frame.topic);
    if (!channel || channel.presenceKey === undefined)
      return this.reply(frame, 'error', { reason: 'presence is not enabled on this channel' });
    const key = channel.presenceKey;
    const event = frame.payload['event'];
    if (event === 'track') {
      const meta = {
        ...((frame.payload['payload'] ?? {}) as Record<string, unknown>),
        phx_ref: crypto.randomUUID(),
      };
      this.host.presence(this, channel, { joins: { [key]: { metas: [meta] } } });
    } else if (event === 'untrack') {
      this.host.presence(this, channel, { leaves: { [key]: { metas: [] } } });
    } else {
      return this.reply(frame, 'error', { reason: 'presence event must be track or untrack' });
    }
    if (frame.ref) this.reply(frame, 'ok', {});
  }

  /** Claims from a user's access token, or the socket's own; a string is Supabase's refusal. */
  private async claimsFor(token: unknown): Promise<Claims | string> {
    if (token === undefined || token === null) return this.socketClaims;
    if (typeof token !== 'string') return 'InvalidJWTToken: access_token must be a string';
    const verified = await this.host.keys.verify(token);
    if (verified.ok) return verified.claims;
    return verified.reason === 'expired'
      ? 'InvalidJWTToken: Token has expired'
      : `InvalidJWTToken: The token provided is not a valid JWT (${verified.message})`;
  }

  private reply(frame: Frame, status: 'ok' | 'error', response: Record<string, unknown>): void {
    this.send({
      joinRef: frame.joinRef,
      ref: frame.ref,
      topic: frame.topic,
      event: 'phx_reply',
      payload: { status, response },
    });
  }

  private system(channel: Channel, status: 'ok' | 'error', message: string): void {
    this.send({
      joinRef: channel.joinRef,
      ref: null,
      topic: channel.topic,
      event: 'system',
      payload: {
        status,
        extension: 'postgres_changes',
        message,
        channel: channel.topic.replace(/^realtime:/, ''),
      },
    });
  }
}
