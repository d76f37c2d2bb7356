// Forged, edited and expired tokens get nothing: no rows, no RPC, no writes, no realtime join, no
// events, no admin or chaos. With the unmodified supabase-js (and raw requests where it would
// never send such a thing). Each variant is a token an attacker can make without the secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import type { AdminError } from '../../server/admin/protocol.js';
import type { Database } from '../../contract/schema.js';
import { bandWith, signedUpClient, until, type Client } from '../support/backend.js';
import { useBackend } from '../support/use-backend.js';
import {
  collect,
  refusal,
  signedInRealtime,
  socketUrl,
  subscribeError,
  subscribedToChanges,
  type Change,
} from '../server/realtime/support.js';

const backend = useBackend();
let alice: Awaited<ReturnType<typeof signedUpClient>>;
let mallory: Awaited<ReturnType<typeof signedUpClient>>;
let bandId: string;
/** Alice's own subscription to her band's log: proof that a write was delivered to someone. */
let witness: Change[];

beforeAll(async () => {
  [alice, mallory] = await Promise.all([
    signedUpClient(backend, 'alice'),
    signedUpClient(backend, 'mallory'),
  ]);
  bandId = await bandWith(alice.client, [], 'Private band');
  const watched = collect(await signedInRealtime(alice), 'witness', {
    event: 'INSERT',
    table: 'band_events',
    filter: `band_id=eq.${bandId}`,
  });
  witness = watched.changes;
  await subscribedToChanges(watched.channel);
});
afterAll(() => alice.client.removeAllChannels());

const HOUR = 3600;
const inAnHour = (): number => Math.floor(Date.now() / 1000) + HOUR;
const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const accessToken = async (user: { client: Client }): Promise<string> =>
  (await user.client.auth.getSession()).data.session!.access_token;

/** A real token with its payload edited and the original signature kept. */
function edited(token: string, change: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  return `${header}.${encode({ ...claims, ...change })}.${signature}`;
}

const forgeries: [string, () => Promise<string>][] = [
  [
    'signed with the wrong secret',
    () =>
      new SignJWT({ role: 'authenticated', aud: 'authenticated', sub: alice.userId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setExpirationTime(inAnHour())
        .sign(new TextEncoder().encode('not-the-secret-not-the-secret-not-the-secret')),
  ],
  [
    'alg none as alice',
    () =>
      Promise.resolve(
        `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ role: 'authenticated', sub: alice.userId, exp: inAnHour() })}.`,
      ),
  ],
  [
    'alg none as service_role',
    () =>
      Promise.resolve(
        `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ role: 'service_role', exp: inAnHour() })}.`,
      ),
  ],
  [
    'a real token with sub edited to alice',
    async () => edited(await accessToken(mallory), { sub: alice.userId }),
  ],
  [
    'a real token with role edited to service_role',
    async () => edited(await accessToken(mallory), { role: 'service_role' }),
  ],
  [
    'the anon key with role edited to service_role',
    () => Promise.resolve(edited(backend.anonKey, { role: 'service_role' })),
  ],
  [
    'an expired token with exp edited into the future',
    async () =>
      edited(
        await backend.keys.sign(
          { role: 'authenticated', sub: alice.userId },
          Math.floor(Date.now() / 1000) - 60,
        ),
        { exp: inAnHour() },
      ),
  ],
];

/** supabase-js as an app would make it, sending `token` as the user's JWT on REST. */
function clientWithToken(token: string): Client {
  return createClient<Database>(backend.url, backend.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { Authorization: `Bearer ${token}` } },
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
  });
}

async function writeSong(title: string): Promise<void> {
  const { error } = await alice.client.from('songs').insert({ band_id: bandId, title });
  if (error) throw new Error(error.message);
}

describe('a forged JWT gets nothing', () => {
  it.each(forgeries)('%s: REST rows, writes and RPC answer 401 PGRST301', async (_name, forge) => {
    const attacker = clientWithToken(await forge());
    const rows = await attacker.from('songs').select('*').eq('band_id', bandId);
    expect(rows).toMatchObject({ status: 401, data: null, error: { code: 'PGRST301' } });
    const log = await attacker.from('band_events').select('*').eq('band_id', bandId);
    expect(log).toMatchObject({ status: 401, data: null, error: { code: 'PGRST301' } });
    const write = await attacker.from('songs').insert({ band_id: bandId, title: 'Forged' });
    expect(write).toMatchObject({ status: 401, error: { code: 'PGRST301' } });
    const invite = await attacker.rpc('create_invite', { band_id: bandId });
    expect(invite).toMatchObject({ status: 401, data: null, error: { code: 'PGRST301' } });
    const band = await attacker.rpc('create_band', { name: 'Forged band', description: '' });
    expect(band).toMatchObject({ status: 401, data: null, error: { code: 'PGRST301' } });
    const { count } = await alice.client
      .from('songs')
      .select('*', { count: 'exact', head: true })
      .eq('title', 'Forged');
    expect(count).toBe(0);
  });

  it.each(forgeries)('%s: realtime refuses the join and no event reaches it', async (_name, forge) => {
    const token = await forge();
    const attacker = clientWithToken(token);
    await attacker.realtime.setAuth(token);
    const { channel, changes } = collect(attacker, 'stolen', {
      event: 'INSERT',
      table: 'band_events',
      filter: `band_id=eq.${bandId}`,
    });
    expect(await subscribeError(channel)).toMatch(/^InvalidJWTToken: The token provided is not a valid JWT/);
    const seen = witness.length;
    await writeSong('While forged');
    await until(() => witness.length > seen);
    expect(changes).toEqual([]);
    await attacker.removeAllChannels();
    // As the socket's apikey it does not even get a socket.
    expect(await refusal(socketUrl(backend, '2.0.0', token))).toEqual({
      status: 401,
      body: '{"error":"The token provided is not a valid JWT"}',
    });
  });

  it.each(forgeries)('%s: auth answers 403 bad_jwt for getUser', async (_name, forge) => {
    const { data, error } = await clientWithToken('unused').auth.getUser(await forge());
    expect(data.user).toBeNull();
    expect(error).toMatchObject({ status: 403, code: 'bad_jwt' });
  });
});

describe('an expired token', () => {
  it('stops realtime delivery and REST at its exp', async () => {
    const lifetime = 2;
    const token = await backend.keys.sign(
      { role: 'authenticated', aud: 'authenticated', sub: alice.userId },
      Math.floor(Date.now() / 1000) + lifetime,
    );
    const holder = clientWithToken(token);
    await holder.realtime.setAuth(token);
    const { channel, changes } = collect(holder, 'short-lived', {
      event: 'INSERT',
      table: 'band_events',
      filter: `band_id=eq.${bandId}`,
    });
    await subscribedToChanges(channel);
    expect((await holder.from('songs').select('id').eq('band_id', bandId)).error).toBeNull();
    await writeSong('Before expiry');
    await until(() => changes.length === 1);
    await until(() => channel.state === 'closed', (lifetime + 3) * 1000);
    const seen = witness.length;
    await writeSong('After expiry');
    await until(() => witness.length > seen);
    expect(changes).toHaveLength(1);
    const rows = await holder.from('songs').select('id').eq('band_id', bandId);
    expect(rows).toMatchObject({ status: 401, data: null, error: { code: 'PGRST303' } });
    await holder.removeAllChannels();
  });
});

describe('the admin and chaos API', () => {
  const keys: [string, () => Promise<Record<string, string>>][] = [
    ['a user JWT as apikey', async () => ({ apikey: await accessToken(mallory) })],
    [
      'the anon key with a user JWT as Bearer',
      async () => ({ apikey: backend.anonKey, Authorization: `Bearer ${await accessToken(mallory)}` }),
    ],
    ...forgeries
      .filter(([name]) => /service_role/.test(name))
      .map(([name, forge]): [string, () => Promise<Record<string, string>>] => [
        `${name} as apikey`,
        async () => ({ apikey: await forge() }),
      ]),
  ];

  it.each(keys)('refuses %s and changes nothing', async (_name, headers) => {
    const sent = await headers();
    const before = backend.realtime.metrics();
    for (const body of [
      { action: 'drop' },
      { action: 'drop', user_id: alice.userId },
      { action: 'refuse', ms: 60_000, scope: 'all' },
      { action: 'blackhole', ms: 60_000 },
      { action: 'latency', ms: 5000, duration_ms: 60_000 },
    ]) {
      const response = await fetch(`${backend.url}/admin/v1/chaos`, {
        method: 'POST',
        headers: { ...sent, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect([401, 403]).toContain(response.status);
      const { error } = (await response.json()) as AdminError;
      expect(error).toMatch(/service_role|Invalid key/);
    }
    for (const path of ['/admin/v1/metrics', '/metrics']) {
      const response = await fetch(`${backend.url}${path}`, { headers: sent });
      expect([401, 403]).toContain(response.status);
      expect(await response.text()).not.toMatch(/sockets|user_id|backline_/);
    }
    const after = backend.realtime.metrics();
    expect(after.chaos).toEqual(before.chaos);
    expect(after.chaos).toMatchObject({
      blackholeUntil: 0,
      refuseUntil: 0,
      refuseHttpUntil: 0,
      latencyMs: 0,
    });
    expect(after.sockets.map((s) => s.id)).toEqual(before.sockets.map((s) => s.id));
    // Alice's subscription still delivers.
    const seen = witness.length;
    await writeSong('Still delivered');
    await until(() => witness.length > seen);
  });
});
