// The admin API: service_role only, metrics as JSON and Prometheus text, chaos bodies validated.
import { describe, expect, it } from 'vitest';
import type { AdminError, MetricsResponse } from '../../../server/admin/protocol.js';
import { tokenRefreshes } from '../../support/admin.js';
import { bandWith, signedUpClient, until } from '../../support/backend.js';
import { useBackend } from '../../support/use-backend.js';
import { collect, signedInRealtime, subscribedToChanges } from '../realtime/support.js';

const backend = useBackend();

function admin(path: string, headers: Record<string, string>, body?: unknown): Promise<Response> {
  return fetch(`${backend.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

const asService = (): Record<string, string> => ({ apikey: backend.serviceRoleKey });

describe('admin API access', () => {
  it.each(['/admin/v1/metrics', '/metrics'])(
    'refuses %s without a key, and with anon or user keys',
    async (path) => {
      const alice = await signedUpClient(backend, 'alice');
      const userToken = (await alice.client.auth.getSession()).data.session!.access_token;
      expect((await admin(path, {})).status).toBe(401);
      expect((await admin(path, { apikey: backend.anonKey })).status).toBe(403);
      expect(
        (await admin(path, { apikey: backend.anonKey, Authorization: `Bearer ${userToken}` })).status,
      ).toBe(403);
      const refused = await admin(path, { apikey: userToken });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as AdminError).error).toMatch(/service_role/);
      expect((await admin(path, { Authorization: `Bearer ${backend.serviceRoleKey}` })).status).toBe(200);
    },
  );

  it('refuses chaos with an anon key and changes nothing', async () => {
    const response = await admin(
      '/admin/v1/chaos',
      { apikey: backend.anonKey },
      { action: 'refuse', ms: 60_000 },
    );
    expect(response.status).toBe(403);
    expect(backend.realtime.metrics().chaos.refuseUntil).toBe(0);
  });
});

describe('metrics', () => {
  it('lists each socket with its user, role, channels, bindings and message counts, and RLS checks', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client);
    const { channel, changes } = collect(await signedInRealtime(alice), 'watched', {
      event: 'INSERT',
      table: 'band_events',
      filter: `band_id=eq.${bandId}`,
    });
    await subscribedToChanges(channel);
    const before = ((await (await admin('/admin/v1/metrics', asService())).json()) as MetricsResponse)
      .rls_checks;
    await alice.client.from('songs').insert({ band_id: bandId, title: 'Counted' });
    await until(() => changes.length === 1);
    const metrics = (await (await admin('/admin/v1/metrics', asService())).json()) as MetricsResponse;
    const socket = metrics.sockets.find((s) => s.user_id === alice.userId);
    expect(socket).toMatchObject({
      role: 'authenticated',
      vsn: '2.0.0',
      channels: [
        {
          topic: 'realtime:watched',
          bindings: [
            { event: 'INSERT', schema: 'public', table: 'band_events', filter: `band_id=eq.${bandId}` },
          ],
        },
      ],
    });
    expect(socket!.messages_in).toBeGreaterThan(0);
    expect(socket!.messages_out).toBeGreaterThan(0);
    expect(Date.parse(socket!.connected_at)).toBeLessThanOrEqual(Date.now());
    expect(metrics.totals.sockets).toBe(metrics.sockets.length);
    expect(metrics.totals.channels).toBeGreaterThanOrEqual(1);
    expect(metrics.rls_checks).toBe(before + 1);
    await alice.client.removeAllChannels();
  });

  it('counts REST and auth requests served, and those chaos cut off', async () => {
    const before = (await (await admin('/admin/v1/metrics', asService())).json()) as MetricsResponse;
    const alice = await signedUpClient(backend, 'alice');
    await alice.client.from('bands').select('id');
    await admin('/admin/v1/chaos', asService(), { action: 'refuse', ms: 60_000, scope: 'rest' });
    // One request: postgrest-js would otherwise retry a failed GET three times.
    const cut = await alice.client.from('bands').select('id').retry(false);
    await admin('/admin/v1/chaos', asService(), { action: 'reset' });
    expect(cut.error).not.toBeNull();
    const after = (await (await admin('/admin/v1/metrics', asService())).json()) as MetricsResponse;
    expect(after.http.rest - before.http.rest).toBe(1);
    expect(after.http.auth - before.http.auth).toBeGreaterThanOrEqual(1);
    expect(after.http.refused - before.http.refused).toBe(1);
  });

  it('counts REST requests by path, so a test can tell which reads a client made', async () => {
    const metrics = async (): Promise<MetricsResponse> =>
      (await (await admin('/admin/v1/metrics', asService())).json()) as MetricsResponse;
    const alice = await signedUpClient(backend, 'alice');
    const before = await metrics();
    await alice.client.from('songs').select('id');
    await alice.client.from('songs').select('id').limit(1);
    await alice.client.rpc('band_heads', { band_ids: [] });
    const after = await metrics();
    const served = (path: string): number =>
      (after.http.rest_paths[path] ?? 0) - (before.http.rest_paths[path] ?? 0);
    expect([served('/songs'), served('/rpc/band_heads'), served('/bands')]).toEqual([2, 1, 0]);
  });

  it("counts each user's token refreshes, and a refused refresh not at all", async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const spent = (await bob.client.auth.getSession()).data.session!.refresh_token;
    for (let i = 0; i < 2; i++) {
      const { error } = await alice.client.auth.refreshSession();
      expect(error).toBeNull();
    }
    // A refresh token nobody issued is refused (400): no new session, nothing counted.
    const refused = await bob.client.auth.refreshSession({ refresh_token: `${spent}-forged` });
    expect(refused.error).not.toBeNull();
    expect(await tokenRefreshes(backend, alice.userId)).toBe(2);
    expect(await tokenRefreshes(backend, bob.userId)).toBe(0);
    const text = await (await admin('/metrics', asService())).text();
    expect(text).toMatch(/^# TYPE backline_auth_token_refreshes_total counter$/m);
    expect(text).toContain(`backline_auth_token_refreshes_total{user_id="${alice.userId}"} 2\n`);
    expect(text).not.toContain(`{user_id="${bob.userId}"}`);
  });

  it('serves the same figures as Prometheus text', async () => {
    const response = await admin('/metrics', asService());
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(/^# TYPE backline_realtime_sockets gauge$/m);
    expect(text).toMatch(/^backline_realtime_rls_checks_total \d+$/m);
    expect(text).toMatch(/^backline_realtime_changes_total \d+$/m);
  });
});

describe('chaos bodies', () => {
  it.each([
    ['not JSON', '{', /invalid JSON/],
    ['no action', {}, /action must be one of/],
    ['an unknown action', { action: 'explode' }, /action must be one of/],
    ['a negative duration', { action: 'blackhole', ms: -1 }, /ms must be an integer/],
    ['a duration that is not a number', { action: 'refuse', ms: '100' }, /ms must be an integer/],
    ['latency without duration_ms', { action: 'latency', ms: 100 }, /duration_ms must be an integer/],
    ['an unknown field', { action: 'drop', user: 'x' }, /unknown field\(s\) for drop: user/],
    ['a bad scope', { action: 'refuse', ms: 1, scope: 'everything' }, /scope must be/],
  ])('answers 400 to %s', async (_name, body, message) => {
    const response = await admin('/admin/v1/chaos', asService(), body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as AdminError).error).toMatch(message);
  });

  it('answers with the faults in force, and reset ends them', async () => {
    const set = await admin('/admin/v1/chaos', asService(), {
      action: 'latency',
      ms: 5,
      duration_ms: 60_000,
    });
    expect(((await set.json()) as { chaos: { latencyMs: number } }).chaos.latencyMs).toBe(5);
    const reset = await admin('/admin/v1/chaos', asService(), { action: 'reset' });
    expect(((await reset.json()) as { chaos: { latencyMs: number } }).chaos.latencyMs).toBe(0);
  });
});
