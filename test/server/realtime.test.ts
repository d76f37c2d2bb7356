// /realtime/v1/websocket through the unmodified supabase-js realtime client (and the official
// phoenix client): postgres_changes with per-subscriber RLS, filters, serializers, broadcast,
// presence, token changes, quotas and chaos.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Socket } from 'phoenix';
import WebSocket from 'ws';
import {
  REALTIME_SUBSCRIBE_STATES as STATES,
  type RealtimeChannel,
  type RealtimePostgresChangesPayload,
} from '@supabase/supabase-js';
import {
  bandWith,
  client,
  signedUpClient,
  startTestBackend,
  until,
  type Backend,
  type Client,
} from '../support/backend.js';

let backend: Backend;
beforeAll(async () => {
  backend = await startTestBackend();
});
afterAll(() => backend.close());

type Change = RealtimePostgresChangesPayload<Record<string, unknown>>;

async function subscribed(channel: RealtimeChannel): Promise<RealtimeChannel> {
  // Wait for the "Subscribed to PostgreSQL" system message, not just SUBSCRIBED: changes flow from then on.
  const flowing = new Promise<void>((resolve) =>
    channel.on('system', {}, (payload: { status?: string }) => {
      if (payload.status === 'ok') resolve();
    }),
  );
  await new Promise<void>((resolve, reject) =>
    channel.subscribe((status, error) => {
      if (status === STATES.SUBSCRIBED) resolve();
      else if (status !== STATES.CLOSED) reject(new Error(`${status} ${error?.message ?? ''}`));
    }),
  );
  await flowing;
  return channel;
}

async function signedInRealtime(user: { client: Client }): Promise<Client> {
  const token = (await user.client.auth.getSession()).data.session!.access_token;
  await user.client.realtime.setAuth(token);
  return user.client;
}

function collect(
  supabase: Client,
  name: string,
  binding: { event: '*' | 'INSERT' | 'UPDATE' | 'DELETE'; table: string; filter?: string },
) {
  const changes: Change[] = [];
  const channel = supabase
    .channel(name)
    .on('postgres_changes', { schema: 'public', ...binding }, (payload: Change) => changes.push(payload));
  return { channel, changes };
}

describe('postgres_changes', () => {
  it('sends a member INSERT, UPDATE and DELETE of songs, with typed values and commit timestamps', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client);
    const { channel, changes } = collect(await signedInRealtime(alice), 'songs', {
      event: '*',
      table: 'songs',
      filter: `band_id=eq.${bandId}`,
    });
    await subscribed(channel);
    const id = crypto.randomUUID();
    await alice.client.from('songs').insert({ id, band_id: bandId, title: 'Lola', bpm: 138 });
    await alice.client.from('songs').update({ bpm: 140 }).eq('id', id);
    await alice.client.from('songs').delete().eq('id', id);
    await until(() => changes.length === 3);
    expect(changes.map((c) => c.eventType)).toEqual(['INSERT', 'UPDATE', 'DELETE']);
    expect(changes[0]!.new).toMatchObject({ id, title: 'Lola', bpm: 138, version: 1 });
    expect(changes[1]!.new).toMatchObject({ bpm: 140, version: 2 });
    // With RLS on, a DELETE carries only the primary key, as on Supabase.
    expect(changes[2]!.old).toEqual({ id });
    expect(new Date(changes[0]!.commit_timestamp).getTime()).toBeGreaterThan(Date.now() - 60_000);
    await alice.client.removeAllChannels();
  });

  it('sends band_events INSERTs filtered by band to members, and nothing to a non-member on the same filter', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const mallory = await signedUpClient(backend, 'mallory');
    const bandId = await bandWith(alice.client);
    const otherBand = await bandWith(alice.client);
    const member = collect(await signedInRealtime(alice), 'log', {
      event: 'INSERT',
      table: 'band_events',
      filter: `band_id=eq.${bandId}`,
    });
    const outsider = collect(await signedInRealtime(mallory), 'log', {
      event: 'INSERT',
      table: 'band_events',
      filter: `band_id=eq.${bandId}`,
    });
    await Promise.all([subscribed(member.channel), subscribed(outsider.channel)]);
    await alice.client.from('songs').insert({ band_id: otherBand, title: 'Elsewhere' });
    await alice.client.from('songs').insert({ band_id: bandId, title: 'Here' });
    await until(() => member.changes.length === 1);
    expect(member.changes[0]!.new).toMatchObject({ band_id: bandId, table_name: 'songs', op: 'INSERT' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(outsider.changes).toEqual([]);
    await Promise.all([alice.client.removeAllChannels(), mallory.client.removeAllChannels()]);
  });

  it('applies neq, in, lt and gt filters', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client);
    const supabase = await signedInRealtime(alice);
    const fast = collect(supabase, 'fast', { event: 'INSERT', table: 'songs', filter: 'bpm=gt.150' });
    const slow = collect(supabase, 'slow', { event: 'INSERT', table: 'songs', filter: 'bpm=lt.90' });
    const named = collect(supabase, 'named', { event: 'INSERT', table: 'songs', filter: 'title=in.(A,C)' });
    const notB = collect(supabase, 'not-b', { event: 'INSERT', table: 'songs', filter: 'title=neq.B' });
    await Promise.all([fast, slow, named, notB].map((c) => subscribed(c.channel)));
    for (const [title, bpm] of [
      ['A', 80],
      ['B', 120],
      ['C', 160],
    ] as const) {
      await alice.client.from('songs').insert({ band_id: bandId, title, bpm });
    }
    await until(() => notB.changes.length === 2 && named.changes.length === 2);
    const titles = (c: { changes: Change[] }) => c.changes.map((x) => (x.new as { title: string }).title);
    expect(titles(fast)).toEqual(['C']);
    expect(titles(slow)).toEqual(['A']);
    expect(titles(named)).toEqual(['A', 'C']);
    expect(titles(notB)).toEqual(['A', 'C']);
    await supabase.removeAllChannels();
  });

  it('speaks the vsn 1.0.0 serializer too', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client);
    const { createClient } = await import('@supabase/supabase-js');
    const v1 = createClient(backend.url, backend.anonKey, {
      auth: { persistSession: false },
      realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket, vsn: '1.0.0' },
    });
    await v1.realtime.setAuth((await alice.client.auth.getSession()).data.session!.access_token);
    const changes: Change[] = [];
    const channel = v1
      .channel('v1')
      .on(
        'postgres_changes',
        { event: 'INSERT', schema: 'public', table: 'songs', filter: `band_id=eq.${bandId}` },
        (p: Change) => changes.push(p),
      );
    await subscribed(channel);
    await alice.client.from('songs').insert({ band_id: bandId, title: 'Old school' });
    await until(() => changes.length === 1);
    const metrics = backend.realtime.metrics();
    expect(metrics.sockets.some((s) => s.vsn === '1.0.0')).toBe(true);
    await v1.removeAllChannels();
  });
});

describe('broadcast and presence', () => {
  it('relays broadcast (binary frames from vsn 2) to others, to self when asked, with ack', async () => {
    const [a, b] = [client(backend), client(backend)];
    const received: unknown[] = [];
    const own: unknown[] = [];
    const sender = a
      .channel('room', { config: { broadcast: { self: true, ack: true } } })
      .on('broadcast', { event: 'cursor' }, (m) => own.push(m['payload']));
    const listener = b
      .channel('room')
      .on('broadcast', { event: 'cursor' }, (m) => received.push(m['payload']));
    await Promise.all([subscribedPlain(sender), subscribedPlain(listener)]);
    const result = await sender.send({ type: 'broadcast', event: 'cursor', payload: { x: 1 } });
    expect(result).toBe('ok');
    await until(() => received.length === 1 && own.length === 1);
    expect(received[0]).toEqual({ x: 1 });
    await Promise.all([a.removeAllChannels(), b.removeAllChannels()]);
  });

  it('tracks presence: state on join, diffs on track and untrack', async () => {
    const [a, b] = [client(backend), client(backend)];
    const roomA = a.channel('stage', { config: { presence: { key: 'alice' } } });
    const roomB = b.channel('stage', { config: { presence: { key: 'bob' } } });
    roomA.on('presence', { event: 'sync' }, () => undefined);
    roomB.on('presence', { event: 'sync' }, () => undefined);
    await subscribedPlain(roomA);
    await roomA.track({ instrument: 'bass' });
    await subscribedPlain(roomB);
    await until(() => Object.keys(roomB.presenceState()).includes('alice'));
    expect(roomB.presenceState()['alice']?.[0]).toMatchObject({ instrument: 'bass' });
    await roomA.untrack();
    await until(() => !Object.keys(roomB.presenceState()).includes('alice'));
    await Promise.all([a.removeAllChannels(), b.removeAllChannels()]);
  });
});

async function subscribedPlain(channel: RealtimeChannel): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    channel.subscribe((status, error) => {
      if (status === STATES.SUBSCRIBED) resolve();
      else if (status !== STATES.CLOSED) reject(new Error(`${status} ${error?.message ?? ''}`));
    }),
  );
}

describe('tokens', () => {
  it('keeps the channel on setAuth with a fresh token, and closes it on an expired one', async () => {
    const shortLived = await startTestBackend({ accessTokenTtlSeconds: 2 });
    try {
      const alice = await signedUpClient(shortLived, 'alice');
      const bandId = await bandWith(alice.client);
      const supabase = await signedInRealtime(alice);
      const errors: string[] = [];
      const { channel, changes } = collect(supabase, 'auth', {
        event: 'INSERT',
        table: 'songs',
        filter: `band_id=eq.${bandId}`,
      });
      channel.on('system', {}, (p: { status?: string; message?: string }) => {
        if (p.status === 'error') errors.push(p.message ?? '');
      });
      await subscribed(channel);
      const refreshed = await alice.client.auth.refreshSession();
      await supabase.realtime.setAuth(refreshed.data.session!.access_token);
      await alice.client.from('songs').insert({ band_id: bandId, title: 'Still here' });
      await until(() => changes.length === 1);
      expect(channel.state).toBe('joined');
      // No new token: when this one expires the server ends the channel with a system error.
      await until(() => errors.length === 1, 5000);
      expect(errors[0]).toMatch(/Token has expired/);
      await until(() => channel.state === 'closed');
    } finally {
      await shortLived.close();
    }
  });

  it('refuses a join with a forged token with Supabase’s reason', async () => {
    const supabase = client(backend);
    await supabase.realtime.setAuth('eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.forged');
    const error = await new Promise<string>((resolve) =>
      supabase.channel('forged').subscribe((status, err) => {
        if (status === STATES.CHANNEL_ERROR) resolve(err?.message ?? '');
      }),
    );
    expect(error).toMatch(/InvalidJWTToken/);
    await supabase.removeAllChannels();
  });
});

describe('quotas', () => {
  it('refuses the 101st channel on a connection with ChannelRateLimitReached', async () => {
    const supabase = client(backend);
    // Paced like a real client: the free plan also allows only 100 joins per second.
    for (let batch = 0; batch < 100; batch += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => subscribedPlain(supabase.channel(`c${batch + i}`))),
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const error = await new Promise<string>((resolve) =>
      supabase.channel('c100').subscribe((status, err) => {
        if (status === STATES.CHANNEL_ERROR) resolve(err?.message ?? '');
      }),
    );
    expect(error).toMatch(/ChannelRateLimitReached: Too many channels/);
    await supabase.removeAllChannels();
  });

  it('refuses a connection over the limit with 429 "Too many connected users"', async () => {
    const small = await startTestBackend({ realtime: { ...backend.options.realtime, maxConnections: 2 } });
    try {
      const url = `${small.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${small.anonKey}&vsn=2.0.0`;
      const open = (): Promise<WebSocket> =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(url);
          ws.once('open', () => resolve(ws));
          ws.once('unexpected-response', (_req, res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => reject(new Error(`${res.statusCode} ${body}`)));
          });
        });
      const sockets = [await open(), await open()];
      await expect(open()).rejects.toThrow('429 {"error":"Too many connected users"}');
      sockets.forEach((ws) => ws.close());
    } finally {
      await small.close();
    }
  });
});

describe('chaos and bad input', () => {
  it('after a drop the client reconnects and resubscribes by itself', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client);
    const { channel, changes } = collect(await signedInRealtime(alice), 'drop', {
      event: 'INSERT',
      table: 'songs',
      filter: `band_id=eq.${bandId}`,
    });
    await subscribed(channel);
    backend.realtime.chaos({ action: 'drop', user_id: alice.userId });
    await until(() => channel.state !== 'joined', 2000);
    await until(() => channel.state === 'joined', 10_000);
    await until(
      () =>
        backend.realtime.metrics().sockets.some((s) => s.user_id === alice.userId && s.channels.length > 0),
      5000,
    );
    await alice.client.from('songs').insert({ band_id: bandId, title: 'After the drop' });
    await until(() => changes.length === 1, 5000);
    await alice.client.removeAllChannels();
  });

  it('during a blackhole the client’s heartbeat times out', async () => {
    const { createClient } = await import('@supabase/supabase-js');
    const statuses: string[] = [];
    const supabase = createClient(backend.url, backend.anonKey, {
      auth: { persistSession: false },
      realtime: {
        transport: WebSocket as unknown as typeof globalThis.WebSocket,
        heartbeatIntervalMs: 200,
        heartbeatCallback: (status: string) => statuses.push(status),
      },
    });
    await subscribedPlain(supabase.channel('hb'));
    await until(() => statuses.includes('ok'), 3000);
    backend.realtime.chaos({ action: 'blackhole', ms: 1000 });
    await until(() => statuses.includes('timeout'), 3000);
    backend.realtime.chaos({ action: 'reset' });
    await supabase.removeAllChannels();
  });

  it('refuses new connections while refusing, and adds latency while asked', async () => {
    backend.realtime.chaos({ action: 'refuse', ms: 500 });
    const url = `${backend.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${backend.anonKey}&vsn=2.0.0`;
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url);
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
    });
    expect(status).toBe(503);
    backend.realtime.chaos({ action: 'reset' });
    backend.realtime.chaos({ action: 'latency', ms: 300, duration_ms: 2000 });
    const ws = new WebSocket(url);
    await new Promise((resolve) => ws.once('open', resolve));
    const started = Date.now();
    const reply = new Promise((resolve) => ws.once('message', resolve));
    ws.send(JSON.stringify([null, '1', 'phoenix', 'heartbeat', {}]));
    await reply;
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    backend.realtime.chaos({ action: 'reset' });
    ws.close();
  });

  it('closes a socket that sends garbage, answers unknown events with an error, and others keep working', async () => {
    const url = `${backend.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${backend.anonKey}&vsn=2.0.0`;
    const healthy = new WebSocket(url);
    const bad = new WebSocket(url);
    await Promise.all([healthy, bad].map((ws) => new Promise((resolve) => ws.once('open', resolve))));
    const replies: unknown[] = [];
    bad.on('message', (data: Buffer) => replies.push(JSON.parse(data.toString())));
    bad.send(JSON.stringify([null, '1', 'realtime:x', 'explode', {}]));
    await until(() => replies.length === 1);
    expect(replies[0]).toMatchObject([null, '1', 'realtime:x', 'phx_reply', { status: 'error' }]);
    const closed = new Promise<number>((resolve) => bad.once('close', (code) => resolve(code)));
    bad.send('{not json');
    expect(await closed).toBe(1007);
    const pong = new Promise((resolve) => healthy.once('message', resolve));
    healthy.send(JSON.stringify([null, '2', 'phoenix', 'heartbeat', {}]));
    expect(JSON.parse(String(await pong))).toEqual([
      null,
      '2',
      'phoenix',
      'phx_reply',
      { status: 'ok', response: {} },
    ]);
    healthy.close();
  });

  it('lets the official phoenix client join a channel and heartbeat', async () => {
    const socket = new Socket(`${backend.url.replace('http', 'ws')}/realtime/v1`, {
      params: { apikey: backend.anonKey, vsn: '2.0.0' },
      transport: WebSocket as unknown as typeof globalThis.WebSocket,
      heartbeatIntervalMs: 100,
    });
    socket.connect();
    const channel = socket.channel('realtime:phoenix-room', { config: {} });
    const joined = await new Promise<string>((resolve) => {
      channel
        .join()
        .receive('ok', () => resolve('ok'))
        .receive('error', () => resolve('error'));
    });
    expect(joined).toBe('ok');
    const beats = backend.realtime.metrics().totals.messages_in;
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(backend.realtime.metrics().totals.messages_in).toBeGreaterThan(beats);
    expect(socket.isConnected()).toBe(true);
    socket.disconnect();
  });
});
