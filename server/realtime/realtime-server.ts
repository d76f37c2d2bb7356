// `/realtime/v1/websocket`: admits sockets (apikey, connection quota, chaos) and connects the
// parts: sessions read frames, the topic registry knows who is joined where, capture drains
// changes into the fan-out, presence and broadcast go to the members of a topic. The chaos state
// is handed in (../chaos/); this server only obeys it, and drops sockets when asked.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { JwtKeys } from '../auth/jwt.js';
import type { RealtimeQuotas } from '../config.js';
import type { Database } from '../db/database.js';
import type { RealtimeMetrics } from '../admin/protocol.js';
import type { ChaosControls } from '../chaos/chaos-controls.js';
import { ChangeCapture } from './change-capture.js';
import { TOKEN_EXPIRED } from './channel-tokens.js';
import { ChangeFanout } from './change-fanout.js';
import type { Member } from './channel.js';
import { metricsSnapshot } from './metrics.js';
import { PresenceRegistry, type PresenceDiff } from './presence.js';
import type { BroadcastPush, PresenceEntries, Vsn } from './protocol.js';
import { QUOTA_ERRORS } from './quotas.js';
import { RlsGate } from './rls-gate.js';
import { encode, encodeBroadcast } from './serializer.js';
import { SocketSession, type SessionHost } from './socket-session.js';
import { TopicRegistry } from './topic-registry.js';

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/** Refusals before the upgrade are plain HTTP responses with `{"error": msg}`, as Supabase answers. */
function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export class RealtimeServer implements SessionHost {
  // ws refuses (1009) a frame over this before it is buffered whole: the largest legal broadcast
  // plus room for the envelope.
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<WebSocket, SocketSession>();
  private readonly registry = new TopicRegistry();
  private readonly presences = new PresenceRegistry();
  private readonly gate: RlsGate;
  private readonly fanout: ChangeFanout;
  private socketIds = 0;
  /** Joins refused for their token, and of those for an expired one (the broker must never cause these). */
  private refusedJoins = 0;
  /** Socket upgrades asked for and joins asked for, since start, answered or refused. */
  private connectsAsked = 0;
  private joinsAsked = 0;
  private expiredJoins = 0;

  private constructor(
    db: Database,
    readonly keys: JwtKeys,
    readonly quotas: RealtimeQuotas,
    private readonly chaos: ChaosControls,
    private readonly capture: ChangeCapture,
  ) {
    // UTF-8 is checked by the decoder, which closes with the reason; ws would close with a bare 1007.
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: quotas.maxBroadcastBytes + 64 * 1024,
      skipUTF8Validation: true,
    });
    this.gate = new RlsGate(db);
    this.fanout = new ChangeFanout(capture.tables, this.registry, this.gate, quotas.maxChangeBytes);
  }

  static async start(
    db: Database,
    keys: JwtKeys,
    quotas: RealtimeQuotas,
    chaos: ChaosControls,
  ): Promise<RealtimeServer> {
    const server = new RealtimeServer(db, keys, quotas, chaos, await ChangeCapture.install(db));
    await server.capture.start((changes) => server.fanout.deliver(changes));
    return server;
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    socket.on('error', () => socket.destroy());
    this.connectsAsked++;
    if (this.chaos.refusing()) return refuseUpgrade(socket, 503, 'Connections are refused (chaos)');
    const apikey = url.searchParams.get('apikey');
    if (!apikey) return refuseUpgrade(socket, 401, 'No API key found in request');
    const verified = await this.keys.verify(apikey);
    if (!verified.ok)
      return refuseUpgrade(
        socket,
        401,
        verified.reason === 'expired' ? 'Token has expired' : 'The token provided is not a valid JWT',
      );
    if (this.sessions.size >= this.quotas.maxConnections)
      return refuseUpgrade(socket, 429, QUOTA_ERRORS.connections);
    const vsn: Vsn = url.searchParams.get('vsn') === '2.0.0' ? '2.0.0' : '1.0.0';
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new SocketSession(`socket-${++this.socketIds}`, ws, vsn, verified.claims, this);
      this.sessions.set(ws, session);
      ws.on('message', (data: Buffer, isBinary) => session.receive(data, isBinary));
      ws.on('close', () => this.forget(ws));
      ws.on('error', () => ws.terminate());
    });
  }

  /** Chaos drop: terminates every socket, or those acting for one user; answers how many. */
  drop(userId?: string): number {
    let dropped = 0;
    for (const [ws, session] of this.sessions) {
      if (userId !== undefined && session.userId !== userId) continue;
      ws.terminate();
      dropped++;
    }
    return dropped;
  }

  metrics(): RealtimeMetrics {
    return metricsSnapshot(
      this.sessions.values(),
      {
        changes: this.fanout.changes,
        deliveries: this.fanout.deliveries,
        rlsChecks: this.gate.checks,
        rlsQueries: this.gate.queries,
        joinsRefused: this.refusedJoins,
        joinsRefusedExpired: this.expiredJoins,
        connects: this.connectsAsked,
        joins: this.joinsAsked,
      },
      this.chaos.snapshot(),
    );
  }

  async close(): Promise<void> {
    for (const ws of this.sessions.keys()) ws.terminate();
    for (const session of this.sessions.values()) session.dispose();
    this.sessions.clear();
    await this.capture.close();
    this.wss.close();
  }

  // ── SessionHost ──

  isPublished(schema: string, table: string): boolean {
    return this.capture.tables.has(`${schema}.${table}`);
  }

  blackholed(): boolean {
    return this.chaos.blackholed();
  }

  latency(): number {
    return this.chaos.latency();
  }

  joinAsked(): void {
    this.joinsAsked++;
  }

  joined(member: Member): void {
    this.registry.add(member);
  }

  joinRefused(reason: string): void {
    this.refusedJoins++;
    if (reason === TOKEN_EXPIRED) this.expiredJoins++;
  }

  left(member: Member): void {
    this.registry.remove(member);
    this.untrack(member);
  }

  broadcast(from: Member, push: BroadcastPush): void {
    // Encoded once per serializer, not once per socket.
    const encoded = new Map<Vsn, string | Buffer>();
    for (const member of this.registry.onTopic(push.topic)) {
      if (member === from && !from.channel.config.broadcastSelf) continue;
      const vsn = member.subscriber.vsn;
      let data = encoded.get(vsn);
      if (data === undefined)
        encoded.set(vsn, (data = encodeBroadcast(push.topic, push.event, push.body, vsn)));
      member.subscriber.sendEncoded(data, typeof data !== 'string');
    }
  }

  track(member: Member, meta: Record<string, unknown>): void {
    const { topic, config } = member.channel;
    this.presenceDiff(topic, this.presences.track(topic, member.subscriber.id, config.presenceKey, meta));
  }

  untrack(member: Member): void {
    const diff = this.presences.untrack(member.channel.topic, member.subscriber.id);
    if (diff) this.presenceDiff(member.channel.topic, diff);
  }

  presenceState(topic: string): PresenceEntries {
    return this.presences.state(topic);
  }

  private presenceDiff(topic: string, diff: PresenceDiff): void {
    for (const { subscriber, channel } of this.registry.onTopic(topic)) {
      if (!channel.config.presenceEnabled) continue;
      const frame = {
        joinRef: channel.joinRef,
        ref: null,
        topic,
        event: 'presence_diff',
        payload: { ...diff },
      };
      subscriber.sendEncoded(encode(frame, subscriber.vsn), false);
    }
  }

  private forget(ws: WebSocket): void {
    const session = this.sessions.get(ws);
    this.sessions.delete(ws);
    session?.dispose();
  }
}
