// The backend's admin API as the service role: metrics to witness with, chaos to break things.
// Shared by the Node tests, the e2e tests and the benchmarks.
import type { ChaosRequest, MetricsResponse } from '../../server/admin/protocol.js';
import type { Backend } from './backend.js';

/** Where the admin API is, and the key it takes: a test's Backend, or the benchmark's. */
export type AdminTarget = Pick<Backend, 'url' | 'serviceRoleKey'>;

async function admin(backend: AdminTarget, path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`${backend.url}${path}`, {
    ...init,
    headers: { apikey: backend.serviceRoleKey, 'Content-Type': 'application/json' },
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response;
}

/** The backend's admin metrics (GET /admin/v1/metrics). */
export async function metrics(backend: AdminTarget): Promise<MetricsResponse> {
  return (await (await admin(backend, '/admin/v1/metrics')).json()) as MetricsResponse;
}

export async function chaos(backend: AdminTarget, request: ChaosRequest): Promise<void> {
  await admin(backend, '/admin/v1/chaos', { method: 'POST', body: JSON.stringify(request) });
}

/** Whether a band_events binding's filter (eq. or in.) covers the band. */
export const coversBand = (filter: string | undefined, bandId: string): boolean =>
  filter === `band_id=eq.${bandId}` ||
  (filter?.startsWith('band_id=in.(') === true && filter.slice(12, -1).split(',').includes(bandId));
