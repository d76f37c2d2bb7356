// Malformed frames, unknown events, oversized frames and join floods cost only the socket that
// sent them; other sockets keep working. And a second real client: the official phoenix package.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Socket } from 'phoenix';
import WebSocket from 'ws';
import { until } from '../../support/backend.js';
import { useBackend } from '../../support/use-backend.js';
import { RawSocket, socketUrl } from './support.js';

const backend = useBackend();
let healthy: RawSocket;
beforeAll(async () => {
  healthy = await RawSocket.open(socketUrl(backend));
  healthy.send(['1', '1', 'realtime:healthy', 'phx_join', { config: {} }]);
  await healthy.reply('1');
});
afterAll(() => healthy.close());

let beat = 0;
/** The bystander socket still answers: its heartbeat gets its reply. */
async function bystanderAnswers(): Promise<void> {
  const ref = `hb${++beat}`;
  healthy.send([null, ref, 'phoenix', 'heartbeat', {}]);
  expect(await healthy.reply(ref)).toEqual([
    null,
    ref,
    'phoenix',
    'phx_reply',
    { status: 'ok', response: {} },
  ]);
}

describe('bad input', () => {
  it.each([
    ['text that is not JSON', '{not json'],
    ['a JSON object on a vsn 2.0.0 socket', JSON.stringify({ topic: 'x', event: 'y', payload: {} })],
    ['an array of the wrong length', JSON.stringify([null, '1', 'realtime:x'])],
    ['a payload that is not an object', JSON.stringify([null, '1', 'realtime:x', 'phx_join', 'nope'])],
    ['an empty topic', JSON.stringify([null, '1', '', 'phx_join', {}])],
    ['a binary frame of an unknown kind', Buffer.from([9, 0, 0, 0, 0, 0, 1])],
    ['a truncated binary broadcast', Buffer.from([3, 5, 5, 40, 5, 0, 1, 65])],
  ])('closes a socket that sends %s with 1007, and others keep working', async (_name, data) => {
    const bad = await RawSocket.open(socketUrl(backend));
    const closed = bad.closed();
    bad.send(data);
    expect((await closed).code).toBe(1007);
    await bystanderAnswers();
  });

  it('answers an unknown event with an error reply and keeps the socket', async () => {
    const raw = await RawSocket.open(socketUrl(backend));
    raw.send([null, '1', 'realtime:x', 'explode', {}]);
    expect(await raw.reply('1')).toEqual([
      null,
      '1',
      'realtime:x',
      'phx_reply',
      { status: 'error', response: { reason: 'Unknown event "explode"' } },
    ]);
    raw.send([null, '2', 'phoenix', 'heartbeat', {}]);
    expect((await raw.reply('2'))[4]).toEqual({ status: 'ok', response: {} });
    raw.close();
  });

  it('refuses a join with a malformed config with a reason', async () => {
    const raw = await RawSocket.open(socketUrl(backend));
    raw.send(['1', '1', 'realtime:x', 'phx_join', { config: { postgres_changes: 'songs' } }]);
    raw.send([
      '2',
      '2',
      'realtime:y',
      'phx_join',
      { config: { postgres_changes: [{ event: 'TRUNCATE', table: 'songs' }] } },
    ]);
    raw.send(['3', '3', 'realtime:z', 'phx_join', { config: {}, access_token: 42 }]);
    expect((await raw.reply('1'))[4]).toEqual({
      status: 'error',
      response: { reason: 'postgres_changes must be an array' },
    });
    expect((await raw.reply('2'))[4]).toEqual({
      status: 'error',
      response: { reason: 'Invalid postgres_changes event: TRUNCATE' },
    });
    expect((await raw.reply('3'))[4]).toEqual({
      status: 'error',
      response: { reason: 'InvalidJWTToken: access_token must be a string' },
    });
    raw.close();
  });

  it('closes a socket that sends a frame over the size limit with 1009', async () => {
    const raw = await RawSocket.open(socketUrl(backend));
    const closed = raw.closed();
    raw.send(
      JSON.stringify([
        null,
        '1',
        'realtime:x',
        'broadcast',
        { type: 'broadcast', event: 'e', payload: 'x'.repeat(400 * 1024) },
      ]),
    );
    expect((await closed).code).toBe(1009);
    await bystanderAnswers();
  });

  it('survives a flood of joins: the flooder is refused, others keep working', async () => {
    const raw = await RawSocket.open(socketUrl(backend));
    for (let i = 0; i < 150; i++)
      raw.send([String(i), String(i), `realtime:f${i}`, 'phx_join', { config: {} }]);
    // Whichever quota trips first (messages, joins or channels per socket) says so on the wire;
    // the refusals may follow a hundred accepted joins, so wait for them rather than a count.
    const refusals = () => raw.frames.filter((f) => /Too many/.test(JSON.stringify(f[4])));
    await until(() => refusals().length > 0);
    expect(refusals()[0]![4]).toMatchObject({ status: 'error' });
    await bystanderAnswers();
    raw.close();
  });
});

describe('the official phoenix client', () => {
  it('joins a channel and heartbeats against the endpoint', async () => {
    const socket = new Socket(`${backend.url.replace('http', 'ws')}/realtime/v1`, {
      params: { apikey: backend.anonKey, vsn: '2.0.0' },
      transport: WebSocket as unknown as typeof globalThis.WebSocket,
      heartbeatIntervalMs: 50,
    });
    socket.connect();
    const channel = socket.channel('realtime:phoenix-room', { config: {} });
    const joined = await new Promise<string>((resolve) => {
      channel
        .join()
        .receive('ok', () => resolve('ok'))
        .receive('error', (reason: unknown) => resolve(`error ${JSON.stringify(reason)}`));
    });
    expect(joined).toBe('ok');
    // Each heartbeat is answered, or phoenix would close the socket after the next interval.
    const replies: number[] = [];
    socket.onMessage((message: object) => {
      const { topic, event } = message as { topic?: string; event?: string };
      if (topic === 'phoenix' && event === 'phx_reply') replies.push(Date.now());
    });
    await until(() => replies.length >= 3);
    expect(socket.isConnected()).toBe(true);
    socket.disconnect();
  });
});
