// One user's realtime socket over time. Each attempt gets a fresh RealtimeClient, so no timer of a
// dead socket can act on a live one; realtime-js's own reconnect is switched off and this module
// decides, through the pure state machine in core/connection-state.ts.
import { RealtimeClient, type WebSocketLikeConstructor } from '@supabase/realtime-js';
import type { BackoffPolicy } from './core/backoff.js';
import { DEFAULT_BACKOFF } from './core/backoff.js';
import { isAttempting, reduce, type ConnectionEvent } from './core/connection-state.js';
import { INITIAL_STATE, type ConnectionError, type ConnectionState } from '../contract/connection-state.js';
import { refusalCode } from './core/refusal.js';
import type { Clock } from './environment.js';

export interface ConnectionOptions {
  supabaseUrl: string;
  anonKey: string;
  heartbeatIntervalMs: number;
  /** An attempt that is not live within this time fails. */
  attemptTimeoutMs: number;
  policy: BackoffPolicy;
  /** Node has no global WebSocket before v22: tests pass `ws` here. Browsers leave it unset. */
  transport?: WebSocketLikeConstructor;
}

/**
 * The default heartbeat: realtime-js sends one every interval and gives up on a reply after one
 * more, so a half-open socket is noticed 5-10 s after it stalls (at 15 s it took up to 30 s). The
 * cost: 12 heartbeats a minute each way per profile, about 1.3 KB a minute (see the README).
 */
export const DEFAULT_HEARTBEAT_MS = 5000;

/**
 * How long an attempt may take to be live: two heartbeats, within 2–10 s. A join swallowed by a
 * half-open link is then retried on a fresh socket instead of waiting out realtime-js's push timeout.
 */
export const attemptTimeoutFor = (heartbeatIntervalMs: number): number =>
  Math.min(10_000, Math.max(2000, 2 * heartbeatIntervalMs));

export const DEFAULT_CONNECTION_OPTIONS: Pick<
  ConnectionOptions,
  'heartbeatIntervalMs' | 'attemptTimeoutMs' | 'policy'
> = {
  heartbeatIntervalMs: DEFAULT_HEARTBEAT_MS,
  attemptTimeoutMs: attemptTimeoutFor(DEFAULT_HEARTBEAT_MS),
  policy: DEFAULT_BACKOFF,
};

/** One attempt's socket, as its owner sees it. */
export interface SocketAttempt {
  readonly client: RealtimeClient;
  /** This attempt's channels broke after joining: the socket must be replaced. Ignored once stale. */
  broke(message: string): void;
}

/** What the live socket's heartbeat did: one went out, or its reply came back after `latencyMs`. */
export type Heartbeat = { type: 'sent' } | { type: 'answered'; latencyMs: number };

/** What the owner does with the socket: join each new one's channels, and hear every change of state. */
export interface ConnectionHandlers {
  /** A new socket: join its channels; resolve once they are all live. */
  attempt(socket: SocketAttempt): Promise<void>;
  stateChanged(state: ConnectionState, previous: ConnectionState): void;
  /** A slow reply (or none yet) is a stall, in which the socket may have lost events. */
  heartbeat(beat: Heartbeat): void;
  /**
   * The token to join with, fresh (renewed first when it is about to expire: after a long
   * disconnect or a sleep); rejects when none came within `withinMs`.
   */
  freshToken(withinMs: number): Promise<string>;
}

// realtime-js must never reconnect by itself: a day is "never" for a socket we replace on failure.
const NEVER_MS = 24 * 3600 * 1000;

export class Connection {
  private current: ConnectionState = INITIAL_STATE;
  private client: RealtimeClient | undefined;
  private attemptId = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private token: string | undefined;
  /** Given at start: the owner's collaborators exist by then, and nothing happens before it. */
  private handlers: ConnectionHandlers | undefined;
  heartbeatRttMs: number | undefined;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly clock: Clock,
  ) {}

  get state(): ConnectionState {
    return this.current;
  }

  start(token: string, handlers: ConnectionHandlers): void {
    this.token = token;
    this.handlers = handlers;
    this.dispatch({ type: 'start' });
  }

  /** A refreshed token: sent on the open socket (no rejoin), used by every later attempt. */
  setToken(token: string): void {
    this.token = token;
    if (this.client) void this.client.setAuth(token).catch(() => undefined);
  }

  stop(): void {
    this.dispatch({ type: 'stop' });
  }

  retryNow(): void {
    this.dispatch({ type: 'retry-now' });
  }

  networkChanged(online: boolean): void {
    this.dispatch({ type: online ? 'online' : 'offline' });
  }

  /** Something broke the attempt `attempt` (a channel error, a missed heartbeat). Stale reports are ignored. */
  private fail(attempt: number, code: string, message: string): void {
    if (attempt !== this.attemptId || !this.client) return;
    // A quota or token refusal gets its own code, so tabs can say why (the message keeps the detail).
    const error: ConnectionError = { code: refusalCode(message) ?? code, message, at: this.clock.now() };
    this.dispatch({ type: 'failed', error, random: this.clock.random() });
  }

  private dispatch(event: ConnectionEvent): void {
    const previous = this.current;
    const next = reduce(previous, event, this.options.policy);
    if (next === previous) return;
    this.current = next;
    this.applyEffects(previous, next);
    this.handlers?.stateChanged(next, previous);
  }

  private applyEffects(previous: ConnectionState, next: ConnectionState): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (isAttempting(next)) {
      if (!isAttempting(previous)) this.beginAttempt();
      return;
    }
    if (next.kind === 'connected') return;
    this.closeSocket();
    if (next.kind === 'reconnecting' && next.nextRetryAt !== null) {
      const at = next.nextRetryAt;
      this.retryTimer = setTimeout(
        () => this.dispatch({ type: 'retry-due', at }),
        Math.max(0, at - this.clock.now()),
      );
    }
  }

  private beginAttempt(): void {
    this.closeSocket();
    const attempt = ++this.attemptId;
    const client = new RealtimeClient(`${this.options.supabaseUrl}/realtime/v1`, {
      params: { apikey: this.options.anonKey },
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      reconnectAfterMs: () => NEVER_MS,
      timeout: this.options.attemptTimeoutMs,
      heartbeatCallback: (status, latency) => this.onHeartbeat(attempt, status, latency),
      ...(this.options.transport ? { transport: this.options.transport } : {}),
    });
    this.client = client;
    const timeout = setTimeout(
      () => this.fail(attempt, 'attempt_timeout', `not live within ${this.options.attemptTimeoutMs} ms`),
      this.options.attemptTimeoutMs,
    );
    void (async () => {
      try {
        // Never join with an expired token: the server would refuse every channel.
        const token = (await this.handlers?.freshToken(this.options.attemptTimeoutMs / 2)) ?? this.token;
        if (attempt !== this.attemptId) return;
        this.token = token;
        if (token) await client.setAuth(token);
        await this.handlers?.attempt({
          client,
          broke: (message) => this.fail(attempt, 'channel_error', message),
        });
        if (attempt === this.attemptId) this.dispatch({ type: 'opened', at: this.clock.now() });
      } catch (error) {
        this.fail(attempt, 'join_failed', error instanceof Error ? error.message : String(error));
      } finally {
        clearTimeout(timeout);
      }
    })();
  }

  private onHeartbeat(attempt: number, status: string, latency?: number): void {
    if (attempt !== this.attemptId) return;
    if (status === 'sent') this.handlers?.heartbeat({ type: 'sent' });
    if (status === 'ok' && latency !== undefined) {
      this.heartbeatRttMs = latency;
      this.handlers?.heartbeat({ type: 'answered', latencyMs: latency });
    }
    // A heartbeat unanswered by the next tick: the socket is dead even if it looks open (half-open).
    if (status === 'timeout') this.fail(attempt, 'heartbeat_timeout', 'heartbeat unanswered');
    if (status === 'error') this.fail(attempt, 'heartbeat_error', 'heartbeat failed');
  }

  private closeSocket(): void {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    // Bump the id so callbacks still in flight from this socket are recognised as stale.
    this.attemptId++;
    void client.removeAllChannels().finally(() => void client.disconnect());
  }
}
