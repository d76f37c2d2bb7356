// A worker that restarts with empty state behind the same ports (WebKit re-runs a shared worker
// so), with the tabs unaware: the real client, the real broker and the real local backend in
// Node. The same in Chromium: e2e/browser-faults.e2e.ts.
import { afterEach, describe, expect, it } from 'vitest';
import type { BacklineClient } from '../../src/client/backline.js';
import { MemoryOutboxData } from '../../worker/outbox/memory-outbox-store.js';
import { bandWith, logSeqs, signedUpClient, until, type Client } from '../support/backend.js';
import { nodeProfile, type NodeProfile } from '../support/node-client.js';
import { useBackend } from '../support/use-backend.js';

const backend = useBackend();

let profile: NodeProfile | undefined;
afterEach(() => profile?.close());

async function addSongs(writer: Client, bandId: string, titles: string[]): Promise<void> {
  for (const title of titles) {
    const { error } = await writer.from('songs').insert({ band_id: bandId, title });
    if (error) throw new Error(error.message);
  }
}

/** The seqs of the band's events the tab delivered to the app, in order. */
function delivered(tab: BacklineClient, bandId: string): number[] {
  const seqs: number[] = [];
  tab.on('band:event', (event) => {
    if (event.band_id === bandId) seqs.push(event.seq);
  });
  return seqs;
}

async function signedIn(name: string) {
  const user = await signedUpClient(backend, name);
  const token = (await user.client.auth.getSession()).data.session!.access_token;
  return { ...user, session: { userId: user.userId, accessToken: token } };
}

describe('a worker that forgets its tabs', () => {
  it('every tab registers again at its next ping, with its watches from its own last seq: nothing lost, nothing doubled', async () => {
    const alice = await signedIn('alice');
    const bob = await signedUpClient(backend, 'bob');
    const bandId = await bandWith(alice.client, [bob.client]);
    profile = nodeProfile(backend, { outbox: new MemoryOutboxData() });
    const tabs = [await profile.openTab(alice.session), await profile.openTab(alice.session)];
    const seqs = tabs.map((tab) => delivered(tab, bandId));
    const [head] = await Promise.all(tabs.map((tab) => tab.watchBand(bandId).live.then((l) => l.lastSeq)));
    await addSongs(bob.client, bandId, ['before 1', 'before 2']);
    await until(() => seqs.every((s) => s.length === 2));

    // A write sent the moment the worker forgets: the old broker's answer never comes.
    const songId = crypto.randomUUID();
    const written = tabs[0]!.write({ kind: 'song.insert', songId, bandId, fields: { title: 'in flight' } });
    const before = profile.worker.broker.instance;
    profile.worker.forget();
    // Changes while the new worker knows nobody: no channel is subscribed for them yet.
    await addSongs(bob.client, bandId, ['while forgotten 1', 'while forgotten 2']);
    await written;
    await addSongs(bob.client, bandId, ['after']);

    // Two before, two while forgotten, the write in flight and one after: six in the log.
    await until(() => seqs.every((s) => s.length >= 6)).catch(async () => {
      throw new Error(
        `tabs delivered ${JSON.stringify(seqs)}; log ${JSON.stringify(await logSeqs(alice.client, bandId, head!))}`,
      );
    });
    const log = await logSeqs(alice.client, bandId, head!);
    expect(log).toHaveLength(6);
    for (const tabSeqs of seqs) expect(tabSeqs).toEqual(log);
    const { data } = await alice.client.from('songs').select('id').eq('id', songId);
    expect(data).toHaveLength(1);

    const diagnostics = await tabs[0]!.diagnostics();
    expect(diagnostics.instance).not.toBe(before);
    expect(diagnostics.tabs.map((tab) => tab.bands)).toEqual([[bandId], [bandId]]);
    expect(tabs.map((tab) => tab.repairs)).toEqual([1, 1]);
  });

  it('a tab that has not pinged yet registers again at its first call the new worker does not know it for', async () => {
    const alice = await signedIn('alice');
    const bandId = await bandWith(alice.client, [], 'Rehearsals');
    profile = nodeProfile(backend);
    const tab = await profile.openTab(alice.session, { pingIntervalMs: 600_000 });
    await tab.watchBand(bandId).live;
    profile.worker.forget();
    const bands = await tab.bands();
    expect(bands.map((band) => band.name)).toEqual(['Rehearsals']);
    expect(tab.repairs).toBe(1);
    const diagnostics = await tab.diagnostics();
    expect(diagnostics.tabs).toEqual([{ tabId: tab.tabId, userId: alice.userId, bands: [bandId] }]);
  });
});
