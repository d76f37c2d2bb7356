// Broadcast (self, ack, JSON and binary frames) and presence between sockets, through the
// unmodified supabase-js client, plus what a vsn 1.0.0 socket receives.
import { describe, expect, it } from 'vitest';
import { client, until } from '../../support/backend.js';
import { useBackend } from '../../support/use-backend.js';
import { RawSocket, socketUrl, subscribe } from './support.js';

const backend = useBackend();

describe('broadcast', () => {
  it('relays JSON to others, to self only when asked, and acks when asked', async () => {
    const [a, b, c] = [client(backend), client(backend), client(backend)];
    const heard = { self: [] as unknown[], other: [] as unknown[], quiet: [] as unknown[] };
    const sender = a
      .channel('room', { config: { broadcast: { self: true, ack: true } } })
      .on('broadcast', { event: 'cursor' }, (m) => heard.self.push(m['payload']));
    const listener = b
      .channel('room')
      .on('broadcast', { event: 'cursor' }, (m) => heard.other.push(m['payload']));
    // Without self, a sender does not hear itself.
    const quiet = c
      .channel('room')
      .on('broadcast', { event: 'cursor' }, (m) => heard.quiet.push(m['payload']));
    await Promise.all([sender, listener, quiet].map(subscribe));
    expect(await sender.send({ type: 'broadcast', event: 'cursor', payload: { x: 1 } })).toBe('ok');
    await quiet.send({ type: 'broadcast', event: 'cursor', payload: { x: 2 } });
    await until(() => heard.other.length === 2 && heard.self.length === 2);
    expect(heard.other).toEqual([{ x: 1 }, { x: 2 }]);
    expect(heard.self).toEqual([{ x: 1 }, { x: 2 }]);
    expect(heard.quiet).toEqual([{ x: 1 }]);
    await Promise.all([a, b, c].map((s) => s.removeAllChannels()));
  });

  it('relays binary payloads as binary (kind 3 in, kind 4 out)', async () => {
    const [a, b] = [client(backend), client(backend)];
    const received: unknown[] = [];
    const sender = a.channel('bytes');
    const listener = b
      .channel('bytes')
      .on('broadcast', { event: 'blob' }, (m) => received.push(m['payload']));
    await Promise.all([subscribe(sender), subscribe(listener)]);
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    await sender.send({ type: 'broadcast', event: 'blob', payload: bytes.buffer });
    await until(() => received.length === 1);
    expect(received[0]).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(received[0] as ArrayBuffer)]).toEqual([0, 1, 2, 250, 255]);
    await Promise.all([a.removeAllChannels(), b.removeAllChannels()]);
  });

  it('sends broadcasts to a vsn 1.0.0 socket as JSON frames', async () => {
    const v1 = new (await import('ws')).default(socketUrl(backend, '1.0.0'));
    const frames: Record<string, unknown>[] = [];
    v1.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
    await new Promise((resolve) => v1.once('open', resolve));
    v1.send(
      JSON.stringify({
        topic: 'realtime:mixed',
        event: 'phx_join',
        payload: { config: {} },
        ref: '1',
        join_ref: '1',
      }),
    );
    await until(() => frames.some((f) => f['event'] === 'phx_reply'));
    const sender = client(backend);
    const channel = sender.channel('mixed');
    await subscribe(channel);
    await channel.send({ type: 'broadcast', event: 'hello', payload: { n: 1 } });
    await until(() => frames.some((f) => f['event'] === 'broadcast'));
    expect(frames.find((f) => f['event'] === 'broadcast')).toMatchObject({
      topic: 'realtime:mixed',
      payload: { type: 'broadcast', event: 'hello', payload: { n: 1 } },
    });
    v1.close();
    await sender.removeAllChannels();
  });

  it('refuses a broadcast on a topic the socket has not joined', async () => {
    const raw = await RawSocket.open(socketUrl(backend));
    raw.send([null, '5', 'realtime:nowhere', 'broadcast', { type: 'broadcast', event: 'x', payload: {} }]);
    expect((await raw.reply('5'))[4]).toMatchObject({ status: 'error' });
    raw.close();
  });
});

describe('presence', () => {
  it('sends presence_state on join and presence_diff on track and untrack', async () => {
    const [a, b] = [client(backend), client(backend)];
    const roomA = a.channel('stage', { config: { presence: { key: 'alice' } } });
    const roomB = b.channel('stage', { config: { presence: { key: 'bob' } } });
    const joins: string[] = [];
    const leaves: string[] = [];
    roomA.on('presence', { event: 'sync' }, () => undefined);
    roomB
      .on('presence', { event: 'join' }, ({ key }) => joins.push(key))
      .on('presence', { event: 'leave' }, ({ key }) => leaves.push(key));
    await subscribe(roomA);
    expect(await roomA.track({ instrument: 'bass' })).toBe('ok');
    // Bob joins after Alice tracked: he learns of her from presence_state.
    await subscribe(roomB);
    await until(() => Object.keys(roomB.presenceState()).includes('alice'));
    expect(roomB.presenceState()['alice']?.[0]).toMatchObject({ instrument: 'bass' });
    await roomB.track({ instrument: 'drums' });
    await until(() => Object.keys(roomA.presenceState()).includes('bob'));
    await roomA.untrack();
    await until(() => !Object.keys(roomB.presenceState()).includes('alice'));
    expect(joins).toContain('alice');
    expect(leaves).toContain('alice');
    await Promise.all([a.removeAllChannels(), b.removeAllChannels()]);
  });

  it('ends a member’s presence when its socket closes', async () => {
    const [a, b] = [client(backend), client(backend)];
    const roomA = a.channel('gone', { config: { presence: { key: 'alice' } } });
    const roomB = b.channel('gone', { config: { presence: { key: 'bob' } } });
    roomA.on('presence', { event: 'sync' }, () => undefined);
    roomB.on('presence', { event: 'sync' }, () => undefined);
    await Promise.all([subscribe(roomA), subscribe(roomB)]);
    await roomA.track({ online: true });
    await until(() => Object.keys(roomB.presenceState()).includes('alice'));
    await a.realtime.disconnect();
    await until(() => !Object.keys(roomB.presenceState()).includes('alice'));
    await b.removeAllChannels();
  });
});
