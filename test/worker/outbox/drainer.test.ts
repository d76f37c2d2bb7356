// The outbox drainer in Node, on fake timers: in-memory Web Locks, outbox store and channels make
// one browser profile, and each context's drainer sends through a fake server of the test's own.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OutboxDrainer, REST_PROBE_MS, type OutboxContext } from '../../../worker/outbox/drainer.js';
import { MemoryOutboxData, MemoryOutboxStore } from '../../../worker/outbox/memory-outbox-store.js';
import type { Outcome } from '../../../worker/outbox/outbox-queue.js';
import type { OutboxChange } from '../../../contract/protocol.js';
import type { Write } from '../../../contract/writes.js';
import { MemoryChannels } from '../../support/memory-channels.js';
import { MemoryLocks } from '../../support/memory-locks.js';

const USER = '7d7c9b0e-57d2-4a9f-8f43-2f1f0e1f4b11';
const BAND = '6f1c3c8e-2b7a-4d0e-9a51-0c9e8c1b2a3d';
const POLICY = { baseMs: 1000, factor: 2, capMs: 30_000, maxAttempts: 10 };
/** With random() at 0.5, the first retry waits half of the 1 s ceiling. */
const FIRST_BACKOFF_MS = 500;

let songs = 0;
const songId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
function insert(): Write {
  return { kind: 'song.insert', songId: songId(++songs), bandId: BAND, fields: { title: `Song ${songs}` } };
}
function update(): Write {
  return {
    kind: 'song.update',
    songId: songId(++songs),
    bandId: BAND,
    baseVersion: 1,
    fields: { notes: 'x' },
  };
}
const titleOf = (write: Write): string => (write.kind === 'song.insert' ? write.fields.title : write.kind);

const CONFIRMED: Outcome = { kind: 'confirmed', row: undefined };
const OFFLINE: Outcome = { kind: 'retry', message: 'Failed to fetch' };

/** One browser profile: the contexts in it share its locks, its outbox database and its channels. */
function profile() {
  const locks = new MemoryLocks();
  const data = new MemoryOutboxData();
  const channels = new MemoryChannels();

  /** A context (the worker, or a tab in per-tab mode) with the user's outbox open. */
  function context({ tokenFresh = true } = {}) {
    const sent: Write[][] = [];
    const notified: OutboxChange[] = [];
    /** Outcomes the server gives the next sends, in order; confirmed once they run out. */
    const answers: (Outcome | Promise<Outcome>)[] = [];
    let serverBack = 0;
    let tokenRequests = 0;
    /** Whether the fake server answers probes; each probe is counted. */
    let serverUp = false;
    let probes = 0;
    const store = new MemoryOutboxStore(data);
    const takeBatch = vi.spyOn(store, 'takeBatch');
    const hooks: OutboxContext = {
      send: (writes) => {
        sent.push([...writes]);
        const answer = answers.shift() ?? CONFIRMED;
        return Promise.resolve(answer).then((outcome) => writes.map(() => outcome));
      },
      tokenFresh: () => tokenFresh,
      needToken: () => void tokenRequests++,
      notify: (changes) => void notified.push(...changes),
      serverBack: () => void serverBack++,
      reachable: () => {
        probes++;
        return Promise.resolve(serverUp);
      },
    };
    const env = { locks, channel: channels.channel, now: () => Date.now(), random: () => 0.5 };
    const drainer = new OutboxDrainer(USER, store, hooks, env, POLICY, 250);
    return {
      drainer,
      store,
      answers,
      takeBatch,
      /** Titles of the writes each request carried, in order. */
      sent: () => sent.map((writes) => writes.map(titleOf)),
      notified,
      serverBack: () => serverBack,
      tokenRequests: () => tokenRequests,
      setTokenFresh: (fresh: boolean) => (tokenFresh = fresh),
      setServerUp: (up: boolean) => (serverUp = up),
      probes: () => probes,
    };
  }
  return { locks, data, channels, context };
}

/** Runs what is due now: promise chains, channel deliveries and timers at the current time. */
const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
  songs = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('outbox drainer', () => {
  it('drains only in the context that holds the outbox lock', async () => {
    const { context } = profile();
    const worker = context();
    await settle();
    const tab = context();
    await settle();

    await tab.drainer.queueWrite(insert(), crypto.randomUUID());
    await settle();
    expect(worker.sent()).toEqual([['Song 1']]);
    expect(tab.sent()).toEqual([]);
    // The tab hears what became of its write.
    expect(tab.notified.at(-1)).toMatchObject({ removed: true, entry: { write: { songId: songId(1) } } });
  });

  it('hands draining to another context when the lock holder stops, and that one sends what waits', async () => {
    const { context, locks } = profile();
    // The first context's token has expired: its write waits for a fresh one.
    const first = context({ tokenFresh: false });
    await settle();
    const second = context();
    await settle();
    await first.drainer.queueWrite(insert(), crypto.randomUUID());
    await settle();
    expect(first.tokenRequests()).toBe(1);
    expect([first.sent(), second.sent()]).toEqual([[], []]);

    await first.drainer.stop();
    await settle();
    expect(second.sent()).toEqual([['Song 1']]);
    expect(locks.query().held).toEqual([{ name: `backline:outbox:${USER}`, mode: 'exclusive' }]);
  });

  it('retries a batch that could not be sent once its backoff is over, and then it lands', async () => {
    const { context } = profile();
    const worker = context();
    worker.answers.push(OFFLINE);
    await settle();
    await worker.drainer.queueWrite(insert(), crypto.randomUUID());
    await settle();
    expect(worker.sent()).toEqual([['Song 1']]);
    expect(await worker.store.load(USER)).toMatchObject([{ status: 'pending', attempts: 1 }]);

    await vi.advanceTimersByTimeAsync(FIRST_BACKOFF_MS - 1);
    expect(worker.sent()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(worker.sent()).toEqual([['Song 1'], ['Song 1']]);
    expect(await worker.store.load(USER)).toEqual([]);
    expect(worker.notified.at(-1)).toMatchObject({ removed: true, entry: { status: 'confirmed' } });
  });

  it('holds new writes behind the oldest while it backs off, without a pass per write', async () => {
    const { context } = profile();
    const worker = context();
    worker.answers.push(OFFLINE);
    await settle();
    await worker.drainer.queueWrite(insert(), crypto.randomUUID());
    await settle();
    const passes = worker.takeBatch.mock.calls.length;

    await vi.advanceTimersByTimeAsync(100);
    for (let i = 0; i < 3; i++) await worker.drainer.queueWrite(update(), crypto.randomUUID());
    await settle();
    expect(worker.sent()).toEqual([['Song 1']]);
    expect(worker.takeBatch.mock.calls.length).toBe(passes);

    await vi.advanceTimersByTimeAsync(FIRST_BACKOFF_MS);
    expect(worker.sent()).toEqual([
      ['Song 1'],
      ['Song 1'],
      ['song.update'],
      ['song.update'],
      ['song.update'],
    ]);
  });

  it('retries at once when another context wakes the outbox (that context came back online)', async () => {
    const { context } = profile();
    const worker = context();
    worker.answers.push(OFFLINE);
    await settle();
    const tab = context();
    await settle();
    await worker.drainer.queueWrite(insert(), crypto.randomUUID());
    await settle();
    expect(worker.sent()).toHaveLength(1);

    await tab.drainer.wake();
    await settle();
    expect(worker.sent()).toEqual([['Song 1'], ['Song 1']]);
    expect(await worker.store.load(USER)).toEqual([]);
  });

  it('sends backed-off writes at the first probe the server answers, long before their backoff ends', async () => {
    const { context } = profile();
    const worker = context();
    // Failures back off 0.5, 1, 2, 4, 8 s (random 0.5 of each ceiling).
    worker.answers.push(OFFLINE, OFFLINE, OFFLINE, OFFLINE, OFFLINE);
    await settle();
    await worker.drainer.queueWrite(insert(), crypto.randomUUID());
    await settle();
    for (let i = 0; i < 4; i++) await vi.runOnlyPendingTimersAsync();
    const [waiting] = await worker.store.load(USER);
    expect(waiting!.notBefore - Date.now()).toBeGreaterThan(2 * REST_PROBE_MS);
    const sends = worker.sent().length;

    // Down still: a probe finds nothing, and nothing is sent.
    await vi.advanceTimersByTimeAsync(REST_PROBE_MS);
    expect(worker.probes()).toBeGreaterThan(0);
    expect(worker.sent()).toHaveLength(sends);
    // The server is back: the next probe sends the write, with its backoff well ahead.
    worker.setServerUp(true);
    await vi.advanceTimersByTimeAsync(REST_PROBE_MS);
    expect(worker.sent()).toHaveLength(sends + 1);
    expect(await worker.store.load(USER)).toEqual([]);
    expect(Date.now()).toBeLessThan(waiting!.notBefore);
  });

  it('probes only while writes back off: not when the queue is empty, nor after stop', async () => {
    const { context } = profile();
    const worker = context();
    await settle();
    await worker.drainer.queueWrite(insert(), crypto.randomUUID());
    await vi.advanceTimersByTimeAsync(10 * REST_PROBE_MS);
    expect(worker.probes()).toBe(0);

    worker.answers.push(...Array.from({ length: 6 }, () => OFFLINE));
    await worker.drainer.queueWrite(insert(), crypto.randomUUID());
    for (let i = 0; i < 5; i++) await vi.runOnlyPendingTimersAsync();
    await worker.drainer.stop();
    const probes = worker.probes();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(worker.probes()).toBe(probes);
  });

  it('tells every context once when sends reach the server again, so their sockets retry at once', async () => {
    const { context } = profile();
    const worker = context();
    worker.answers.push(OFFLINE);
    await settle();
    const tabs = [context(), context()];
    await settle();
    await worker.drainer.queueWrite(insert(), crypto.randomUUID());
    await settle();
    await vi.advanceTimersByTimeAsync(FIRST_BACKOFF_MS);
    expect(worker.sent()).toHaveLength(2);
    expect([worker.serverBack(), ...tabs.map((tab) => tab.serverBack())]).toEqual([1, 1, 1]);

    await worker.drainer.queueWrite(insert(), crypto.randomUUID());
    await settle();
    expect([worker.serverBack(), ...tabs.map((tab) => tab.serverBack())]).toEqual([1, 1, 1]);
  });

  it('sends nothing more once stopped (sign-out), and lets the lock go', async () => {
    const { context, locks } = profile();
    const worker = context();
    worker.answers.push(OFFLINE);
    await settle();
    await worker.drainer.queueWrite(insert(), crypto.randomUUID());
    await settle();

    await worker.drainer.stop();
    await settle();
    expect(locks.query()).toEqual({ held: [], pending: [] });
    // Its backoff ends, the network comes back, another write is queued: none of it sends.
    await worker.drainer.wake();
    await worker.drainer.queueWrite(insert(), crypto.randomUUID());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(worker.sent()).toEqual([['Song 1']]);
  });

  it('lets a send in flight settle before stop resolves, and sends nothing after it', async () => {
    const { context } = profile();
    const worker = context();
    let answer!: (outcome: Outcome) => void;
    worker.answers.push(new Promise<Outcome>((resolve) => (answer = resolve)));
    await settle();
    await worker.drainer.queueWrite(insert(), crypto.randomUUID());
    await worker.drainer.queueWrite(update(), crypto.randomUUID());
    await settle();
    expect(worker.sent()).toEqual([['Song 1']]);

    let stopped = false;
    const stop = worker.drainer.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    answer(CONFIRMED);
    await stop;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(worker.sent()).toEqual([['Song 1']]);
    // The answer was kept: the confirmed write left the outbox, the update still waits.
    expect((await worker.store.load(USER)).map((e) => e.write.kind)).toEqual(['song.update']);
  });

  it('takes a write sent again under its entry id as the same write: stored once, sent once', async () => {
    const { context } = profile();
    const worker = context();
    await settle();
    const write = insert();
    const id = crypto.randomUUID();
    const first = await worker.drainer.queueWrite(write, id);
    // The tab's call goes again (its worker was replaced) while the first is stored or in flight.
    const again = await worker.drainer.queueWrite(write, id);
    expect(again.map((e) => e.id)).toEqual([id]);
    expect(again[0]?.order).toBe(first[0]?.order);
    await settle();
    expect(worker.sent()).toEqual([['Song 1']]);
    expect(await worker.store.load(USER)).toEqual([]);
  });

  it("refuses an entry id another user's queued write has, and leaves that write alone", async () => {
    const { context, data } = profile();
    const worker = context({ tokenFresh: false });
    await settle();
    const id = crypto.randomUUID();
    await worker.drainer.queueWrite(insert(), id);
    const other = new OutboxDrainer(
      '0b4f0c6e-0000-4000-8000-000000000002',
      new MemoryOutboxStore(data),
      {
        send: () => Promise.resolve([]),
        tokenFresh: () => false,
        needToken: () => undefined,
        notify: () => undefined,
        serverBack: () => undefined,
        reachable: () => Promise.resolve(true),
      },
      {
        locks: new MemoryLocks(),
        channel: new MemoryChannels().channel,
        now: () => Date.now(),
        random: () => 0.5,
      },
      POLICY,
      250,
    );
    await expect(other.queueWrite(insert(), id)).rejects.toThrow(/belongs to another user's queued write/);
    expect((await worker.store.load(USER)).map((e) => [e.id, e.write.kind])).toEqual([[id, 'song.insert']]);
  });
});
