// Chaos through the admin API, seen by the unmodified supabase-js client: drop, blackhole,
// refuse and latency, each ending by itself.
import { describe, expect, it } from 'vitest';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import type { ChaosRequest, ChaosResponse } from '../../../server/admin/protocol.js';
import { bandWith, client, signedUpClient, until } from '../../support/backend.js';
import { useBackend } from '../../support/use-backend.js';
import {
  RawSocket,
  collect,
  refusal,
  signedInRealtime,
  socketUrl,
  subscribe,
  subscribedToChanges,
} from './support.js';

const backend = useBackend();

async function chaos(request: ChaosRequest): Promise<ChaosResponse> {
  const response = await fetch(`${backend.url}/admin/v1/chaos`, {
    method: 'POST',
    headers: { apikey: backend.serviceRoleKey, 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as ChaosResponse;
}

describe('chaos', () => {
  it('drop: the client reconnects and resubscribes by itself, and changes flow again', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client);
    const { channel, changes } = collect(await signedInRealtime(alice), 'drop', {
      event: 'INSERT',
      table: 'songs',
      filter: `band_id=eq.${bandId}`,
    });
    const resubscribed = new Promise<void>((resolve) => {
      let flowing = 0;
      channel.on('system', {}, (p: { status?: string }) => {
        if (p.status === 'ok' && ++flowing === 2) resolve();
      });
    });
    await subscribedToChanges(channel);
    expect((await chaos({ action: 'drop', user_id: alice.userId })).dropped).toBe(1);
    await resubscribed;
    await alice.client.from('songs').insert({ band_id: bandId, title: 'After the drop' });
    await until(() => changes.length === 1);
    await alice.client.removeAllChannels();
  });

  it('blackhole: the socket stays open but the client’s heartbeat times out, then recovers', async () => {
    const statuses: string[] = [];
    const supabase = createClient(backend.url, backend.anonKey, {
      auth: { persistSession: false },
      realtime: {
        transport: WebSocket as unknown as typeof globalThis.WebSocket,
        heartbeatIntervalMs: 100,
        heartbeatCallback: (status: string) => statuses.push(status),
      },
    });
    await subscribe(supabase.channel('hb'));
    await until(() => statuses.includes('ok'));
    await chaos({ action: 'blackhole', ms: 600 });
    await until(() => statuses.includes('timeout'));
    // The blackhole ends by itself; the client reconnects and heartbeats are answered again.
    const after = statuses.length;
    await until(() => statuses.slice(after).includes('ok'), 10_000);
    await supabase.removeAllChannels();
  });

  it('blackhole: frames arriving meanwhile are discarded, not delivered late', async () => {
    const raw = await RawSocket.open(socketUrl(backend));
    await chaos({ action: 'blackhole', ms: 300 });
    raw.send([null, 'lost', 'phoenix', 'heartbeat', {}]);
    await until(() => backend.realtime.metrics().chaos.blackholeUntil === 0);
    raw.send([null, 'kept', 'phoenix', 'heartbeat', {}]);
    await raw.reply('kept');
    expect(raw.frames.map((f) => f[1])).toEqual(['kept']);
    raw.close();
  });

  it('refuse: new sockets get 503 until the time is up', async () => {
    await chaos({ action: 'refuse', ms: 400 });
    expect(await refusal(socketUrl(backend))).toEqual({
      status: 503,
      body: '{"error":"Connections are refused (chaos)"}',
    });
    await until(() => backend.realtime.metrics().chaos.refuseUntil === 0);
    (await RawSocket.open(socketUrl(backend))).close();
  });

  it('latency: every frame waits both ways while it lasts', async () => {
    const raw = await RawSocket.open(socketUrl(backend));
    await chaos({ action: 'latency', ms: 150, duration_ms: 5000 });
    const started = performance.now();
    raw.send([null, 'slow', 'phoenix', 'heartbeat', {}]);
    await raw.reply('slow');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    await chaos({ action: 'reset' });
    const quick = performance.now();
    raw.send([null, 'fast', 'phoenix', 'heartbeat', {}]);
    await raw.reply('fast');
    expect(performance.now() - quick).toBeLessThan(150);
    raw.close();
  });

  it('latency: REST and auth requests wait too, and answer as usual', async () => {
    const { client: signedIn, userId } = await signedUpClient(backend, 'latency-rest');
    await chaos({ action: 'latency', ms: 200, duration_ms: 5000 });
    const started = performance.now();
    const { data, error } = await signedIn.from('band_memberships').select('user_id').eq('user_id', userId);
    expect(error).toBeNull();
    expect(data).toEqual([]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    const user = performance.now();
    expect((await signedIn.auth.getUser()).data.user?.id).toBe(userId);
    expect(performance.now() - user).toBeGreaterThanOrEqual(195);
    await chaos({ action: 'reset' });
  });

  it('drop without a user drops every socket', async () => {
    const [a, b] = [client(backend), client(backend)];
    await Promise.all([subscribe(a.channel('x')), subscribe(b.channel('y'))]);
    const open = backend.realtime.metrics().totals.sockets;
    expect((await chaos({ action: 'drop' })).dropped).toBe(open);
    await Promise.all([a.removeAllChannels(), b.removeAllChannels()]);
  });
});
