// Supabase's free-plan quotas with its error strings: at connect, at join and while joined.
import { describe, expect, it } from 'vitest';
import { FREE_PLAN_QUOTAS } from '../../../server/config.js';
import { client, until } from '../../support/backend.js';
import { useBackend } from '../../support/use-backend.js';
import { RawSocket, refusal, socketUrl, subscribe, subscribeError } from './support.js';

const backend = useBackend();
const small = useBackend({
  realtime: {
    ...FREE_PLAN_QUOTAS,
    maxConnections: 2,
    maxChannelsPerConnection: 3,
    maxJoinsPerSecond: 5,
    maxMessagesPerSecond: 10,
    maxBroadcastBytes: 1024,
  },
});

const idle = useBackend({ realtime: { ...FREE_PLAN_QUOTAS, idleTimeoutMs: 400 } });

const join = (topic: string, ref: string) =>
  [ref, ref, `realtime:${topic}`, 'phx_join', { config: {} }] as const;

describe('quotas', () => {
  it('refuses the 101st channel on a connection at the free-plan default', async () => {
    const raw = await RawSocket.open(socketUrl(backend));
    // Paced under the 100 joins per second the free plan also allows.
    for (let i = 0; i < 100; i++) {
      raw.send([...join(`c${i}`, String(i))]);
      if (i === 49) {
        await raw.reply('49');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => raw.reply(String(i))));
    expect(replies.every((r) => r[4]['status'] === 'ok')).toBe(true);
    raw.send([...join('c100', '100')]);
    expect((await raw.reply('100'))[4]).toEqual({
      status: 'error',
      response: { reason: 'ChannelRateLimitReached: Too many channels' },
    });
    raw.close();
  });

  it('gives supabase-js a CHANNEL_ERROR with Supabase’s reason past the channel quota', async () => {
    const supabase = client(small);
    await Promise.all(['a', 'b', 'c'].map((name) => subscribe(supabase.channel(name))));
    expect(await subscribeError(supabase.channel('d'))).toBe('ChannelRateLimitReached: Too many channels');
    await supabase.removeAllChannels();
  });

  it('refuses joins over the per-second rate, and counts every join and connect asked for, refused too', async () => {
    const before = small.realtime.metrics().totals;
    const raw = await RawSocket.open(socketUrl(small));
    // Re-joining the same topic counts as a join but not as another channel.
    for (let i = 0; i < 6; i++) raw.send([...join('same', String(i))]);
    expect((await raw.reply('4'))[4]).toMatchObject({ status: 'ok' });
    expect((await raw.reply('5'))[4]).toEqual({
      status: 'error',
      response: { reason: 'ClientJoinRateLimitReached: Too many joins per second' },
    });
    const after = small.realtime.metrics().totals;
    expect([after.connects - before.connects, after.joins - before.joins]).toEqual([1, 6]);
    raw.close();
  });

  it('ends every channel of a socket that sends too many messages per second', async () => {
    const raw = await RawSocket.open(socketUrl(small));
    raw.send([...join('chatty', '1')]);
    await raw.reply('1');
    for (let i = 0; i < 12; i++)
      raw.send([
        '1',
        `m${i}`,
        'realtime:chatty',
        'broadcast',
        { type: 'broadcast', event: 'e', payload: {} },
      ]);
    const system = await raw.next((f) => f[3] === 'system');
    expect(system[4]).toMatchObject({ status: 'error', message: 'Too many messages per second' });
    expect(await raw.next((f) => f[3] === 'phx_close')).toEqual([
      '1',
      '1',
      'realtime:chatty',
      'phx_close',
      {},
    ]);
    raw.close();
  });

  it('refuses a broadcast over the payload limit and keeps the channel', async () => {
    const raw = await RawSocket.open(socketUrl(small));
    raw.send([...join('big', '1')]);
    await raw.reply('1');
    raw.send([
      '1',
      '2',
      'realtime:big',
      'broadcast',
      { type: 'broadcast', event: 'e', payload: { blob: 'x'.repeat(2048) } },
    ]);
    const [, , , , refused] = await raw.reply('2');
    expect(refused['status']).toBe('error');
    expect((refused['response'] as { reason: string }).reason).toMatch(/^PayloadTooLarge/);
    raw.send([null, 'hb', 'phoenix', 'heartbeat', {}]);
    await raw.reply('hb');
    expect(raw.frames.some((f) => f[3] === 'phx_close')).toBe(false);
    raw.close();
  });

  it('refuses a connection over the limit with 429 "Too many connected users"', async () => {
    await until(() => small.realtime.metrics().totals.sockets === 0);
    const sockets = await Promise.all([RawSocket.open(socketUrl(small)), RawSocket.open(socketUrl(small))]);
    expect(await refusal(socketUrl(small))).toEqual({
      status: 429,
      body: '{"error":"Too many connected users"}',
    });
    sockets.forEach((s) => s.close());
  });

  it('admits again once the limit clears: a connection when a slot frees, joins in the next second', async () => {
    await until(() => small.realtime.metrics().totals.sockets === 0);
    const [first, second] = await Promise.all([
      RawSocket.open(socketUrl(small)),
      RawSocket.open(socketUrl(small)),
    ]);
    expect((await refusal(socketUrl(small))).status).toBe(429);
    first.close();
    await until(() => small.realtime.metrics().totals.sockets === 1);
    const admitted = await RawSocket.open(socketUrl(small));
    for (let i = 0; i < 6; i++) admitted.send([...join('again', String(i))]);
    expect((await admitted.reply('5'))[4]).toMatchObject({ status: 'error' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    admitted.send([...join('again', '6')]);
    expect((await admitted.reply('6'))[4]).toMatchObject({ status: 'ok' });
    [second, admitted].forEach((s) => s.close());
  });

  it('closes a socket that sends nothing for the idle timeout, and keeps one that sends heartbeats', async () => {
    const [silent, beating] = [await RawSocket.open(socketUrl(idle)), await RawSocket.open(socketUrl(idle))];
    const closed = silent.closed();
    let ref = 0;
    const heartbeat = setInterval(() => beating.send([null, String(++ref), 'phoenix', 'heartbeat', {}]), 100);
    expect(await closed).toEqual({ code: 1000, reason: 'idle timeout' });
    await new Promise((resolve) => setTimeout(resolve, 600));
    clearInterval(heartbeat);
    expect(beating.ws.readyState).toBe(beating.ws.OPEN);
    beating.close();
  });
});
