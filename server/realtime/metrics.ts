// The metrics snapshot the admin API serves: every open socket with its channels and bindings,
// totals, RLS work and faults in force.
import type { ChaosState, RealtimeMetrics, SocketMetrics } from '../admin/protocol.js';
import type { SocketSession } from './socket-session.js';

export interface Counters {
  changes: number;
  deliveries: number;
  rlsChecks: number;
  rlsQueries: number;
  joinsRefused: number;
  joinsRefusedExpired: number;
  connects: number;
  joins: number;
}

export function socketMetrics(session: SocketSession): SocketMetrics {
  return {
    id: session.id,
    user_id: session.userId,
    role: session.role,
    vsn: session.vsn,
    connected_at: session.connectedAt.toISOString(),
    messages_in: session.messagesIn,
    messages_out: session.messagesOut,
    channels: [...session.members.values()].map(({ channel }) => ({
      topic: channel.topic,
      bindings: channel.config.bindings.map((b) => ({
        id: b.id,
        event: b.event,
        schema: b.schema,
        table: b.table,
        ...(b.filter !== undefined ? { filter: b.filter } : {}),
      })),
    })),
  };
}

export function metricsSnapshot(
  sessions: Iterable<SocketSession>,
  counters: Counters,
  chaos: ChaosState,
): RealtimeMetrics {
  const sockets = [...sessions].map(socketMetrics);
  const sum = (f: (s: SocketMetrics) => number): number => sockets.reduce((n, s) => n + f(s), 0);
  const cpu = process.cpuUsage();
  return {
    sockets,
    totals: {
      sockets: sockets.length,
      channels: sum((s) => s.channels.length),
      bindings: sum((s) => s.channels.reduce((m, c) => m + c.bindings.length, 0)),
      messages_in: sum((s) => s.messages_in),
      messages_out: sum((s) => s.messages_out),
      changes: counters.changes,
      deliveries: counters.deliveries,
      joins_refused: counters.joinsRefused,
      joins_refused_expired_token: counters.joinsRefusedExpired,
      connects: counters.connects,
      joins: counters.joins,
    },
    rls_checks: counters.rlsChecks,
    rls_queries: counters.rlsQueries,
    chaos,
    process: {
      cpu_user_ms: Math.round(cpu.user / 1000),
      cpu_system_ms: Math.round(cpu.system / 1000),
      rss_bytes: process.memoryUsage().rss,
    },
  };
}
