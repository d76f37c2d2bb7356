// One client socket: reads its frames in order, answers heartbeats, joins and leaves channels with
// Supabase's replies and errors, follows its access tokens, and sends what the server fans out.
// A bad frame costs only this socket (an error reply, or a close); nothing throws out of here.
import type { WebSocket } from 'ws';
import type { Claims, JwtKeys } from '../auth/jwt.js';
import type { RealtimeQuotas } from '../config.js';
import {
  BindingError,
  claimsKey,
  parseJoinConfig,
  type Channel,
  type Member,
  type Subscriber,
} from './channel.js';
import type { BroadcastPush, Frame, Incoming, PresenceEntries, Vsn } from './protocol.js';
import { FRESH_WINDOW, QUOTA_ERRORS, admit, payloadTooLarge, type RateWindow } from './quotas.js';
import { FrameError, decode, encode } from './serializer.js';
import { ExpiryTimers, TOKEN_EXPIRED, claimsFromToken } from './channel-tokens.js';
import { channelFrame, closeFrame, replyFrame, systemFrame } from './frames.js';

/** What a session needs from the server it belongs to. */
export interface SessionHost {
  readonly keys: JwtKeys;
  readonly quotas: RealtimeQuotas;
  isPublished(schema: string, table: string): boolean;
  /** Chaos: while blackholed nothing is read or sent; latency delays both directions. */
  blackholed(): boolean;
  latency(): number;
  /** A join asked for (phx_join), whatever its answer: the storm bench's joins per second. */
  joinAsked(): void;
  joined(member: Member): void;
  /** A join refused for its token (expired or invalid): Supabase's reason. */
  joinRefused(reason: string): void;
  left(member: Member): void;
  broadcast(from: Member, push: BroadcastPush): void;
  track(member: Member, meta: Record<string, unknown>): void;
  untrack(member: Member): void;
  presenceState(topic: string): PresenceEntries;
}

// Close codes: 1007 for a frame that cannot be read (RFC 6455 "inconsistent data").
const UNREADABLE = 1007;

export class SocketSession implements Subscriber {
  readonly members = new Map<string, Member>();
  readonly connectedAt = new Date();
  messagesIn = 0;
  messagesOut = 0;
  private readonly expiries = new ExpiryTimers();
  private messages: RateWindow = FRESH_WINDOW;
  private joins: RateWindow = FRESH_WINDOW;
  /** Frames are handled one after another: a join verifying its token must finish before the next frame. */
  private inbox: Promise<void> = Promise.resolve();
  private closed = false;
  /** Closes the socket once it has sent nothing for the idle timeout (quotas.idleTimeoutMs). */
  private idle: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly id: string,
    private readonly ws: WebSocket,
    readonly vsn: Vsn,
    private claims: Claims,
    private readonly host: SessionHost,
  ) {
    this.stillHere();
  }

  /** The user this socket acts for: the newest token it presented. */
  get userId(): string | null {
    return this.claims.sub ?? null;
  }

  get role(): string {
    return this.claims.role;
  }

  receive(data: Buffer, isBinary: boolean): void {
    // A blackholed link loses what arrives; it is not buffered for later.
    if (this.host.blackholed()) return;
    this.stillHere();
    const delay = this.host.latency();
    const enqueue = (): void => {
      this.inbox = this.inbox.then(() => this.handle(data, isBinary));
    };
    if (delay > 0) setTimeout(enqueue, delay);
    else enqueue();
  }

  sendEncoded(data: string | Buffer, binary: boolean): void {
    if (this.closed || this.host.blackholed()) return;
    const write = (): void => {
      if (this.ws.readyState !== this.ws.OPEN) return;
      this.messagesOut++;
      this.ws.send(data, { binary });
    };
    const delay = this.host.latency();
    if (delay > 0) setTimeout(write, delay);
    else write();
  }

  send(frame: Frame): void {
    this.sendEncoded(encode(frame, this.vsn), false);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idle);
    // Close reasons are limited to 123 bytes.
    this.ws.close(code, reason.slice(0, 120));
  }

  /** The socket is gone: leave every channel and stop every timer. */
  dispose(): void {
    this.closed = true;
    clearTimeout(this.idle);
    for (const member of this.members.values()) this.leaveChannel(member);
  }

  /** Something arrived: the idle timeout starts over. */
  private stillHere(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.close(1000, 'idle timeout'), this.host.quotas.idleTimeoutMs);
  }

  private async handle(data: Buffer, isBinary: boolean): Promise<void> {
    if (this.closed) return;
    let incoming: Incoming;
    try {
      incoming = decode(data, isBinary, this.vsn);
    } catch (error) {
      // Phoenix cannot reply to a frame it cannot read: close this socket with the reason.
      this.close(UNREADABLE, error instanceof FrameError ? error.message : 'malformed frame');
      return;
    }
    this.messagesIn++;
    if (incoming.kind === 'broadcast') {
      if (this.withinMessageRate()) this.broadcast(incoming.push, data.length);
      return;
    }
    const frame = incoming.frame;
    if (frame.topic === 'phoenix' && frame.event === 'heartbeat') return this.reply(frame, 'ok', {});
    if (!this.withinMessageRate()) return;
    try {
      await this.dispatch(frame);
    } catch (error) {
      // A bug here must cost this frame, not the process.
      console.error('realtime: frame failed', error);
      this.reply(frame, 'error', { reason: 'Internal error' });
    }
  }

  /** Over the quota, every channel of the socket ends (as on Supabase) and the frame is dropped. */
  private withinMessageRate(): boolean {
    const limit = this.host.quotas.maxMessagesPerSecond;
    const { window, allowed } = admit(this.messages, Date.now(), limit);
    this.messages = window;
    if (!allowed && window.count === limit + 1) {
      for (const member of [...this.members.values()]) this.shutDown(member, QUOTA_ERRORS.messages);
    }
    return allowed;
  }

  private dispatch(frame: Frame): Promise<void> | void {
    switch (frame.event) {
      case 'phx_join':
        this.host.joinAsked();
        return this.join(frame);
      case 'phx_leave':
        return this.leave(frame);
      case 'access_token':
        return this.accessToken(frame);
      case 'presence':
        return this.presence(frame);
      default:
        return this.reply(frame, 'error', { reason: `Unknown event "${frame.event}"` });
    }
  }

  /** The member a non-join frame is for; frames under an old join_ref are dropped, as Phoenix does. */
  private memberFor(frame: Pick<Frame, 'topic' | 'joinRef'>): Member | undefined {
    const member = this.members.get(frame.topic);
    if (member && frame.joinRef !== null && frame.joinRef !== member.channel.joinRef) return undefined;
    return member;
  }

  private async join(frame: Frame): Promise<void> {
    const { window, allowed } = admit(this.joins, Date.now(), this.host.quotas.maxJoinsPerSecond);
    this.joins = window;
    if (!allowed) return this.reply(frame, 'error', { reason: QUOTA_ERRORS.joins });
    const rejoin = this.members.get(frame.topic);
    if (!rejoin && this.members.size >= this.host.quotas.maxChannelsPerConnection)
      return this.reply(frame, 'error', { reason: QUOTA_ERRORS.channels });
    if (!frame.topic.startsWith('realtime:'))
      return this.reply(frame, 'error', { reason: 'Topics must start with "realtime:"' });
    let config;
    try {
      config = parseJoinConfig(frame.payload, (schema, table) => this.host.isPublished(schema, table));
    } catch (error) {
      if (error instanceof BindingError) return this.reply(frame, 'error', { reason: error.message });
      throw error;
    }
    const claims = await claimsFromToken(this.host.keys, frame.payload['access_token'], this.claims);
    if (typeof claims === 'string') {
      this.host.joinRefused(claims);
      return this.reply(frame, 'error', { reason: claims });
    }
    if (this.closed) return;
    // The socket acts for whoever presented a token last (metrics, drops by user).
    this.claims = claims;
    if (rejoin) this.leaveChannel(rejoin);
    const channel: Channel = {
      topic: frame.topic,
      joinRef: frame.joinRef ?? frame.ref,
      config,
      claims,
      claimsKey: claimsKey(claims),
    };
    const member: Member = { subscriber: this, channel };
    this.members.set(channel.topic, member);
    this.host.joined(member);
    this.watchExpiry(member);
    this.reply(frame, 'ok', {
      postgres_changes: config.bindings.map((b) => ({
        id: b.id,
        event: b.event,
        schema: b.schema,
        table: b.table,
        ...(b.filter !== undefined ? { filter: b.filter } : {}),
      })),
    });
    if (config.presenceEnabled) {
      this.send(channelFrame(channel, 'presence_state', this.host.presenceState(channel.topic)));
    }
    // The member is registered above, synchronously, so changes committed from here on reach it.
    if (config.bindings.length > 0)
      this.send(systemFrame(channel, 'ok', 'postgres_changes', 'Subscribed to PostgreSQL'));
  }

  private leave(frame: Frame): void {
    const member = this.memberFor(frame);
    this.reply(frame, 'ok', {});
    if (member) this.leaveChannel(member);
  }

  private leaveChannel(member: Member): void {
    this.expiries.clear(member.channel.topic);
    if (this.members.get(member.channel.topic) === member) this.members.delete(member.channel.topic);
    this.host.left(member);
  }

  /** realtime-js sends this for every joined channel on setAuth; no reply when the token is good. */
  private async accessToken(frame: Frame): Promise<void> {
    const member = this.memberFor(frame);
    if (!member) return;
    const claims = await claimsFromToken(this.host.keys, frame.payload['access_token'], this.claims);
    if (this.members.get(member.channel.topic) !== member) return;
    if (typeof claims === 'string') return this.shutDown(member, claims);
    this.claims = claims;
    member.channel.claims = claims;
    member.channel.claimsKey = claimsKey(claims);
    this.watchExpiry(member);
  }

  private watchExpiry(member: Member): void {
    const { topic, claims } = member.channel;
    this.expiries.watch(topic, claims, () => {
      if (this.members.get(topic) === member) this.shutDown(member, TOKEN_EXPIRED);
    });
  }

  /** A system error, then phx_close: the channel ends and the client must join again. */
  private shutDown(member: Member, reason: string): void {
    const { channel } = member;
    this.leaveChannel(member);
    this.send(systemFrame(channel, 'error', 'system', reason));
    this.send(closeFrame(channel));
  }

  private broadcast(push: BroadcastPush, size: number): void {
    const member = this.memberFor(push);
    const frame = {
      joinRef: push.joinRef,
      ref: push.ref,
      topic: push.topic,
      event: 'broadcast',
      payload: {},
    };
    if (!member) return this.reply(frame, 'error', { reason: 'Join the channel before broadcasting' });
    if (size > this.host.quotas.maxBroadcastBytes)
      return this.reply(frame, 'error', {
        reason: payloadTooLarge(size, this.host.quotas.maxBroadcastBytes),
      });
    this.host.broadcast(member, push);
    if (member.channel.config.broadcastAck && push.ref !== null) this.reply(frame, 'ok', {});
  }

  private presence(frame: Frame): void {
    const member = this.memberFor(frame);
    if (!member) return this.reply(frame, 'error', { reason: 'Join the channel before tracking presence' });
    const { event, payload } = frame.payload;
    if (event === 'track') {
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
        return this.reply(frame, 'error', { reason: 'presence payload must be an object' });
      this.host.track(member, payload as Record<string, unknown>);
    } else if (event === 'untrack') {
      this.host.untrack(member);
    } else {
      return this.reply(frame, 'error', { reason: 'presence event must be track or untrack' });
    }
    this.reply(frame, 'ok', {});
  }

  private reply(
    frame: Pick<Frame, 'joinRef' | 'ref' | 'topic'>,
    status: 'ok' | 'error',
    response: Record<string, unknown>,
  ): void {
    this.send(replyFrame(frame, status, response));
  }
}
