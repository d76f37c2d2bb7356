// postgres_changes through the unmodified supabase-js realtime client: per-subscriber RLS,
// filters, typed payloads, and both serializers.
import { describe, expect, it } from 'vitest';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { bandWith, signedUpClient, until } from '../../support/backend.js';
import { useBackend } from '../../support/use-backend.js';
import {
  RawSocket,
  collect,
  signedInRealtime,
  socketUrl,
  subscribedToChanges,
  type Change,
} from './support.js';

const backend = useBackend();

describe('postgres_changes', () => {
  it('sends a member INSERT, UPDATE and DELETE of songs, with typed values and commit timestamps', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client);
    const { channel, changes } = collect(await signedInRealtime(alice), 'songs', {
      event: '*',
      table: 'songs',
      filter: `band_id=eq.${bandId}`,
    });
    await subscribedToChanges(channel);
    const id = crypto.randomUUID();
    await alice.client.from('songs').insert({ id, band_id: bandId, title: 'Lola', bpm: 138 });
    await alice.client.from('songs').update({ bpm: 140 }).eq('id', id);
    await alice.client.from('songs').delete().eq('id', id);
    await until(() => changes.length === 3);
    expect(changes.map((c) => c.eventType)).toEqual(['INSERT', 'UPDATE', 'DELETE']);
    // bpm arrives as a number: the client cast it from the columns' types.
    expect(changes[0]!.new).toMatchObject({ id, title: 'Lola', bpm: 138, version: 1 });
    expect(changes[1]!.new).toMatchObject({ bpm: 140, version: 2 });
    // With RLS on, a DELETE carries only the primary key, as on Supabase.
    expect(changes[2]!.old).toEqual({ id });
    expect(Math.abs(Date.parse(changes[0]!.commit_timestamp) - Date.now())).toBeLessThan(60_000);
    await alice.client.removeAllChannels();
  });

  it('sends band_events INSERTs filtered by band to members, and nothing to a non-member on the same filter', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const mallory = await signedUpClient(backend, 'mallory');
    const bandId = await bandWith(alice.client, [bob.client]);
    const otherBand = await bandWith(alice.client);
    const binding = { event: 'INSERT', table: 'band_events', filter: `band_id=eq.${bandId}` } as const;
    const member = collect(await signedInRealtime(bob), 'log', binding);
    const outsider = collect(await signedInRealtime(mallory), 'log', binding);
    // An outsider's own songs table binding: RLS hides other bands' songs too.
    const outsiderSongs = collect(mallory.client, 'songs', { event: '*', table: 'songs' });
    await Promise.all([member, outsider, outsiderSongs].map((c) => subscribedToChanges(c.channel)));
    await alice.client.from('songs').insert({ band_id: otherBand, title: 'Elsewhere' });
    await alice.client.from('songs').insert({ band_id: bandId, title: 'Here' });
    await until(() => member.changes.length === 1);
    expect(member.changes[0]!.new).toMatchObject({ band_id: bandId, table_name: 'songs', op: 'INSERT' });
    // Mallory's own write, committed after Alice's, arrives to her: so Alice's would have too.
    const own = await bandWith(mallory.client);
    await mallory.client.from('songs').insert({ band_id: own, title: 'Mine' });
    await until(() => outsiderSongs.changes.length === 1);
    expect(outsiderSongs.changes[0]!.new).toMatchObject({ band_id: own, title: 'Mine' });
    expect(outsider.changes).toEqual([]);
    await Promise.all([bob, mallory].map((u) => u.client.removeAllChannels()));
  });

  it('applies eq, neq, in, lt, lte, gt and gte filters', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client);
    const supabase = await signedInRealtime(alice);
    const on = (name: string, filter: string) =>
      collect(supabase, name, { event: 'INSERT', table: 'songs', filter });
    const subscriptions = {
      eq: on('eq', 'title=eq.B'),
      neq: on('neq', 'title=neq.B'),
      in: on('in', 'title=in.(A,C)'),
      lt: on('lt', 'bpm=lt.120'),
      lte: on('lte', 'bpm=lte.120'),
      gt: on('gt', 'bpm=gt.120'),
      gte: on('gte', 'bpm=gte.120'),
      band: on('band', `band_id=eq.${bandId}`),
    };
    await Promise.all(Object.values(subscriptions).map((c) => subscribedToChanges(c.channel)));
    for (const [title, bpm] of [
      ['A', 80],
      ['B', 120],
      ['C', 160],
    ] as const) {
      await alice.client.from('songs').insert({ band_id: bandId, title, bpm });
    }
    // Everything else was delivered before the last change to the catch-all band binding.
    await until(() => subscriptions.band.changes.length === 3);
    const titles = Object.fromEntries(
      Object.entries(subscriptions).map(([name, c]) => [
        name,
        c.changes.map((x) => (x.new as { title: string }).title).join(''),
      ]),
    );
    expect(titles).toEqual({
      eq: 'B',
      neq: 'AC',
      in: 'AC',
      lt: 'A',
      lte: 'AB',
      gt: 'C',
      gte: 'BC',
      band: 'ABC',
    });
    await supabase.removeAllChannels();
  });

  it('answers the join with the client’s bindings in order, each with a numeric id', async () => {
    const raw = await RawSocket.open(socketUrl(backend));
    const bindings = [
      { event: 'INSERT', schema: 'public', table: 'band_events', filter: 'band_id=eq.x' },
      { event: '*', schema: 'public', table: 'songs' },
    ];
    raw.send(['1', '1', 'realtime:order', 'phx_join', { config: { postgres_changes: bindings } }]);
    const [, , , , payload] = await raw.reply('1');
    const response = (payload as { status: string; response: { postgres_changes: { id: unknown }[] } })
      .response;
    expect(payload['status']).toBe('ok');
    expect(response.postgres_changes.map(({ id: _id, ...rest }) => rest)).toEqual(bindings);
    expect(response.postgres_changes.every((b) => typeof b.id === 'number')).toBe(true);
    raw.close();
  });

  it('refuses a binding on a table outside the publication, and a malformed filter', async () => {
    const raw = await RawSocket.open(socketUrl(backend));
    raw.send([
      '1',
      '1',
      'realtime:a',
      'phx_join',
      { config: { postgres_changes: [{ event: '*', schema: 'public', table: 'invite_codes' }] } },
    ]);
    raw.send([
      '2',
      '2',
      'realtime:b',
      'phx_join',
      {
        config: {
          postgres_changes: [{ event: '*', schema: 'public', table: 'songs', filter: 'bpm=like.1' }],
        },
      },
    ]);
    const reason = async (ref: string): Promise<unknown> => {
      const [, , , , payload] = await raw.reply(ref);
      expect(payload['status']).toBe('error');
      return (payload['response'] as { reason: unknown }).reason;
    };
    expect(await reason('1')).toMatch(/not in the supabase_realtime publication/);
    expect(await reason('2')).toMatch(/^invalid filter/);
    raw.close();
  });

  it('speaks the vsn 1.0.0 serializer to supabase-js configured for it', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client);
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
    await subscribedToChanges(channel);
    await alice.client.from('songs').insert({ band_id: bandId, title: 'Old school', bpm: 99 });
    await until(() => changes.length === 1);
    expect(changes[0]!.new).toMatchObject({ title: 'Old school', bpm: 99 });
    const socket = backend.realtime
      .metrics()
      .sockets.find((s) => s.channels.some((c) => c.topic === 'realtime:v1'));
    expect(socket?.vsn).toBe('1.0.0');
    await v1.removeAllChannels();
  });

  it('frames vsn 1.0.0 as objects and vsn 2.0.0 as arrays on the wire', async () => {
    const v2 = await RawSocket.open(socketUrl(backend, '2.0.0'));
    v2.send([null, 'hb', 'phoenix', 'heartbeat', {}]);
    expect(await v2.reply('hb')).toEqual([
      null,
      'hb',
      'phoenix',
      'phx_reply',
      { status: 'ok', response: {} },
    ]);
    const v1 = new WebSocket(socketUrl(backend, '1.0.0'));
    await new Promise((resolve) => v1.once('open', resolve));
    const answer = new Promise<unknown>((resolve) =>
      v1.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()))),
    );
    v1.send(JSON.stringify({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '7', join_ref: null }));
    expect(await answer).toEqual({
      topic: 'phoenix',
      event: 'phx_reply',
      payload: { status: 'ok', response: {} },
      ref: '7',
      join_ref: null,
    });
    v1.close();
    v2.close();
  });
});
