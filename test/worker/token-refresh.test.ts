// A socket whose token expires: the broker asks the tabs for a fresh one (as the outbox does),
// and once a tab hands it over, the socket is back and nothing written meanwhile is lost.
import { describe, expect, it } from 'vitest';
import { bandWith, logSeqs, signedUpClient, until } from '../support/backend.js';
import { useBackend } from '../support/use-backend.js';
import { signedInBroker } from '../support/node-broker.js';

const TTL_SECONDS = 3;

const backend = useBackend({ accessTokenTtlSeconds: TTL_SECONDS });

describe('an expiring token', () => {
  it('asks the tabs for a fresh token, and with it catches up on what was written meanwhile', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const bandId = await bandWith(bob.client, [alice.client]);
    const {
      broker,
      events,
      seqs: delivered,
      close,
    } = await signedInBroker(backend, alice, {
      heartbeatIntervalMs: 300,
    });
    try {
      const live = await broker.watchBand('tab-1', bandId);
      expect(live.ok).toBe(true);
      const head = live.ok ? live.value.lastSeq : 0;
      const seqs = (): number[] => delivered(bandId);

      await until(() => events.some((e) => e.type === 'session:refresh-needed'), (TTL_SECONDS + 5) * 1000);
      // Bob's token has expired too (test clients do not refresh): he signs in again to write.
      await bob.client.auth.signInWithPassword({ email: bob.email, password: bob.password });
      const { error } = await bob.client.from('songs').insert({ band_id: bandId, title: 'While expired' });
      expect(error).toBeNull();
      // Nothing reaches the user on the expired token.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(seqs()).toEqual([]);

      // The tab refreshes (here: signs in again) and hands the new token over.
      const { data } = await alice.client.auth.signInWithPassword({
        email: alice.email,
        password: alice.password,
      });
      await broker.setSession('tab-1', { userId: alice.userId, accessToken: data.session!.access_token });
      const expected = await logSeqs(alice.client, bandId, head);
      await until(() => JSON.stringify(seqs()) === JSON.stringify(expected), 10_000);
      expect(seqs()).toEqual(expected);
    } finally {
      close();
    }
  });
});
