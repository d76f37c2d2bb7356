// Sign-out ends the user's outbox in this context: its store connection closes (IndexedDB's would
// otherwise stay open for the life of the worker).
import { describe, expect, it, vi } from 'vitest';
import { MemoryOutboxData, MemoryOutboxStore } from '../../../worker/outbox/memory-outbox-store.js';
import { nodeBroker } from '../../support/node-broker.js';
import { nodeEnvironment } from '../../support/node-environment.js';

const USER = '7d7c9b0e-57d2-4a9f-8f43-2f1f0e1f4b11';

describe('signing out', () => {
  it('closes the outbox store the user’s session opened', async () => {
    const opened: MemoryOutboxStore[] = [];
    const environment = nodeEnvironment({ outbox: new MemoryOutboxData(), opened: (s) => opened.push(s) });
    const { broker, close } = nodeBroker(undefined, undefined, environment);
    try {
      await broker.configure({ supabaseUrl: 'http://127.0.0.1:1', anonKey: 'key' });
      await broker.hello('tab-1', 'lock-1');
      await broker.setSession('tab-1', { userId: USER, accessToken: 'token' });
      expect(await broker.outbox('tab-1')).toEqual({ ok: true, value: [] });
      expect(opened.map((store) => store.closed)).toEqual([false]);

      await broker.setSession('tab-1', null);
      await vi.waitFor(() => expect(opened.map((store) => store.closed)).toEqual([true]));
    } finally {
      close();
    }
  });
});
