import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BandEvent } from '../../contract/schema.js';
import { BandDelivery, resumePause, type BandBusEvent } from '../../src/client/band-delivery.js';
import { EVENTS_PAGE } from '../../contract/protocol.js';

const event = (seq: number, bandId = 'b'): BandEvent => ({
  band_id: bandId,
  seq,
  table_name: 'songs',
  record_id: `song-${seq}`,
  op: 'INSERT',
  record: { title: `Song ${seq}` },
  old_record: null,
  actor: null,
  at: '',
});
/** A band event as the bus carries it. */
const onBus = (e: BandEvent): BandBusEvent => ({
  type: 'band:event',
  userId: 'u',
  bandId: e.band_id,
  event: e,
});
const range = (from: number, to: number): BandEvent[] =>
  Array.from({ length: to - from + 1 }, (_, i) => event(from + i));

/** A delivery whose fetches answer from `log` (the band's whole history), or fail on demand. */
function harness(log: BandEvent[] = []) {
  const delivered: number[] = [];
  const fetches: number[] = [];
  let failing: Error | undefined;
  const told: string[] = [];
  const delivery = new BandDelivery(
    {
      bandEvent: (e) => delivered.push(e.seq),
      bandLive: ({ bandId, lastSeq }) => told.push(`live ${bandId} ${lastSeq}`),
      bandCaughtUp: ({ bandId, count }) => told.push(`caught up ${bandId} ${count}`),
    },
    {
      eventsAfter: (_bandId, seq) => {
        fetches.push(seq);
        if (failing) return Promise.reject(failing);
        return Promise.resolve(log.filter((e) => e.seq > seq).slice(0, EVENTS_PAGE));
      },
      lostBand: (error) => error instanceof Error && error.message === 'not_member',
    },
  );
  return {
    delivery,
    delivered,
    told,
    fetches,
    fail: (error: Error | undefined) => (failing = error),
  };
}

describe('band delivery', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('delivers a watched band once and in order, and drops what a replaced broker repeats', () => {
    const { delivery, delivered } = harness();
    delivery.watch('b');
    delivery.live('b', 3);
    for (const seq of [4, 5, 5, 3, 6]) delivery.received(onBus(event(seq)));
    delivery.received(onBus(event(1, 'other band')));
    expect(delivered).toEqual([4, 5, 6]);
  });

  it('hands on band:live and band:caught-up of watched bands only; live sets where the band starts', () => {
    const { delivery, delivered, told } = harness();
    delivery.watch('b');
    for (const bandId of ['b', 'other band']) {
      delivery.received({ type: 'band:live', userId: 'u', bandId, lastSeq: 7 });
      delivery.received({ type: 'band:caught-up', userId: 'u', bandId, count: 2 });
    }
    for (const seq of [7, 8]) delivery.received(onBus(event(seq)));
    expect(told).toEqual(['live b 7', 'caught up b 2']);
    expect(delivered).toEqual([8]);
  });

  it('counts watches: the band is forgotten only when the last one ends', () => {
    const { delivery } = harness();
    delivery.watch('b');
    delivery.watch('b');
    expect(delivery.unwatch('b')).toBe(false);
    expect(delivery.isWatched('b')).toBe(true);
    expect(delivery.unwatch('b')).toBe(true);
    expect(delivery.bands()).toEqual([]);
  });

  it('after a move, fetches the gap in pages, then releases the held live events, each once', async () => {
    const log = range(1, 2 * EVENTS_PAGE + 10);
    const { delivery, delivered, fetches } = harness(log);
    delivery.watch('b');
    delivery.live('b', 0);
    for (const e of range(1, 5)) delivery.received(onBus(e));
    const resume = delivery.holdLiveEvents('b')!;
    // The new broker is live from its own head and sends on while the gap is fetched.
    const tail = log.slice(-3);
    for (const e of [tail[2]!, tail[0]!, tail[1]!]) delivery.received(onBus(e));
    expect(delivered).toHaveLength(5);
    await resume();
    expect(delivered).toEqual(log.map((e) => e.seq));
    // Full pages ask for more; the last, short one ends the gap before the held events.
    expect(fetches).toEqual([5, 5 + EVENTS_PAGE, 5 + 2 * EVENTS_PAGE]);
  });

  it('reads the gap ahead, before the band is live on the new broker, and then only what is left', async () => {
    const log = range(1, 8);
    const { delivery, delivered, fetches } = harness(log.slice(0, 6));
    delivery.watch('b');
    delivery.live('b', 0);
    delivery.received(onBus(event(1)));
    const resume = delivery.holdLiveEvents('b')!;
    delivery.readAhead('b');
    await vi.advanceTimersByTimeAsync(0);
    // The new broker is not live yet: the gap up to the log's head is on screen already.
    expect(delivered).toEqual([1, 2, 3, 4, 5, 6]);
    // Committed while the band went live there, and its first live event.
    log.slice(6).forEach((e) => delivery.received(onBus(e)));
    await resume();
    expect(delivered).toEqual(log.map((e) => e.seq));
    // One read, ahead: the held events start right after it.
    expect(fetches).toEqual([1]);
  });

  it('needs no fetch when the held events start right after the last delivered', async () => {
    const { delivery, delivered, fetches } = harness(range(1, 4));
    delivery.watch('b');
    delivery.live('b', 0);
    delivery.received(onBus(event(1)));
    const resume = delivery.holdLiveEvents('b')!;
    delivery.received(onBus(event(2)));
    await resume();
    expect(fetches).toEqual([]);
    expect(delivered).toEqual([1, 2]);
  });

  it('retries a failed fetch after a pause instead of releasing held events over the gap', async () => {
    const { delivery, delivered, fetches, fail } = harness(range(1, 6));
    delivery.watch('b');
    delivery.live('b', 0);
    delivery.received(onBus(event(1)));
    const resume = delivery.holdLiveEvents('b')!;
    delivery.received(onBus(event(6)));
    fail(new Error('network'));
    const done = resume();
    await vi.advanceTimersByTimeAsync(resumePause(1) + resumePause(2) - 1);
    expect(fetches).toEqual([1, 1]);
    expect(delivered).toEqual([1]);
    fail(undefined);
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(delivered).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('ends the resume when the user lost the band, and a newer move supersedes an older one', async () => {
    const lost = harness(range(1, 3));
    lost.delivery.watch('b');
    lost.delivery.live('b', 0);
    const ended = lost.delivery.holdLiveEvents('b')!;
    lost.delivery.received(onBus(event(3)));
    lost.fail(new Error('not_member'));
    await ended();
    expect(lost.delivered).toEqual([3]);

    const moved = harness(range(1, 4));
    moved.delivery.watch('b');
    moved.delivery.live('b', 0);
    moved.delivery.received(onBus(event(1)));
    const first = moved.delivery.holdLiveEvents('b')!;
    const second = moved.delivery.holdLiveEvents('b')!;
    moved.delivery.received(onBus(event(4)));
    await first();
    expect(moved.delivered).toEqual([1]);
    await second();
    expect(moved.delivered).toEqual([1, 2, 3, 4]);
  });

  it('starts a band it has delivered nothing of from the new broker’s head', () => {
    const { delivery } = harness();
    delivery.watch('b');
    expect(delivery.holdLiveEvents('b')).toBeUndefined();
  });

  it('pauses 250 ms doubling to 5 s between failed fetches', () => {
    expect([1, 2, 3, 4, 5, 6, 9].map(resumePause)).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
  });
});
