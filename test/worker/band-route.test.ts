// Band events reach only the tabs watching the band, over each tab's own port, as the SharedWorker
// sends them (WorkerFanout): the broker core in Node against the real local backend, with real
// MessageChannels for the tabs' ports. Two users share the broker, as two people in one profile.
import WebSocket from 'ws';
import type { WebSocketLikeConstructor } from '@supabase/realtime-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { BandMessage } from '../../contract/protocol.js';
import { Broker } from '../../worker/broker.js';
import { WorkerFanout } from '../../worker/fanout.js';
import { bandWith, signedUpClient, until, type Client } from '../support/backend.js';
import { MemoryChannels } from '../support/memory-channels.js';
import { nodeEnvironment } from '../support/node-environment.js';
import { useBackend } from '../support/use-backend.js';

const backend = useBackend();

interface Tab {
  /** Every message on the tab's band port, as it came. */
  messages: BandMessage[];
  songsOf(bandId: string): number;
}

const opened: (() => void)[] = [];
afterEach(() => opened.splice(0).forEach((close) => close()));

function sharedBroker(): Broker {
  const broker = new Broker({
    mode: 'tab',
    modeReason: 'node test',
    generation: 0,
    environment: nodeEnvironment(),
    fanout: new WorkerFanout(new MemoryChannels().channel),
    graceMs: 50,
    connection: {
      transport: WebSocket as unknown as WebSocketLikeConstructor,
      policy: { baseMs: 50, factor: 2, capMs: 500, maxAttempts: 50 },
    },
  });
  opened.push(() => broker.shutdown());
  return broker;
}

/** A tab as the client registers it: hello, its band port handed over, its user's session. */
async function openTab(
  broker: Broker,
  tabId: string,
  user: { client: Client; userId: string },
): Promise<Tab> {
  const { port1, port2 } = new MessageChannel();
  const messages: BandMessage[] = [];
  port1.onmessage = ({ data }: MessageEvent<BandMessage>) => messages.push(data);
  opened.push(() => port1.close());
  expect((await broker.hello(tabId, `lock-${tabId}`)).ok).toBe(true);
  expect(await broker.bandPort(tabId, port2)).toEqual({ ok: true, value: null });
  const token = (await user.client.auth.getSession()).data.session!.access_token;
  expect((await broker.setSession(tabId, { userId: user.userId, accessToken: token })).ok).toBe(true);
  return {
    messages,
    songsOf: (bandId) =>
      messages
        .flatMap((m) => m.events)
        .filter((e) => e.type === 'band:event' && e.bandId === bandId && e.event.table_name === 'songs')
        .length,
  };
}

async function addSong(writer: Client, bandId: string): Promise<void> {
  const { error } = await writer.from('songs').insert({ band_id: bandId, title: 'Song' });
  if (error) throw new Error(error.message);
}

/** Every band and user named in any message a tab heard. */
const heard = (tab: Tab): { bands: string[]; users: string[] } => {
  const events = tab.messages.flatMap((m) => m.events);
  return {
    bands: [...new Set(events.map((e) => e.bandId))],
    users: [...new Set(events.map((e) => e.userId))],
  };
};

describe('band events reach only the tabs watching the band', () => {
  it('a tab watching band A gets no message for band B’s events, nor for another user’s', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const carol = await signedUpClient(backend, 'carol');
    const [bandA, bandB] = [await bandWith(alice.client), await bandWith(alice.client)];
    const bandC = await bandWith(carol.client);
    const broker = sharedBroker();
    await broker.configure({ supabaseUrl: backend.url, anonKey: backend.anonKey, heartbeatIntervalMs: 300 });
    const tabA = await openTab(broker, 'tab-a', alice);
    const tabB = await openTab(broker, 'tab-b', alice);
    const tabC = await openTab(broker, 'tab-c', carol);
    expect((await broker.watchBand('tab-a', bandA)).ok).toBe(true);
    expect((await broker.watchBand('tab-b', bandB)).ok).toBe(true);
    expect((await broker.watchBand('tab-c', bandC)).ok).toBe(true);

    // Each band's events in turn, each waited for where it belongs: a message routed to the
    // wrong tab would have been posted before the next band's, which that tab then waits for.
    await addSong(alice.client, bandB);
    await addSong(carol.client, bandC);
    await until(() => tabB.songsOf(bandB) === 1 && tabC.songsOf(bandC) === 1);
    await addSong(alice.client, bandA);
    await until(() => tabA.songsOf(bandA) === 1);
    await addSong(alice.client, bandB);
    await addSong(carol.client, bandC);
    await until(() => tabB.songsOf(bandB) === 2 && tabC.songsOf(bandC) === 2);
    await addSong(alice.client, bandA);
    await until(() => tabA.songsOf(bandA) === 2);

    expect(heard(tabA)).toEqual({ bands: [bandA], users: [alice.userId] });
    expect(heard(tabB)).toEqual({ bands: [bandB], users: [alice.userId] });
    expect(heard(tabC)).toEqual({ bands: [bandC], users: [carol.userId] });
  });

  it('a tab that stops watching a band hears no more of it, while the tab still watching does', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const [bandA, bandB] = [await bandWith(alice.client), await bandWith(alice.client)];
    const broker = sharedBroker();
    await broker.configure({ supabaseUrl: backend.url, anonKey: backend.anonKey, heartbeatIntervalMs: 300 });
    const stays = await openTab(broker, 'tab-1', alice);
    const leaves = await openTab(broker, 'tab-2', alice);
    for (const tabId of ['tab-1', 'tab-2']) expect((await broker.watchBand(tabId, bandA)).ok).toBe(true);
    expect((await broker.watchBand('tab-2', bandB)).ok).toBe(true);
    await addSong(alice.client, bandA);
    await until(() => stays.songsOf(bandA) === 1 && leaves.songsOf(bandA) === 1);
    expect((await broker.unwatchBand('tab-2', bandA)).ok).toBe(true);
    await addSong(alice.client, bandA);
    await until(() => stays.songsOf(bandA) === 2);
    // Band B, which tab-2 still watches, comes after on the same port: A's would have come first.
    await addSong(alice.client, bandB);
    await until(() => leaves.songsOf(bandB) === 1);
    expect(leaves.songsOf(bandA)).toBe(1);
  });
});
