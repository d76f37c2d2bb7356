// The backend's admin API as the benchmark's witness: one user's sockets and subscriptions, and
// the chaos drop.
import { chaos, coversBand, metrics } from '../../test/support/admin.js';
import type { BenchBackend } from './backend.js';

export interface ServerLoad {
  sockets: number;
  /** Channels joined on those sockets. */
  channels: number;
  /** postgres_changes bindings on band_events that cover the band. */
  band_bindings: number;
}

export async function serverLoad(backend: BenchBackend, userId: string, bandId: string): Promise<ServerLoad> {
  const sockets = (await metrics(backend)).sockets.filter((socket) => socket.user_id === userId);
  const channels = sockets.flatMap((socket) => socket.channels);
  return {
    sockets: sockets.length,
    channels: channels.length,
    band_bindings: channels
      .flatMap((channel) => channel.bindings)
      .filter((binding) => binding.table === 'band_events' && coversBand(binding.filter, bandId)).length,
  };
}

/** Closes every socket of the user, as a network drop would. */
export async function dropSockets(backend: BenchBackend, userId: string): Promise<void> {
  await chaos(backend, { action: 'drop', user_id: userId });
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
