// The backend's admin API as a test witness: open sockets and their subscriptions, and chaos.
import type { ChaosRequest } from '../../server/realtime/chaos.js';
import type { RunningApp } from './app.js';

interface Binding {
  table: string;
  filter?: string;
}

interface SocketMetrics {
  user_id: string | null;
  channels: { topic: string; bindings: Binding[] }[];
}

export interface ServerSocket {
  userId: string | null;
  channels: number;
  /** How many band_events bindings on this socket cover the band (by eq. or in.). */
  bandsSubscribed(bandId: string): number;
}

async function admin(app: RunningApp, path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`${app.backend.url}${path}`, {
    ...init,
    headers: { apikey: app.backend.serviceRoleKey, 'Content-Type': 'application/json' },
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response;
}

const covers = (filter: string | undefined, bandId: string): boolean =>
  filter === `band_id=eq.${bandId}` ||
  (filter?.startsWith('band_id=in.(') === true && filter.slice(12, -1).split(',').includes(bandId));

export async function serverSockets(app: RunningApp): Promise<ServerSocket[]> {
  const metrics = (await (await admin(app, '/admin/v1/metrics')).json()) as { sockets: SocketMetrics[] };
  return metrics.sockets.map((socket) => ({
    userId: socket.user_id,
    channels: socket.channels.length,
    bandsSubscribed: (bandId: string) =>
      socket.channels
        .flatMap((channel) => channel.bindings)
        .filter((binding) => binding.table === 'band_events' && covers(binding.filter, bandId)).length,
  }));
}

export async function chaos(app: RunningApp, request: ChaosRequest): Promise<void> {
  await admin(app, '/admin/v1/chaos', { method: 'POST', body: JSON.stringify(request) });
}
