// The broker's band list against the local backend: the user's bands by name, read once for every
// tab, read again after a membership change, and kept current by a watched band's events. The
// backend's REST request count is the witness for reads.
import { describe, expect, it } from 'vitest';
import type { Band } from '../../contract/schema.js';
import { metrics } from '../support/admin.js';
import { bandWith, signedUpClient, until, type Client } from '../support/backend.js';
import { signedInBroker, type NodeBroker } from '../support/node-broker.js';
import { useBackend } from '../support/use-backend.js';

const backend = useBackend();

const restRequests = async (): Promise<number> => (await metrics(backend)).http.rest;

/** The band list in `tab`, or the error's message. */
async function listOf(tab: NodeBroker, tabId = 'tab-1'): Promise<Band[]> {
  const result = await tab.broker.bands(tabId);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** The user's bands as supabase-js reads them. */
async function bandsOf(reader: Client): Promise<Band[]> {
  const { data, error } = await reader.from('bands').select('*').order('name').order('id');
  if (error) throw new Error(error.message);
  return data;
}

/** Requests the backend served while `work` ran. */
async function requestsDuring(work: () => Promise<unknown>): Promise<number> {
  const before = await restRequests();
  await work();
  return (await restRequests()) - before;
}

describe('band list', () => {
  it("answers the user's bands by name with one read, shared by the tabs asking at once", async () => {
    const alice = await signedUpClient(backend, 'alice');
    const mallory = await signedUpClient(backend, 'mallory');
    await bandWith(alice.client, [], 'Zeta');
    await bandWith(alice.client, [], 'Alpha');
    await bandWith(mallory.client, [], 'Not hers');
    const tab = await signedInBroker(backend, alice);
    const token = (await alice.client.auth.getSession()).data.session!.access_token;
    for (const id of ['tab-2', 'tab-3']) {
      await tab.broker.hello(id, `lock-${id}`);
      await tab.broker.setSession(id, { userId: alice.userId, accessToken: token });
    }
    let lists: Band[][] = [];
    const first = await requestsDuring(async () => {
      lists = await Promise.all(['tab-1', 'tab-2', 'tab-3'].map((id) => listOf(tab, id)));
    });
    expect(first).toBe(1);
    for (const list of lists) expect(list).toEqual(await bandsOf(alice.client));
    expect(lists[0]!.map((b) => b.name)).toEqual(['Alpha', 'Zeta']);
    expect(await requestsDuring(() => listOf(tab, 'tab-2'))).toBe(0);
    tab.close();
  });

  it('shows a band joined elsewhere and drops one the user was removed from', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    await bandWith(bob.client, [], 'His own');
    const tab = await signedInBroker(backend, bob, { graceMs: 10_000 });
    await until(() => tab.broker.diagnostics().then((d) => d.users[0]?.state.kind === 'connected'));
    expect((await listOf(tab)).map((b) => b.name)).toEqual(['His own']);

    const joined = await bandWith(alice.client, [bob.client], 'Hers');
    await until(() => tab.events.some((e) => e.type === 'band:joined' && e.bandId === joined));
    expect(await listOf(tab)).toEqual(await bandsOf(bob.client));
    expect((await listOf(tab)).map((b) => b.name)).toEqual(['Hers', 'His own']);

    await alice.client.from('band_memberships').delete().eq('band_id', joined).eq('user_id', bob.userId);
    await until(() => tab.events.some((e) => e.type === 'band:left' && e.bandId === joined));
    expect((await listOf(tab)).map((b) => b.name)).toEqual(['His own']);
    tab.close();
  });

  it('shows a band created in a tab', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const tab = await signedInBroker(backend, alice, { graceMs: 10_000 });
    expect(await listOf(tab)).toEqual([]);
    const created = await bandWith(alice.client, [], 'Fresh');
    await tab.broker.bandAdded('tab-1', created);
    expect((await listOf(tab)).map((b) => b.id)).toEqual([created]);
    tab.close();
  });

  it("takes a watched band's new description from its events, with no read", async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client, [], 'Loud');
    const tab = await signedInBroker(backend, alice);
    expect((await tab.broker.watchBand('tab-1', bandId)).ok).toBe(true);
    await listOf(tab);
    await alice.client.from('bands').update({ description: 'Very loud' }).eq('id', bandId);
    await until(() => tab.events.some((e) => e.type === 'band:event' && e.event.table_name === 'bands'));
    let list: Band[] = [];
    expect(
      await requestsDuring(async () => {
        list = await listOf(tab);
      }),
    ).toBe(0);
    expect(list).toEqual(await bandsOf(alice.client));
    expect(list[0]!.description).toBe('Very loud');
    tab.close();
  });

  it('reads the list again, in the new order, after a watched band is renamed', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const first = await bandWith(alice.client, [], 'Alpha');
    await bandWith(alice.client, [], 'Beta');
    const tab = await signedInBroker(backend, alice);
    expect((await tab.broker.watchBand('tab-1', first)).ok).toBe(true);
    expect((await listOf(tab)).map((b) => b.name)).toEqual(['Alpha', 'Beta']);
    await alice.client.from('bands').update({ name: 'Gamma' }).eq('id', first);
    await until(() => tab.events.some((e) => e.type === 'band:event' && e.event.table_name === 'bands'));
    expect((await listOf(tab)).map((b) => b.name)).toEqual(['Beta', 'Gamma']);
    tab.close();
  });
});
