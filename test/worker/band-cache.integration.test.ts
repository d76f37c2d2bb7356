// The broker's band cache against the local backend: after a burst of changes from other members,
// a watch's rows are the database's rows, and a second watch of a live band costs no request.
import { describe, expect, it } from 'vitest';
import type { BandLive } from '../../contract/protocol.js';
import type { Song } from '../../contract/schema.js';
import { chaos, metrics } from '../support/admin.js';
import { bandRowsOf, bandWith, logSeqs, signedUpClient, until, type Client } from '../support/backend.js';
import { signedInBroker, type NodeBroker } from '../support/node-broker.js';
import { useBackend } from '../support/use-backend.js';

const backend = useBackend();

/**
 * Every REST path a band's rows or log are read from. Not band_heads: the heads check asks it on
 * its own schedule (every 30 s, or after a late heartbeat).
 */
const BAND_READS = ['/bands', '/band_memberships', '/songs', '/band_events', '/rpc/band_snapshot'];

/** No request to any of them. */
const NONE = Object.fromEntries(BAND_READS.map((path) => [path, 0]));

const restPaths = async (): Promise<Record<string, number>> => (await metrics(backend)).http.rest_paths;

async function watched(tab: NodeBroker, tabId: string, bandId: string): Promise<BandLive> {
  const result = await tab.broker.watchBand(tabId, bandId);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** A supabase-js call's data; its error thrown. */
async function check<T>(
  work: PromiseLike<{ data: T | null; error: { message: string } | null }>,
): Promise<T> {
  const { data, error } = await work;
  if (error) throw new Error(error.message);
  return data as T;
}

/** Bob's band with Alice in it; Alice's broker, with a second tab of hers. */
async function aliceWatchingBobsBand(): Promise<{
  tab: NodeBroker;
  alice: Client;
  bob: Client;
  bandId: string;
}> {
  const alice = await signedUpClient(backend, 'alice');
  const bob = await signedUpClient(backend, 'bob');
  const bandId = await bandWith(bob.client, [alice.client], 'Burst');
  const tab = await signedInBroker(backend, alice);
  await tab.broker.hello('tab-2', 'lock-tab-2');
  const token = (await alice.client.auth.getSession()).data.session!.access_token;
  await tab.broker.setSession('tab-2', { userId: alice.userId, accessToken: token });
  return { tab, alice: alice.client, bob: bob.client, bandId };
}

describe('band cache', () => {
  it("equals the database after a burst of other members' inserts, updates and deletes", async () => {
    const { tab, alice, bob, bandId } = await aliceWatchingBobsBand();
    const first = await watched(tab, 'tab-1', bandId);

    // Songs one by one and in one transaction (one created_at), edited, soft- and hard-deleted.
    const single = await check<Song>(
      bob.from('songs').insert({ band_id: bandId, title: 'Opener' }).select().single(),
    );
    const bulk = await check(
      bob
        .from('songs')
        .insert(Array.from({ length: 8 }, (_, i) => ({ band_id: bandId, title: `Set ${i}` })))
        .select(),
    );
    await Promise.all([
      check(bob.from('songs').update({ bpm: 128, key: 'Am' }).eq('id', single.id)),
      check(bob.from('songs').update({ title: 'Set 0, retitled' }).eq('id', bulk[0]!.id)),
      check(bob.from('songs').update({ deleted_at: new Date().toISOString() }).eq('id', bulk[1]!.id)),
      check(bob.from('songs').delete().eq('id', bulk[2]!.id)),
      check(bob.from('songs').delete().eq('id', bulk[3]!.id)),
    ]);
    // A member joins by invite and is made admin; the band's description changes.
    const carol = await signedUpClient(backend, 'carol');
    const invite = await check(bob.rpc('create_invite', { band_id: bandId }));
    await check(carol.client.rpc('join_band', { code: invite.code }));
    await check(carol.client.from('songs').insert({ band_id: bandId, title: "Carol's" }));
    await check(
      bob
        .from('band_memberships')
        .update({ role: 'admin' })
        .eq('band_id', bandId)
        .eq('user_id', carol.userId),
    );
    await check(bob.from('bands').update({ description: 'Now with Carol' }).eq('id', bandId));

    const head = (await logSeqs(alice, bandId, first.lastSeq)).at(-1)!;
    await until(async () => (await tab.broker.diagnostics()).users[0]!.bands[0]!.lastSeq === head);
    const second = await watched(tab, 'tab-2', bandId);
    expect(second.lastSeq).toBe(head);
    expect(second.rows).toEqual({ status: 'present', ...(await bandRowsOf(alice, bandId)) });
    expect(second.rows.members.map((m) => m.role)).toContain('admin');
    tab.close();
  });

  it('reads the rows with the request that read the head, and a second watch reads nothing', async () => {
    const { tab, bob, bandId } = await aliceWatchingBobsBand();
    const start = await restPaths();
    await watched(tab, 'tab-1', bandId);
    const before = await restPaths();
    const second = await watched(tab, 'tab-2', bandId);
    const after = await restPaths();
    const served = (from: Record<string, number>, to: Record<string, number>): Record<string, number> =>
      Object.fromEntries(BAND_READS.map((path) => [path, (to[path] ?? 0) - (from[path] ?? 0)]));
    // The snapshot, then the catch-up's one page of the log after it (as the head and the page before).
    expect(served(start, before)).toEqual({
      ...served(start, start),
      '/rpc/band_snapshot': 1,
      '/band_events': 1,
    });
    expect(served(before, after)).toEqual(NONE);
    expect(second.rows).toEqual({ status: 'present', ...(await bandRowsOf(bob, bandId)) });
    tab.close();
  });

  it('reads one snapshot for watches that arrive together, as every tab does on a new worker', async () => {
    const { tab, bob, bandId } = await aliceWatchingBobsBand();
    const start = await restPaths();
    const [first, second] = await Promise.all([watched(tab, 'tab-1', bandId), watched(tab, 'tab-2', bandId)]);
    expect(((await restPaths())['/rpc/band_snapshot'] ?? 0) - (start['/rpc/band_snapshot'] ?? 0)).toBe(1);
    expect(second).toEqual(first);
    expect(first.rows).toEqual({ status: 'present', ...(await bandRowsOf(bob, bandId)) });
    tab.close();
  });

  it('answers the rows while the socket is refused, before the band is live, with the one snapshot the watch read', async () => {
    const { tab, bob, bandId } = await aliceWatchingBobsBand();
    // A fresh socket for a broker that never connected: refused until the test ends.
    await chaos(backend, { action: 'refuse', ms: 60_000 });
    await chaos(backend, { action: 'drop' });
    const start = await restPaths();
    let live = false;
    void tab.broker.watchBand('tab-1', bandId).then(() => (live = true));
    const now = await tab.broker.bandRows('tab-2', bandId);
    expect(live).toBe(false);
    expect(now.ok && now.value.rows).toEqual({ status: 'present', ...(await bandRowsOf(bob, bandId)) });
    expect(((await restPaths())['/rpc/band_snapshot'] ?? 0) - (start['/rpc/band_snapshot'] ?? 0)).toBe(1);
    await chaos(backend, { action: 'reset' });
    tab.close();
  });
});
