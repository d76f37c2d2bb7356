// The whole broker with its outbox, in Node against the real local backend: the outbox in memory
// (worker/outbox/memory-outbox-store.ts) where a browser has IndexedDB. The browser's own parts
// are covered by e2e/outbox-durability.e2e.ts and e2e/offline-writes.e2e.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryOutboxData } from '../../../worker/outbox/memory-outbox-store.js';
import { bandWith, signedUpClient, startTestBackend, until, type Backend } from '../../support/backend.js';
import { signedInBroker } from '../../support/node-broker.js';
import { nodeEnvironment } from '../../support/node-environment.js';

let backend: Backend;
beforeAll(async () => {
  backend = await startTestBackend();
});
afterAll(() => backend.close());

describe('broker with its outbox in Node', () => {
  it('queues a write, sends it, and the watched band delivers its event to the tabs', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client);
    const outbox = new MemoryOutboxData();
    const { broker, events, close } = await signedInBroker(backend, alice, {
      environment: nodeEnvironment({ outbox }),
    });
    try {
      expect((await broker.watchBand('tab-1', bandId)).ok).toBe(true);
      const songId = crypto.randomUUID();
      const queued = await broker.write(
        'tab-1',
        {
          kind: 'song.insert',
          songId,
          bandId,
          fields: { title: 'From the outbox' },
        },
        crypto.randomUUID(),
      );
      expect(queued).toMatchObject({ ok: true, value: [{ status: 'pending', write: { songId } }] });

      const confirmed = () =>
        events.some(
          (e) =>
            e.type === 'outbox:changed' &&
            e.changes.some(
              (c) => c.removed && c.entry.status === 'confirmed' && c.entry.result?.id === songId,
            ),
        );
      await until(confirmed);
      await until(() =>
        events.some((e) => e.type === 'band:event' && e.bandId === bandId && e.event.record_id === songId),
      );
      expect(await broker.outbox('tab-1')).toEqual({ ok: true, value: [] });
      const { data } = await alice.client.from('songs').select('title').eq('id', songId);
      expect(data).toEqual([{ title: 'From the outbox' }]);
    } finally {
      close();
    }
  });
});
