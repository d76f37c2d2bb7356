// Tokens decide who a socket and its channels act as: setAuth with a fresh token keeps the
// channel, an expired or forged one ends it with Supabase's messages.
import { describe, expect, it } from 'vitest';
import { bandWith, client, signedUpClient, until } from '../../support/backend.js';
import { useBackend } from '../../support/use-backend.js';
import {
  RawSocket,
  collect,
  refusal,
  signedInRealtime,
  socketUrl,
  subscribeError,
  subscribedToChanges,
} from './support.js';

const TTL_SECONDS = 2;
const backend = useBackend({ accessTokenTtlSeconds: TTL_SECONDS });

describe('access tokens', () => {
  it('keeps the channel on setAuth with a fresh token, and closes it when the token expires', async () => {
    const alice = await signedUpClient(backend, 'alice');
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
    await subscribedToChanges(channel);
    const refreshed = await alice.client.auth.refreshSession();
    const fresh = refreshed.data.session!;
    await supabase.realtime.setAuth(fresh.access_token);
    await until(() => backend.realtime.metrics().sockets.some((s) => s.user_id === alice.userId));
    await alice.client.from('songs').insert({ band_id: bandId, title: 'Still here' });
    await until(() => changes.length === 1);
    expect(channel.state).toBe('joined');
    expect(errors).toEqual([]);
    // No newer token: when this one expires the server ends the channel with a system error.
    await until(() => errors.length === 1, (TTL_SECONDS + 3) * 1000);
    expect(errors[0]).toMatch(/Token has expired/);
    await until(() => channel.state === 'closed');
    await supabase.removeAllChannels();
  });

  it('ends the channel at once when setAuth pushes an expired token', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const raw = await RawSocket.open(socketUrl(backend));
    const token = (await alice.client.auth.getSession()).data.session!.access_token;
    raw.send(['1', '1', 'realtime:t', 'phx_join', { config: {}, access_token: token }]);
    expect((await raw.reply('1'))[4]).toMatchObject({ status: 'ok' });
    const expired = await backend.keys.sign(
      { role: 'authenticated', sub: alice.userId },
      Math.floor(Date.now() / 1000) - 10,
    );
    raw.send(['1', '2', 'realtime:t', 'access_token', { access_token: expired }]);
    const system = await raw.next((f) => f[3] === 'system');
    expect(system[4]).toMatchObject({ status: 'error', message: 'InvalidJWTToken: Token has expired' });
    expect(await raw.next((f) => f[3] === 'phx_close')).toEqual(['1', '1', 'realtime:t', 'phx_close', {}]);
    raw.close();
  });

  it('counts joins refused for an expired token, apart from other refusals, in its metrics', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const before = backend.realtime.metrics().totals;
    const raw = await RawSocket.open(socketUrl(backend));
    const expired = await backend.keys.sign(
      { role: 'authenticated', sub: alice.userId },
      Math.floor(Date.now() / 1000) - 10,
    );
    raw.send(['1', '1', 'realtime:t', 'phx_join', { config: {}, access_token: expired }]);
    expect((await raw.reply('1'))[4]).toMatchObject({ status: 'error' });
    raw.send(['2', '2', 'realtime:u', 'phx_join', { config: {}, access_token: 'not.a.jwt' }]);
    expect((await raw.reply('2'))[4]).toMatchObject({ status: 'error' });
    const after = backend.realtime.metrics().totals;
    expect(after.joins_refused - before.joins_refused).toBe(2);
    expect(after.joins_refused_expired_token - before.joins_refused_expired_token).toBe(1);
    raw.close();
  });

  it('refuses a join with a forged token with Supabase’s reason', async () => {
    const supabase = client(backend);
    await supabase.realtime.setAuth('eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.forged');
    expect(await subscribeError(supabase.channel('forged'))).toMatch(
      /^InvalidJWTToken: The token provided is not a valid JWT/,
    );
    await supabase.removeAllChannels();
  });

  it('refuses the upgrade without an apikey, with a forged one, and with an expired one', async () => {
    const base = `${backend.url.replace('http', 'ws')}/realtime/v1/websocket?vsn=2.0.0`;
    expect(await refusal(base)).toEqual({ status: 401, body: '{"error":"No API key found in request"}' });
    expect(await refusal(`${base}&apikey=not.a.jwt`)).toEqual({
      status: 401,
      body: '{"error":"The token provided is not a valid JWT"}',
    });
    const expired = await backend.keys.sign({ role: 'anon' }, Math.floor(Date.now() / 1000) - 10);
    expect(await refusal(`${base}&apikey=${expired}`)).toEqual({
      status: 401,
      body: '{"error":"Token has expired"}',
    });
  });
});
