// The backend's admin API for a running app: open sockets and their subscriptions, and chaos
// (test/support/admin.ts for a bare backend).
import type { ChaosRequest, MetricsResponse } from '../../server/admin/protocol.js';
import { chaos as backendChaos, coversBand, metrics as backendMetrics } from '../../test/support/admin.js';
import type { RunningApp } from './app.js';

export interface ServerSocket {
  userId: string | null;
  channels: number;
  /** How many band_events bindings on this socket cover the band (by eq. or in.). */
  bandsSubscribed(bandId: string): number;
}

/** The backend's admin metrics (GET /admin/v1/metrics). */
export const metrics = (app: RunningApp): Promise<MetricsResponse> => backendMetrics(app.backend);

export async function serverSockets(app: RunningApp): Promise<ServerSocket[]> {
  return (await metrics(app)).sockets.map((socket) => ({
    userId: socket.user_id,
    channels: socket.channels.length,
    bandsSubscribed: (bandId: string) =>
      socket.channels
        .flatMap((channel) => channel.bindings)
        .filter((binding) => binding.table === 'band_events' && coversBand(binding.filter, bandId)).length,
  }));
}

export const chaos = (app: RunningApp, request: ChaosRequest): Promise<void> =>
  backendChaos(app.backend, request);
