// The metrics snapshot in Prometheus' text exposition format (version 0.0.4).
import type { MetricsResponse } from './protocol.js';

export function prometheusText(metrics: MetricsResponse): string {
  const { totals } = metrics;
  const lines: [name: string, type: 'gauge' | 'counter', help: string, value: number][] = [
    ['backline_realtime_sockets', 'gauge', 'Open realtime sockets', totals.sockets],
    ['backline_realtime_channels', 'gauge', 'Joined channels', totals.channels],
    ['backline_realtime_bindings', 'gauge', 'postgres_changes bindings', totals.bindings],
    ['backline_realtime_messages_in', 'gauge', 'Frames received by open sockets', totals.messages_in],
    ['backline_realtime_messages_out', 'gauge', 'Frames sent to open sockets', totals.messages_out],
    ['backline_realtime_changes_total', 'counter', 'Changes captured', totals.changes],
    ['backline_realtime_connects_total', 'counter', 'Socket upgrades asked for', totals.connects],
    ['backline_realtime_joins_total', 'counter', 'Channel joins asked for', totals.joins],
    ['backline_realtime_deliveries_total', 'counter', 'Change frames sent', totals.deliveries],
    [
      'backline_realtime_joins_refused_total',
      'counter',
      'Joins refused for their token',
      totals.joins_refused,
    ],
    [
      'backline_realtime_joins_refused_expired_total',
      'counter',
      'Joins refused for an expired token',
      totals.joins_refused_expired_token,
    ],
    ['backline_realtime_rls_checks_total', 'counter', 'Per-subscriber RLS row checks', metrics.rls_checks],
    [
      'backline_realtime_rls_queries_total',
      'counter',
      'Transactions the RLS checks took',
      metrics.rls_queries,
    ],
    ['backline_process_cpu_user_ms', 'counter', 'User CPU time of the backend', metrics.process.cpu_user_ms],
    [
      'backline_process_cpu_system_ms',
      'counter',
      'System CPU time of the backend',
      metrics.process.cpu_system_ms,
    ],
    ['backline_process_rss_bytes', 'gauge', 'Resident memory of the backend', metrics.process.rss_bytes],
    ['backline_http_rest_requests_total', 'counter', 'REST requests served', metrics.http.rest],
    ['backline_http_auth_requests_total', 'counter', 'Auth requests served', metrics.http.auth],
    ['backline_http_refused_total', 'counter', 'Requests cut off by chaos', metrics.http.refused],
  ];
  const header = (name: string, type: string, help: string): string =>
    `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
  const refreshes = 'backline_auth_token_refreshes_total';
  return (
    lines.map(([name, type, help, value]) => `${header(name, type, help)}${name} ${value}\n`).join('') +
    header(refreshes, 'counter', 'Token refreshes answered with a new session, per user') +
    Object.entries(metrics.auth.token_refreshes)
      // User ids are uuids: nothing in them needs escaping in a label value.
      .map(([userId, count]) => `${refreshes}{user_id="${userId}"} ${count}\n`)
      .join('')
  );
}
