// The heads check against the local backend: a band's last event the socket lost, with no later
// event to show the gap, is fetched when a tab becomes visible or the browser comes back online.
import { describe, expect, it } from 'vitest';
import type { Broker } from '../../worker/broker.js';
import { chaos, metrics } from '../support/admin.js';
import { bandWith, logSeqs, signedUpClient, until } from '../support/backend.js';
import { signedInBroker } from '../support/node-broker.js';
import { useBackend } from '../support/use-backend.js';

const backend = useBackend();

const triggers: [string, (broker: Broker) => Promise<unknown>][] = [
  ['a tab becomes visible', (broker) => broker.tabVisible()],
  ['the browser comes back online', (broker) => broker.networkChanged(true)],
];

describe('heads check against the local backend', () => {
  for (const [trigger, signal] of triggers) {
    it(`fetches a band's lost last event when ${trigger}`, async () => {
      const alice = await signedUpClient(backend, 'alice');
      const bob = await signedUpClient(backend, 'bob');
      const bandId = await bandWith(alice.client, [bob.client]);
      // A minute between heartbeats: the socket never notices the stall by itself here.
      const tab = await signedInBroker(backend, alice, { heartbeatIntervalMs: 60_000 });
      const live = await tab.broker.watchBand('tab-1', bandId);
      const head = live.ok ? live.value.lastSeq : -1;

      const sent = (await metrics(backend)).totals.deliveries;
      await chaos(backend, { action: 'blackhole', ms: 3000 });
      expect((await bob.client.from('songs').insert({ band_id: bandId, title: 'Lost' })).error).toBeNull();
      // The change went out to Alice's socket while its frames were being dropped.
      await until(async () => (await metrics(backend)).totals.deliveries > sent);
      expect((await metrics(backend)).chaos.blackholeUntil).toBeGreaterThan(0);
      await until(async () => (await metrics(backend)).chaos.blackholeUntil === 0);
      expect(tab.seqs(bandId)).toEqual([]);

      await signal(tab.broker);
      const lost = await logSeqs(alice.client, bandId, head);
      await until(() => tab.seqs(bandId).length >= lost.length);
      expect(tab.seqs(bandId)).toEqual(lost);
      tab.close();
    });
  }
});
