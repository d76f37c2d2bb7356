// The backend's admin API as the service role: metrics to witness with, chaos to break things.
// Shared by the Node tests, the e2e tests and the benchmarks.
import type { ChaosRequest, MetricsResponse } from '../../server/admin/protocol.js';
import type { Backend } from './backend.js';

/** Where the admin API is, and the key it takes: a test's Backend, or the benchmark's. */
type AdminEndpoint = Pick<Backend, 'url' | 'serviceRoleKey'>;

/** An endpoint, or a running app (test/support/browser/app.ts) whose backend it is. */
export type AdminTarget = AdminEndpoint | { backend: AdminEndpoint };

async function admin(target: AdminTarget, path: string, init: RequestInit = {}): Promise<Response> {
  const backend = 'backend' in target ? target.backend : target;
  const response = await fetch(`${backend.url}${path}`, {
    ...init,
    headers: { apikey: backend.serviceRoleKey, 'Content-Type': 'application/json' },
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response;
}

/** The backend's admin metrics (GET /admin/v1/metrics). */
export async function metrics(target: AdminTarget): Promise<MetricsResponse> {
  return (await (await admin(target, '/admin/v1/metrics')).json()) as MetricsResponse;
}

export async function chaos(target: AdminTarget, request: ChaosRequest): Promise<void> {
  await admin(target, '/admin/v1/chaos', { method: 'POST', body: JSON.stringify(request) });
}

/** Whether a band_events binding's filter (eq. or in.) covers the band. */
const coversBand = (filter: string | undefined, bandId: string): boolean =>
  filter === `band_id=eq.${bandId}` ||
  (filter?.startsWith('band_id=in.(') === true && filter.slice(12, -1).split(',').includes(bandId));

export interface ServerSocket {
  /** The server's id for the socket: the same id is the same connection. */
  id: string;
  userId: string | null;
  channels: number;
  /** How many band_events bindings on this socket cover the band (by eq. or in.). */
  bandsSubscribed(bandId: string): number;
}

/** Every socket open on the backend, as its metrics report it. */
export async function serverSockets(target: AdminTarget): Promise<ServerSocket[]> {
  return (await metrics(target)).sockets.map((socket) => ({
    id: socket.id,
    userId: socket.user_id,
    channels: socket.channels.length,
    bandsSubscribed: (bandId: string) =>
      socket.channels
        .flatMap((channel) => channel.bindings)
        .filter((binding) => binding.table === 'band_events' && coversBand(binding.filter, bandId)).length,
  }));
}

/** What one user holds on the backend: their sockets, and what those subscribe to. */
export interface ServerLoad {
  sockets: number;
  /** Channels joined on those sockets. */
  channels: number;
  /** postgres_changes bindings on band_events that cover the band. */
  band_bindings: number;
}

export async function serverLoad(target: AdminTarget, userId: string, bandId: string): Promise<ServerLoad> {
  const sockets = (await serverSockets(target)).filter((socket) => socket.userId === userId);
  return {
    sockets: sockets.length,
    channels: sockets.reduce((sum, socket) => sum + socket.channels, 0),
    band_bindings: sockets.reduce((sum, socket) => sum + socket.bandsSubscribed(bandId), 0),
  };
}

/** Token refreshes the backend answered with a new session for this user since it started. */
export async function tokenRefreshes(target: AdminTarget, userId: string): Promise<number> {
  return (await metrics(target)).auth.token_refreshes[userId] ?? 0;
}
