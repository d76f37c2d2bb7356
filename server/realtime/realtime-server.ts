// `/realtime/v1/websocket`: accepts sockets (apikey, quotas, chaos), and fans each captured change
// out to the channels whose bindings match, after checking per subscriber that RLS lets their
// claims see the row. Changes go out one at a time, in commit order.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Claims, JwtKeys } from '../auth/jwt.js';
import type { RealtimeQuotas } from '../config.js';
import type { Database } from '../db/database.js';
import {
  NO_CHAOS,
  applyChaos,
  blackholed,
  latency,
  refusing,
  refusingHttp as isRefusingHttp,
  type ChaosRequest,
  type ChaosState,
} from './chaos.js';
import { ChangeCapture, visibilitySql, type PublishedTable } from './change-capture.js';
import { asText, matches } from './filters.js';
import type { ChangeRecord, Vsn } from './protocol.js';
import { encodeWithPayload } from './serializer.js';
import { SocketSession, type Channel, type SessionHost } from './socket-session.js';

export interface RealtimeMetrics {
  sockets: {
    id: string;
    user_id: string | null;
    role: string;
    vsn: Vsn;
    connected_at: string;
    messages_in: number;
    messages_out: number;
    channels: {
      topic: string;
      bindings: { id: number; event: string; schema: string; table: string; filter?: string }[];
    }[];
  }[];
  totals: {
    sockets: number;
    channels: number;
    bindings: number;
    messages_in: number;
    messages_out: number;
    changes: number;
  };
  rls_checks: number;
  chaos: ChaosState;
  /** The backend process: CPU time used so far and resident memory. */
  process: { cpu_user_ms: number; cpu_system_ms: number; rss_bytes: number };
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  const reason =
    status === 429 ? 'Too Many Requests' : status === 503 ? 'Service Unavailable' : 'Unauthorized';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export class RealtimeServer implements SessionHost {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 2 * 1024 * 1024 });
  private readonly sessions = new Map<WebSocket, SocketSession>();
  private chaosState: ChaosState = NO_CHAOS;
  private bindingIds = 0;
  private socketIds = 0;
  private rlsChecks = 0;
  private changes = 0;
  private readonly presences = new Map<string, Map<SocketSession, Record<string, unknown>>>();

  private constructor(
    private readonly db: Database,
    readonly keys: JwtKeys,
    readonly quotas: RealtimeQuotas,
    private capture: ChangeCapture | undefined,
  ) {}

  static async start(db: Database, keys: JwtKeys, quotas: RealtimeQuotas): Promise<RealtimeServer> {
    const server = new RealtimeServer(db, keys, quotas, undefined);
    server.capture = await ChangeCapture.install(db, (change) => server.fanOut(change));
    return server;
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    socket.on('error', () => socket.destroy());
    if (refusing(this.chaosState, Date.now()))
      return refuseUpgrade(socket, 503, 'Connections are refused (chaos)');
    const apikey = url.searchParams.get('apikey') ?? (req.headers['apikey'] as string | undefined);
    if (!apikey) return refuseUpgrade(socket, 401, 'No API key found in request');
    const verified = await this.keys.verify(apikey);
    if (!verified.ok) {
      return refuseUpgrade(
        socket,
        401,
        verified.reason === 'expired' ? 'Token has expired' : 'The token provided is not a valid JWT',
      );
    }
    if (this.sessions.size >= this.quotas.maxConnections)
      return refuseUpgrade(socket, 429, 'Too many connected users');
    const vsn: Vsn = url.searchParams.get('vsn') === '2.0.0' ? '2.0.0' : '1.0.0';
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new SocketSession(`socket-${++this.socketIds}`, ws, vsn, verified.claims, this);
      this.sessions.set(ws, session);
      ws.on('message', (data: Buffer, isBinary) => session.receive(data, isBinary));
      ws.on('close', () => this.forget(ws));
      ws.on('error', () => ws.terminate());
    });
  }

  chaos(request: ChaosRequest): void {
    this.chaosState = applyChaos(this.chaosState, request, Date.now());
    if (request.action === 'drop') {
      for (const [ws, session] of this.sessions) {
        if (request.user_id === undefined || session.userId === request.user_id) ws.terminate();
      }
    }
  }

  /** REST and auth are cut off (chaos refuse with scope rest or all). */
  refusingHttp(): boolean {
    return isRefusingHttp(this.chaosState, Date.now());
  }

  metrics(): RealtimeMetrics {
    const sockets = [...this.sessions.values()].map((s) => ({
      id: s.id,
      user_id: s.userId,
      role: [...s.channels.values()].at(-1)?.claims.role ?? 'anon',
      vsn: s.vsn,
      connected_at: s.connectedAt.toISOString(),
      messages_in: s.messagesIn,
      messages_out: s.messagesOut,
      channels: [...s.channels.values()].map((c) => ({
        topic: c.topic,
        bindings: c.bindings.map((b) => ({
          id: b.id,
          event: b.event,
          schema: b.schema,
          table: b.table,
          ...(b.filter ? { filter: b.filter } : {}),
        })),
      })),
    }));
    return {
      sockets,
      totals: {
        sockets: sockets.length,
        channels: sockets.reduce((n, s) => n + s.channels.length, 0),
        bindings: sockets.reduce((n, s) => n + s.channels.reduce((m, c) => m + c.bindings.length, 0), 0),
        messages_in: sockets.reduce((n, s) => n + s.messages_in, 0),
        messages_out: sockets.reduce((n, s) => n + s.messages_out, 0),
        changes: this.changes,
      },
      rls_checks: this.rlsChecks,
      chaos: this.chaosState,
      process: {
        cpu_user_ms: Math.round(process.cpuUsage().user / 1000),
        cpu_system_ms: Math.round(process.cpuUsage().system / 1000),
        rss_bytes: process.memoryUsage().rss,
      },
    };
  }

  async close(): Promise<void> {
    for (const ws of this.sessions.keys()) ws.terminate();
    this.sessions.clear();
    await this.capture?.close();
    this.wss.close();
  }

  // ── SessionHost ──

  isPublished(schema: string, table: string): boolean {
    return this.capture?.tables.has(`${schema}.${table}`) ?? false;
  }

  nextBindingId(): number {
    return ++this.bindingIds;
  }

  blackholed(): boolean {
    return blackholed(this.chaosState, Date.now());
  }

  latency(): number {
    return latency(this.chaosState, Date.now());
  }

  broadcast(from: SocketSession, channel: Channel, payload: Record<string, unknown>): void {
    for (const session of this.sessions.values()) {
      if (session === from && !channel.broadcastSelf) continue;
      const target = session.channels.get(channel.topic);
      if (target)
        session.send({
          joinRef: target.joinRef,
          ref: null,
          topic: channel.topic,
          event: 'broadcast',
          payload,
        });
    }
  }

  presence(
    from: SocketSession,
    channel: Channel,
    change: { joins?: Record<string, unknown>; leaves?: Record<string, unknown> },
  ): void {
    let members = this.presences.get(channel.topic);
    if (!members)
      this.presences.set(channel.topic, (members = new Map<SocketSession, Record<string, unknown>>()));
    const leaves = change.leaves ? { ...change.leaves } : {};
    if (change.leaves) {
      const previous = members.get(from);
      if (previous) Object.assign(leaves, previous);
      members.delete(from);
    }
    if (change.joins) members.set(from, change.joins);
    const payload = { joins: change.joins ?? {}, leaves };
    for (const session of this.sessions.values()) {
      const target = session.channels.get(channel.topic);
      if (target?.presenceKey !== undefined) {
        session.send({
          joinRef: target.joinRef,
          ref: null,
          topic: channel.topic,
          event: 'presence_diff',
          payload,
        });
      }
    }
  }

  presenceState(topic: string): Record<string, unknown> {
    const state: Record<string, unknown> = {};
    for (const joins of this.presences.get(topic)?.values() ?? []) Object.assign(state, joins);
    return state;
  }

  // ── fan-out ──

  private forget(ws: WebSocket): void {
    const session = this.sessions.get(ws);
    this.sessions.delete(ws);
    if (!session) return;
    session.dispose();
    for (const channel of session.channels.values()) {
      if (channel.presenceKey !== undefined && this.presences.get(channel.topic)?.has(session)) {
        this.presence(session, channel, { leaves: {} });
      }
    }
  }

  private async fanOut(change: ChangeRecord): Promise<void> {
    this.changes++;
    const table = this.capture?.tables.get(`${change.schema}.${change.table}`);
    if (!table) return;
    // DELETE: not RLS-checked, and with RLS on only the primary key of the old row goes out.
    const oldRecord =
      change.type === 'DELETE' && table.rlsEnabled && change.oldRecord
        ? Object.fromEntries(table.primaryKey.map((k) => [k, change.oldRecord?.[k]]))
        : change.oldRecord;
    const targets: { session: SocketSession; channel: Channel; ids: number[] }[] = [];
    for (const session of this.sessions.values()) {
      for (const channel of session.channels.values()) {
        const ids = matchingBindings(channel, change, oldRecord);
        if (ids.length > 0) targets.push({ session, channel, ids });
      }
    }
    if (targets.length === 0) return;
    const visible = await this.visibleTo(
      table,
      change,
      targets.map((t) => t.channel.claims),
    );
    const payload = {
      schema: change.schema,
      table: change.table,
      commit_timestamp: change.commitTimestamp,
      type: change.type,
      columns: table.columns,
      ...(change.type !== 'DELETE' ? { record: change.record } : {}),
      ...(change.type !== 'INSERT' ? { old_record: oldRecord } : {}),
      errors: null,
    };
    // The change is encoded once; each subscriber's frame differs only in topic, join ref and ids.
    const dataJson = JSON.stringify(payload);
    for (const target of targets) {
      if (!visible(target.channel.claims)) continue;
      const frame = {
        joinRef: target.channel.joinRef,
        ref: null,
        topic: target.channel.topic,
        event: 'postgres_changes',
      };
      target.session.sendText(
        encodeWithPayload(
          frame,
          `{"ids":${JSON.stringify(target.ids)},"data":${dataJson}}`,
          target.session.vsn,
        ),
      );
    }
  }

  /** One RLS check per distinct set of claims: can they select this row now? */
  private async visibleTo(
    table: PublishedTable,
    change: ChangeRecord,
    claims: Claims[],
  ): Promise<(claims: Claims) => boolean> {
    if (change.type === 'DELETE' || !table.rlsEnabled || !change.record) return () => true;
    const record = change.record;
    const keyOf = (c: Claims): string => `${c.role}:${c.sub ?? ''}:${String(c.exp ?? '')}`;
    const results = new Map<string, boolean>();
    const sql = visibilitySql(table);
    const params = table.primaryKey.map((k) => {
      const value = record[k];
      return value === null || value === undefined ? null : asText(value);
    });
    for (const c of claims) {
      const key = keyOf(c);
      if (results.has(key)) continue;
      if (c.exp !== undefined && c.exp * 1000 < Date.now()) {
        results.set(key, false);
        continue;
      }
      this.rlsChecks++;
      const rows = await this.db.asUser(c, (tx) => tx.query(sql, params)).catch(() => ({ rows: [] }));
      results.set(key, rows.rows.length > 0);
    }
    return (c) => results.get(keyOf(c)) ?? false;
  }
}

function matchingBindings(
  channel: Channel,
  change: ChangeRecord,
  oldRecord: Record<string, unknown> | null,
): number[] {
  const ids: number[] = [];
  channel.bindings.forEach((binding, i) => {
    if (binding.schema !== change.schema || binding.table !== change.table) return;
    if (binding.event !== '*' && binding.event !== change.type) return;
    const filter = channel.filters[i];
    if (filter) {
      const row = change.type === 'DELETE' ? oldRecord : change.record;
      // A DELETE's old record holds only the key: a filter on another column cannot apply (as on Supabase).
      const verdict = row ? matches(filter, row) : undefined;
      if (verdict === false) return;
      if (verdict === undefined && change.type !== 'DELETE') return;
    }
    ids.push(binding.id);
  });
  return ids;
}
