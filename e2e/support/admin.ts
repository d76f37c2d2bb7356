// The backend's admin API as a test witness: open sockets and their subscriptions, and chaos.
import type { ChaosRequest, MetricsResponse } from '../../server/admin/protocol.js';
import type { RunningApp } from './app.js';

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

/** The backend's admin metrics (GET /admin/v1/metrics). */
export async function metrics(app: RunningApp): Promise<MetricsResponse> {
  return (await (await admin(app, '/admin/v1/metrics')).json()) as MetricsResponse;
}

export async function serverSockets(app: RunningApp): Promise<ServerSocket[]> {
  return (await metrics(app)).sockets.map((socket) => ({
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
