// What the backend exposes beyond its API: the interfaces it listens on (loopback unless told
// otherwise) and what it writes to its logs (never a secret, a token or a password), captured
// while it signs users up and in, serves REST and realtime, and refuses bad tokens and bad input.
import { networkInterfaces } from 'node:os';
import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultOptions } from '../../server/config.js';
import { startBackend } from '../../server/backend.js';
import { client, signedUpClient, type Backend } from '../support/backend.js';
import {
  RawSocket,
  collect,
  refusal,
  signedInRealtime,
  socketUrl,
  subscribeError,
  subscribedToChanges,
} from '../server/realtime/support.js';

/** This machine's first address other than loopback: where a LAN would reach it. */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((address) => address?.family === 'IPv4' && !address.internal)?.address;

let loopback: Backend;
let everywhere: Backend;
beforeAll(async () => {
  // Only the port is given: the host is the backend's own default.
  [loopback, everywhere] = await Promise.all([
    startBackend({ port: 0, logRequests: true }),
    startBackend({ port: 0, host: '0.0.0.0' }),
  ]);
});
afterAll(() => Promise.all([loopback.close(), everywhere.close()]));

const reachable = (host: string, port: number): Promise<boolean> =>
  fetch(`http://${host}:${port}/health`).then(
    (response) => response.ok,
    () => false,
  );

describe('the interfaces the backend listens on', () => {
  it('is 127.0.0.1 unless HOST says otherwise', () => {
    expect(defaultOptions({}).host).toBe('127.0.0.1');
    expect(defaultOptions({ PORT: '0' }).host).toBe('127.0.0.1');
    expect(defaultOptions({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it.skipIf(lanAddress === undefined)('answers on loopback only by default', async () => {
    expect(loopback.url).toBe(`http://127.0.0.1:${loopback.port}`);
    expect(await reachable('127.0.0.1', loopback.port)).toBe(true);
    expect(await reachable(lanAddress!, loopback.port)).toBe(false);
  });

  it.skipIf(lanAddress === undefined)('answers on every interface when told to', async () => {
    expect(await reachable(lanAddress!, everywhere.port)).toBe(true);
    expect(await reachable('127.0.0.1', everywhere.port)).toBe(true);
  });
});

/** Everything the process writes to the console, stdout and stderr while `run` runs. */
async function captureOutput(run: () => Promise<void>): Promise<string> {
  const written: string[] = [];
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const originals = consoleMethods.map((name) => Object.getOwnPropertyDescriptor(console, name)!);
  for (const name of consoleMethods)
    console[name] = (...args: unknown[]) => void written.push(format(...args));
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write.bind(stream));
  for (const [i, stream] of streams.entries()) {
    stream.write = (chunk: string | Uint8Array, ...rest: never[]) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      return writes[i]!(chunk, ...rest);
    };
  }
  try {
    await run();
  } finally {
    consoleMethods.forEach((name, i) => Object.defineProperty(console, name, originals[i]!));
    streams.forEach((stream, i) => (stream.write = writes[i]!));
  }
  return written.join('\n');
}

describe('the logs', () => {
  it('never carry the JWT secret, the service_role key, tokens or passwords', async () => {
    const secrets: string[] = [loopback.jwtSecret, loopback.serviceRoleKey];
    const output = await captureOutput(async () => {
      const alice = await signedUpClient(loopback, 'alice');
      secrets.push(alice.password);
      const signIn = await client(loopback).auth.signInWithPassword({
        email: alice.email,
        password: alice.password,
      });
      const wrong = await client(loopback).auth.signInWithPassword({
        email: alice.email,
        password: 'not-her-password-at-all',
      });
      expect(wrong.error).not.toBeNull();
      secrets.push('not-her-password-at-all');
      const session = (await alice.client.auth.getSession()).data.session!;
      secrets.push(session.access_token, session.refresh_token);
      secrets.push(signIn.data.session!.access_token, signIn.data.session!.refresh_token);
      const refreshed = await alice.client.auth.refreshSession();
      secrets.push(refreshed.data.session!.access_token, refreshed.data.session!.refresh_token);
      // The rotated refresh token replayed, and a made-up one.
      await client(loopback).auth.refreshSession({ refresh_token: session.refresh_token });
      await client(loopback).auth.refreshSession({ refresh_token: 'made-up-refresh-token-123' });
      await alice.client.auth.getUser();

      // REST: reads, writes, RPC, and errors.
      const band = await alice.client.rpc('create_band', { name: 'Logged', description: '' });
      const bandId = band.data!.id;
      await alice.client.from('songs').insert({ band_id: bandId, title: 'Quiet' });
      await alice.client.from('songs').select('*').eq('band_id', bandId);
      await alice.client.from('nope' as 'songs').select('*');
      await alice.client.rpc('join_band', { code: 'no-such-code' });
      const token = refreshed.data.session!.access_token;
      const forged = `${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(43)}`;
      const expired = await loopback.keys.sign({ role: 'authenticated', sub: alice.userId }, 1_000_000);
      secrets.push(forged, expired);
      for (const bad of [forged, expired, 'not-a-jwt'])
        await fetch(`${loopback.url}/rest/v1/songs`, {
          headers: { apikey: loopback.anonKey, Authorization: `Bearer ${bad}` },
        });
      await fetch(`${loopback.url}/rest/v1/songs`, {
        method: 'POST',
        headers: {
          apikey: loopback.anonKey,
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
        },
        body: '{"title": ',
      });
      await fetch(`${loopback.url}/rest/v1/rpc/create_band?apikey=${loopback.serviceRoleKey}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: '{"name": {"nested": true}, "description": 42}',
      });
      await fetch(`${loopback.url}/admin/v1/metrics`, { headers: { apikey: token } });

      // Realtime: a join with the user's token, a join with a forged one, a refused upgrade,
      // and a frame the server cannot read.
      const { channel } = collect(await signedInRealtime(alice), 'logged', {
        event: 'INSERT',
        table: 'band_events',
        filter: `band_id=eq.${bandId}`,
      });
      await subscribedToChanges(channel);
      await alice.client.removeAllChannels();
      const intruder = client(loopback);
      await intruder.realtime.setAuth(forged);
      await subscribeError(intruder.channel('forged'));
      await intruder.removeAllChannels();
      await refusal(socketUrl(loopback, '2.0.0', expired));
      const raw = await RawSocket.open(socketUrl(loopback));
      raw.send(['1', '1', 'realtime:t', 'phx_join', { config: {}, access_token: forged }]);
      await raw.reply('1');
      raw.send('{"not": "a phoenix frame"');
      await raw.closed();
      await alice.client.auth.signOut();
    });

    // The capture works: the request log is in it.
    expect(output).toMatch(/POST \/auth\/v1\/signup 200/);
    expect(output).toMatch(/GET \/rest\/v1\/songs 401/);
    for (const secret of secrets) {
      expect(output).not.toContain(secret);
      // Nor a token's signature alone (the part that makes it usable).
      const signature = secret.split('.')[2];
      if (signature && signature.length > 20) expect(output).not.toContain(signature);
    }
  });
});
