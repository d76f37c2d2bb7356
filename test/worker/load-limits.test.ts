// The broker at Supabase's realtime quotas, against a backend started with low ones: it says why
// it is down (the server's reason, in the connection state and in the user's words), backs off,
// and once the limit clears it reconnects and catches up with every event written meanwhile, once.
import { describe, expect, it } from 'vitest';
import { FREE_PLAN_QUOTAS } from '../../server/config.js';
import { connectionReason } from '../../src/ui/state/connection-reason.js';
import type { ConnectionState } from '../../contract/connection-state.js';
import { RawSocket, socketUrl } from '../server/realtime/support.js';
import { bandWith, logSeqs, signedUpClient, until, type Client } from '../support/backend.js';
import { useBackend } from '../support/use-backend.js';
import { signedInBroker } from '../support/node-broker.js';

const MAX_CONNECTIONS = 2;
const MAX_CHANNELS = 3;
const MAX_MESSAGES_PER_SECOND = 6;
const backend = useBackend({
  realtime: {
    ...FREE_PLAN_QUOTAS,
    maxConnections: MAX_CONNECTIONS,
    maxChannelsPerConnection: MAX_CHANNELS,
    maxMessagesPerSecond: MAX_MESSAGES_PER_SECOND,
  },
});

const BACKOFF = { baseMs: 200, factor: 2, capMs: 800, maxAttempts: 50 };

async function brokerFor(user: { client: Client; userId: string }) {
  const { broker, events, seqs } = await signedInBroker(backend, user, {
    heartbeatIntervalMs: 1000,
    policy: BACKOFF,
  });
  return {
    broker,
    states: () => events.flatMap((e) => (e.type === 'realtime:state-changed' ? [e.state] : [])),
    seqs,
    state: async (): Promise<ConnectionState> => (await broker.diagnostics()).users[0]!.state,
  };
}

async function addSongs(writer: Client, bandId: string, count: number, prefix: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    const { error } = await writer.from('songs').insert({ band_id: bandId, title: `${prefix} ${i}` });
    if (error) throw new Error(error.message);
  }
}

/** Failed attempts as the tabs saw them: each reconnecting state with a retry scheduled. */
const failures = (states: ConnectionState[]): ConnectionState[] =>
  states.filter((s) => s.kind === 'reconnecting' && s.nextRetryAt !== null);

describe('broker at the realtime quotas', () => {
  it('at max connections says why, backs off, and once a slot frees catches up on every event once', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const bandId = await bandWith(alice.client, [bob.client]);
    const tab = await brokerFor(alice);
    const live = await tab.broker.watchBand('tab-1', bandId);
    expect(live.ok).toBe(true);
    const head = live.ok ? live.value.lastSeq : -1;
    // The broker's socket goes away (the browser went offline) and others take every slot.
    await tab.broker.networkChanged(false);
    await until(() => backend.realtime.metrics().totals.sockets === 0);
    const others = await Promise.all(
      Array.from({ length: MAX_CONNECTIONS }, () => RawSocket.open(socketUrl(backend))),
    );
    await addSongs(bob.client, bandId, 5, 'while full');
    await tab.broker.networkChanged(true);
    await until(() => failures(tab.states()).length >= 3, 15_000);

    const failed = failures(tab.states());
    for (const state of failed) {
      expect(state.lastError).toMatchObject({ code: 'too_many_connections' });
      expect(state.lastError!.message).toMatch(/429/);
      expect(connectionReason(state)).toBe('The server has too many connections right now.');
      // Full jitter below a ceiling that doubles per attempt, up to the cap.
      const delay = state.nextRetryAt! - state.lastError!.at;
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** (state.attempt - 1)));
    }
    expect(failed.map((s) => s.attempt)).toEqual(failed.map((_, i) => i + 1));
    // Each attempt waited for its retry time: the next failure is never earlier.
    for (let i = 1; i < failed.length; i++)
      expect(failed[i]!.lastError!.at).toBeGreaterThanOrEqual(failed[i - 1]!.nextRetryAt!);
    expect(tab.seqs(bandId)).toEqual([]);

    others[0]!.close();
    await until(async () => (await tab.state()).kind === 'connected', 10_000);
    await addSongs(bob.client, bandId, 2, 'after');
    const expected = await logSeqs(alice.client, bandId, head);
    expect(expected).toHaveLength(7);
    await until(() => tab.seqs(bandId).length >= expected.length);
    // A moment for any duplicate to show up before comparing.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(tab.seqs(bandId)).toEqual(expected);
    others.slice(1).forEach((socket) => socket.close());
    tab.broker.shutdown();
  });

  it('past the channel quota says why, reconnects with fewer channels and loses nothing', async () => {
    await until(() => backend.realtime.metrics().totals.sockets === 0);
    const alice = await signedUpClient(backend, 'alice');
    const bands = [
      await bandWith(alice.client, [], 'One'),
      await bandWith(alice.client, [], 'Two'),
      await bandWith(alice.client, [], 'Three'),
    ];
    const tab = await brokerFor(alice);
    // Watched one after another, each band gets a channel of its own beside the memberships one:
    // the third is one too many for this server.
    const heads: number[] = [];
    for (const bandId of bands) {
      const live = await tab.broker.watchBand('tab-1', bandId);
      expect(live.ok).toBe(true);
      heads.push(live.ok ? live.value.lastSeq : -1);
    }
    const refused = failures(tab.states()).find((s) => s.lastError?.code === 'too_many_channels');
    expect(refused?.lastError?.message).toMatch(/ChannelRateLimitReached: Too many channels/);
    expect(connectionReason(refused!)).toBe('The server refused more channels on this connection.');
    await until(async () => (await tab.state()).kind === 'connected', 10_000);
    // Connected once every channel is joined; each band is live once its catch-up after the
    // rejoin has read the log, a REST round trip later.
    await until(async () =>
      (await tab.broker.diagnostics()).users[0]!.bands.every((b) => b.status === 'live'),
    );
    const diagnostics = await tab.broker.diagnostics();
    expect(diagnostics.users[0]!.channels).toBeLessThanOrEqual(MAX_CHANNELS);
    expect(diagnostics.users[0]!.bands.map((b) => b.status)).toEqual(['live', 'live', 'live']);
    for (const bandId of bands) await addSongs(alice.client, bandId, 2, 'packed');
    for (const [i, bandId] of bands.entries()) {
      const expected = await logSeqs(alice.client, bandId, heads[i]!);
      await until(() => tab.seqs(bandId).length >= expected.length);
      expect(tab.seqs(bandId)).toEqual(expected);
    }
    tab.broker.shutdown();
  });

  it('over the message rate says the server’s reason, rejoins and catches up', async () => {
    await until(() => backend.realtime.metrics().totals.sockets === 0);
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const bandId = await bandWith(alice.client, [bob.client]);
    const tab = await brokerFor(alice);
    const live = await tab.broker.watchBand('tab-1', bandId);
    const head = live.ok ? live.value.lastSeq : -1;
    // Fresh tokens in a burst (tabs refreshing at once): each goes to every channel of the socket.
    const now = Math.floor(Date.now() / 1000);
    for (let i = 1; i <= 4; i++) {
      const token = await backend.keys.sign({ role: 'authenticated', sub: alice.userId }, now + 3600 + i);
      await tab.broker.setSession('tab-1', { userId: alice.userId, accessToken: token });
    }
    await until(() => failures(tab.states()).length >= 1);
    const refused = failures(tab.states())[0]!;
    expect(refused.lastError).toMatchObject({ code: 'too_many_messages' });
    expect(refused.lastError!.message).toMatch(/Too many messages per second/);
    expect(connectionReason(refused)).toBe('The server is limiting how many messages can be sent.');
    await addSongs(bob.client, bandId, 3, 'meanwhile');
    await until(async () => (await tab.state()).kind === 'connected', 10_000);
    const expected = await logSeqs(alice.client, bandId, head);
    await until(() => tab.seqs(bandId).length >= expected.length);
    expect(tab.seqs(bandId)).toEqual(expected);
    tab.broker.shutdown();
  });
});
