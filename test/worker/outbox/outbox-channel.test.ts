// The outbox channel is a boundary: any page of the origin can post on it. Junk posted there (on
// Node's real BroadcastChannel) changes nothing and is counted in the diagnostics; the broker
// runs in Node with its outbox in memory, and a backend that never answers.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { outboxChannel } from '../../../contract/names.js';
import type { OutboxEntry } from '../../../contract/writes.js';
import { MemoryOutboxData, type MemoryOutboxStore } from '../../../worker/outbox/memory-outbox-store.js';
import { nodeBroker, type NodeBroker } from '../../support/node-broker.js';
import { nodeEnvironment } from '../../support/node-environment.js';

const USER = '7d7c9b0e-57d2-4a9f-8f43-2f1f0e1f4b11';
const OTHER_USER = '0b5e5a43-9e2f-4d8e-b1a4-5a1c2f9d7e60';
const BAND = '6f1c3c8e-2b7a-4d0e-9a51-0c9e8c1b2a3d';
const SONG = '3a9d4d1e-7c2b-4f6a-9e8d-1b2c3d4e5f60';

const entry = (patch: Partial<OutboxEntry> = {}): OutboxEntry => ({
  id: 'e1',
  order: 1,
  userId: USER,
  write: { kind: 'song.insert', songId: SONG, bandId: BAND, fields: { title: 'Tune' } },
  record: SONG,
  status: 'sending',
  attempts: 0,
  notBefore: 0,
  error: undefined,
  theirs: undefined,
  createdAt: 1,
  ...patch,
});

const JUNK: unknown[] = [
  null,
  'changed',
  42,
  [],
  {},
  { type: 'drain-now' },
  { type: 'entries' },
  { type: 'entries', changes: 'all of them' },
  { type: 'entries', changes: [] },
  { type: 'entries', changes: [{ entry: entry() }] },
  { type: 'entries', changes: [{ entry: { id: 'e1' }, removed: false }] },
  // Another user's entry, a write the boundary would refuse, an entry whose record is not its write's.
  { type: 'entries', changes: [{ entry: entry({ userId: OTHER_USER }), removed: false }] },
  {
    type: 'entries',
    changes: [
      {
        entry: entry({ write: { kind: 'song.insert', songId: SONG, bandId: BAND, fields: { title: '' } } }),
        removed: false,
      },
    ],
  },
  { type: 'entries', changes: [{ entry: entry({ record: 'another-song' }), removed: false }] },
  // One bad entry spoils the message: nothing of it is applied.
  {
    type: 'entries',
    changes: [
      { entry: entry(), removed: false },
      { entry: entry({ status: 'done' as OutboxEntry['status'] }), removed: true },
    ],
  },
];

let node: NodeBroker | undefined;
let page: BroadcastChannel | undefined;
afterEach(() => {
  node?.close();
  page?.close();
});

/** A signed-in broker with its outbox open; its store counts the passes that read it. */
async function brokerWithOutbox() {
  const stores: MemoryOutboxStore[] = [];
  const environment = nodeEnvironment({
    outbox: new MemoryOutboxData(),
    opened: (store) => void stores.push(store),
  });
  node = nodeBroker(undefined, undefined, environment);
  const { broker } = node;
  await broker.configure({ supabaseUrl: 'http://127.0.0.1:1', anonKey: 'key' });
  await broker.hello('tab-1', 'lock-1');
  await broker.setSession('tab-1', { userId: USER, accessToken: 'token' });
  expect(await broker.outbox('tab-1')).toEqual({ ok: true, value: [] });
  const passes = vi.spyOn(stores[0]!, 'takeBatch');
  const junkDropped = async () => (await broker.diagnostics()).users[0]!.outboxJunkDropped;
  const outboxEvents = () => node!.events.filter((e) => e.type === 'outbox:changed');
  return { broker, passes, junkDropped, outboxEvents };
}

/** Node's BroadcastChannel delivers when the event loop turns: wait for the drops, then a moment. */
async function quiet(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('the outbox channel', () => {
  it('ignores junk a page posts there and counts it, telling no tab and draining nothing', async () => {
    const { passes, junkDropped, outboxEvents } = await brokerWithOutbox();
    await quiet();
    const passesBefore = passes.mock.calls.length;
    expect(await junkDropped()).toBe(0);

    page = new BroadcastChannel(outboxChannel(USER));
    for (const junk of JUNK) page.postMessage(junk);
    await vi.waitFor(async () => expect(await junkDropped()).toBe(JUNK.length));
    await quiet();
    expect(outboxEvents()).toEqual([]);
    expect(passes.mock.calls.length).toBe(passesBefore);
  });

  it('acts on the same messages when they are well-formed', async () => {
    const { passes, junkDropped, outboxEvents } = await brokerWithOutbox();
    await quiet();
    const passesBefore = passes.mock.calls.length;

    page = new BroadcastChannel(outboxChannel(USER));
    page.postMessage({ type: 'changed' });
    page.postMessage({ type: 'entries', changes: [{ entry: entry(), removed: false }] });
    await vi.waitFor(() => expect(outboxEvents()).toHaveLength(1));
    expect(outboxEvents()[0]).toMatchObject({ changes: [{ entry: entry(), removed: false }] });
    await vi.waitFor(() => expect(passes.mock.calls.length).toBeGreaterThan(passesBefore));
    expect(await junkDropped()).toBe(0);
  });
});
