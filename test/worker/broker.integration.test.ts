// The broker core in Node against the real local backend (realtime-js over `ws`): delivery
// order, catch-up after faults, new bands, membership changes. The browser parts (SharedWorker,
// locks, BroadcastChannel) are covered by e2e/broker.e2e.ts.
import { describe, expect, it } from 'vitest';
import { bandWith, logSeqs, signedUpClient, until, type Client } from '../support/backend.js';
import { useBackend } from '../support/use-backend.js';
import type { ChaosRequest } from '../../server/admin/protocol.js';
import { chaos as chaosOf, metrics } from '../support/admin.js';
import { signedInBroker, type NodeBroker } from '../support/node-broker.js';

const backend = useBackend();

const brokerFor = (user: { client: Client; userId: string }, tabId = 'tab-1'): Promise<NodeBroker> =>
  signedInBroker(backend, user, { tabId, heartbeatIntervalMs: 300 });

async function addSongs(writer: Client, bandId: string, count: number, prefix: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    const { error } = await writer.from('songs').insert({ band_id: bandId, title: `${prefix} ${i}` });
    if (error) throw new Error(error.message);
  }
}

const chaos = (request: ChaosRequest): Promise<void> => chaosOf(backend, request);

describe('broker against the local backend', () => {
  it('delivers every change of a watched band once, in seq order, from the head it reports', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const bandId = await bandWith(alice.client, [bob.client]);
    const tab = await brokerFor(alice);
    const live = await tab.broker.watchBand('tab-1', bandId);
    expect(live.ok).toBe(true);
    const head = live.ok ? live.value.lastSeq : -1;
    await addSongs(bob.client, bandId, 20, 'burst');
    const expected = await logSeqs(alice.client, bandId, head);
    expect(expected).toHaveLength(20);
    await until(() => tab.seqs(bandId).length >= 20);
    expect(tab.seqs(bandId)).toEqual(expected);
    tab.close();
  });

  it('resolves every one of many concurrent watches of the same bands from many tabs', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bands = [await bandWith(alice.client), await bandWith(alice.client)];
    const tab = await brokerFor(alice);
    const tabIds = Array.from({ length: 10 }, (_, i) => `tab-${i + 2}`);
    const token = (await alice.client.auth.getSession()).data.session!.access_token;
    for (const tabId of tabIds) {
      await tab.broker.hello(tabId, `lock-${tabId}`);
      await tab.broker.setSession(tabId, { userId: alice.userId, accessToken: token });
    }
    const results = await Promise.all(
      tabIds.flatMap((tabId) => bands.map((bandId) => tab.broker.watchBand(tabId, bandId))),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const diagnostics = await tab.broker.diagnostics();
    expect(diagnostics.users[0]!.bands.map((b) => b.watchers)).toEqual([10, 10]);
    tab.close();
  });

  it('refuses to watch a band the user is not in (the server decides)', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const mallory = await signedUpClient(backend, 'mallory');
    const bandId = await bandWith(alice.client);
    const tab = await brokerFor(mallory);
    const result = await tab.broker.watchBand('tab-1', bandId);
    expect(result).toMatchObject({ ok: false, error: { code: 'not_member' } });
    tab.close();
  });

  it('catches up on everything written while the socket was dropped, without duplicates', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const bandId = await bandWith(alice.client, [bob.client]);
    const tab = await brokerFor(alice);
    const live = await tab.broker.watchBand('tab-1', bandId);
    const head = live.ok ? live.value.lastSeq : -1;
    await chaos({ action: 'refuse', ms: 1000 });
    await chaos({ action: 'drop', user_id: alice.userId });
    await addSongs(bob.client, bandId, 10, 'offline');
    await until(() => tab.seqs(bandId).length >= 10, 15_000);
    const states = tab.events.flatMap((e) => (e.type === 'realtime:state-changed' ? [e.state.kind] : []));
    expect(states).toContain('reconnecting');
    expect(tab.seqs(bandId)).toEqual(await logSeqs(alice.client, bandId, head));
    tab.close();
  });

  it('detects a half-open socket by its heartbeat and recovers what it missed', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const bandId = await bandWith(alice.client, [bob.client]);
    const tab = await brokerFor(alice);
    const live = await tab.broker.watchBand('tab-1', bandId);
    const head = live.ok ? live.value.lastSeq : -1;
    await chaos({ action: 'blackhole', ms: 1500 });
    await addSongs(bob.client, bandId, 5, 'blackholed');
    await until(() => tab.seqs(bandId).length >= 5, 15_000);
    const errors = tab.events.flatMap((e) =>
      e.type === 'realtime:state-changed' ? [e.state.lastError?.code] : [],
    );
    expect(errors).toContain('heartbeat_timeout');
    expect(tab.seqs(bandId)).toEqual(await logSeqs(alice.client, bandId, head));
    tab.close();
  });

  it('subscribes a band joined elsewhere at once and tells the tabs', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    // A realistic grace: with the harness's 50 ms, a join slower than that on a busy machine
    // releases the band (nobody watches it yet) before it is live, which is right but not this test.
    const tab = await signedInBroker(backend, bob, { heartbeatIntervalMs: 300, graceMs: 10_000 });
    await until(() => tab.broker.diagnostics().then((d) => d.users[0]?.state.kind === 'connected'));
    const bandId = await bandWith(alice.client, [bob.client]);
    // Subscribed before any tab asked: the membership event alone made it live.
    await until(() => tab.events.some((e) => e.type === 'band:joined' && e.bandId === bandId));
    await until(() => tab.events.some((e) => e.type === 'band:live' && e.bandId === bandId));
    // A tab that hears of it watches it (as the app's band list does); nothing is missed meanwhile.
    expect((await tab.broker.watchBand('tab-1', bandId)).ok).toBe(true);
    await addSongs(alice.client, bandId, 1, 'welcome');
    await until(() => tab.seqs(bandId).length >= 1);
    tab.close();
  });

  it('answers tabs asking for the same gap at once (after a worker replacement) with one log read', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client);
    await addSongs(alice.client, bandId, 3, 'missed');
    const tab = await brokerFor(alice);
    const token = (await alice.client.auth.getSession()).data.session!.access_token;
    const tabs = ['tab-1', 'tab-2', 'tab-3'];
    for (const id of tabs.slice(1)) {
      await tab.broker.hello(id, `lock-${id}`);
      await tab.broker.setSession(id, { userId: alice.userId, accessToken: token });
    }
    const restRequests = async (): Promise<number> => (await metrics(backend)).http.rest;
    const before = await restRequests();
    const pages = await Promise.all(tabs.map((id) => tab.broker.eventsAfter(id, bandId, 0)));
    const requests = (await restRequests()) - before;
    const log = await logSeqs(alice.client, bandId, 0);
    for (const page of pages) expect(page.ok && page.value.map((e) => e.seq)).toEqual(log);
    expect(requests).toBe(1);
    tab.close();
  });

  it('stops a band’s events when the user is removed from it', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const bandId = await bandWith(alice.client, [bob.client]);
    const tab = await brokerFor(bob);
    await tab.broker.watchBand('tab-1', bandId);
    await alice.client.from('band_memberships').delete().eq('band_id', bandId).eq('user_id', bob.userId);
    await until(() => tab.events.some((e) => e.type === 'band:left' && e.bandId === bandId));
    const before = tab.seqs(bandId).length;
    await addSongs(alice.client, bandId, 3, 'after removal');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(tab.seqs(bandId)).toHaveLength(before);
    tab.close();
  });

  it('serves a user in 150 bands on one socket within the 100-channel quota', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bands: string[] = [];
    for (let i = 0; i < 150; i++) bands.push(await bandWith(alice.client, [], `Band ${i}`));
    const tab = await brokerFor(alice);
    const results = await Promise.all(bands.map((bandId) => tab.broker.watchBand('tab-1', bandId)));
    expect(results.every((r) => r.ok)).toBe(true);
    const diagnostics = await tab.broker.diagnostics();
    expect(diagnostics.users[0]!.channels).toBeLessThanOrEqual(100);
    await addSongs(alice.client, bands[149]!, 1, 'last band');
    await until(() => tab.seqs(bands[149]!).length === 1);
    tab.close();
  });
});
