// The backend's admin API as the benchmark's witness: one user's sockets and subscriptions, and
// the chaos drop.
import type { MetricsResponse } from '../../server/admin/protocol.js';
import type { BenchBackend } from './backend.js';

export interface ServerLoad {
  sockets: number;
  /** Channels joined on those sockets. */
  channels: number;
  /** postgres_changes bindings on band_events that cover the band. */
  band_bindings: number;
}

async function admin(backend: BenchBackend, path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`${backend.url}${path}`, {
    ...init,
    headers: { apikey: backend.serviceRoleKey, 'Content-Type': 'application/json' },
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response;
}

export async function serverLoad(backend: BenchBackend, userId: string, bandId: string): Promise<ServerLoad> {
  const metrics = (await (await admin(backend, '/admin/v1/metrics')).json()) as MetricsResponse;
  const sockets = metrics.sockets.filter((socket) => socket.user_id === userId);
  const channels = sockets.flatMap((socket) => socket.channels);
  const covers = (filter: string | undefined): boolean =>
    filter === `band_id=eq.${bandId}` ||
    (filter?.startsWith('band_id=in.(') === true && filter.slice(12, -1).split(',').includes(bandId));
  return {
    sockets: sockets.length,
    channels: channels.length,
    band_bindings: channels
      .flatMap((channel) => channel.bindings)
      .filter((binding) => binding.table === 'band_events' && covers(binding.filter)).length,
  };
}

/** Closes every socket of the user, as a network drop would. */
export async function dropSockets(backend: BenchBackend, userId: string): Promise<void> {
  await admin(backend, '/admin/v1/chaos', {
    method: 'POST',
    body: JSON.stringify({ action: 'drop', user_id: userId }),
  });
}

/** Waits until the previous profile's sockets are gone, so each cell counts only its own. */
export async function waitForNoSockets(
  backend: BenchBackend,
  userId: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await serverLoad(backend, userId, '')).sockets > 0) {
    if (Date.now() > deadline)
      throw new Error(`sockets of the previous profile still open after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
