import { describe, expect, it } from 'vitest';
import { BandSequence } from '../../../worker/core/band-sequence.js';
import { syncLog, type LogSyncSteps } from '../../../worker/core/log-sync.js';

interface Event {
  seq: number;
}

/** A band's log on a fake server: reads answer from `events`, pages of `pageSize`. */
function fakeLog(last: number, pageSize: number) {
  const events: Event[] = Array.from({ length: last }, (_, i) => ({ seq: i + 1 }));
  const reads: number[] = [];
  let failNext = 0;
  return {
    events,
    reads,
    failTimes(n: number) {
      failNext = n;
    },
    read(after: number): Promise<Event[]> {
      reads.push(after);
      if (failNext > 0) {
        failNext--;
        return Promise.reject(new Error('fetch failed'));
      }
      return Promise.resolve(events.filter((e) => e.seq > after).slice(0, pageSize));
    },
  };
}

/** The caller's side: a sequence from `start`, recording what it delivered in order. */
function follower(start: number) {
  const sequence = new BandSequence<Event>(start);
  const delivered: number[] = [];
  return {
    sequence,
    delivered,
    apply(page: Event[]) {
      delivered.push(...sequence.receive(page).deliver.map((e) => e.seq));
    },
  };
}

const PAGE = 3;
const noSleep = (pauses: number[]) => (ms: number) => {
  pauses.push(ms);
  return Promise.resolve();
};

function steps(
  log: ReturnType<typeof fakeLog>,
  band: ReturnType<typeof follower>,
  overrides: Partial<LogSyncSteps<Event>> = {},
): LogSyncSteps<Event> {
  return {
    read: (after) => log.read(after),
    apply: (page) => band.apply(page),
    position: () => band.sequence.last,
    current: () => true,
    retryPause: (failures) => 100 * failures,
    sleep: noSleep([]),
    ...overrides,
  };
}

describe('log sync', () => {
  it('fills a gap: delivers everything after the position once, in order, then reports the head reached', async () => {
    const log = fakeLog(7, PAGE);
    const band = follower(2);
    // The live stream jumped ahead: 7 arrived, 3-6 are missing.
    band.apply([{ seq: 7 }]);
    const result = await syncLog(steps(log, band), PAGE);
    expect(band.delivered).toEqual([3, 4, 5, 6, 7]);
    expect(result).toEqual({ kind: 'reached', count: 5 });
  });

  it('reads on past a full page and stops at the first short one', async () => {
    const log = fakeLog(6, PAGE);
    const band = follower(0);
    await syncLog(steps(log, band), PAGE);
    // Two full pages (1-3, 4-6), then an empty one says the head is reached.
    expect(log.reads).toEqual([0, 3, 6]);
    expect(band.delivered).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('after a failed read pauses, then reads again from what did arrive, never skipping', async () => {
    const log = fakeLog(5, PAGE);
    const band = follower(0);
    const pauses: number[] = [];
    const first = log.read.bind(log);
    let call = 0;
    const result = await syncLog(
      steps(log, band, {
        // The first page arrives, the next two reads fail, then the network is back.
        read: (after) => {
          call++;
          if (call === 2 || call === 3) return Promise.reject(new Error('offline'));
          return first(after);
        },
        sleep: noSleep(pauses),
      }),
      PAGE,
    );
    expect(pauses).toEqual([100, 200]);
    expect(log.reads).toEqual([0, 3]);
    expect(band.delivered).toEqual([1, 2, 3, 4, 5]);
    expect(result.kind).toBe('reached');
  });

  it('gives up when the caller says retrying cannot help, and says so', async () => {
    const log = fakeLog(5, PAGE);
    log.failTimes(1);
    const band = follower(0);
    const result = await syncLog(steps(log, band, { retryPause: () => undefined }), PAGE);
    expect(result.kind).toBe('gave-up');
    expect(band.delivered).toEqual([]);
  });

  it('stops applying as soon as it is superseded', async () => {
    const log = fakeLog(9, PAGE);
    const band = follower(0);
    let current = true;
    const result = await syncLog(
      steps(log, band, {
        apply: (page) => {
          band.apply(page);
          current = false; // a newer sync took over after the first page
        },
        current: () => current,
      }),
      PAGE,
    );
    expect(result.kind).toBe('superseded');
    expect(band.delivered).toEqual([1, 2, 3]);
  });

  it('ends early once the caller has nothing more owed', async () => {
    const log = fakeLog(9, PAGE);
    const band = follower(0);
    const result = await syncLog(steps(log, band, { reached: () => band.sequence.last >= 3 }), PAGE);
    expect(log.reads).toEqual([0]);
    expect(result).toEqual({ kind: 'reached', count: 3 });
  });

  it('a resubscribe while a sync reads runs it again, so an event committed meanwhile is fetched', async () => {
    const log = fakeLog(2, PAGE);
    const band = follower(0);
    const from = band.sequence.beginCatchUp();
    expect(from).toBe(0);
    let resubscribed = false;
    const read = (after: number) => {
      const page = log.read(after);
      if (!resubscribed) {
        // The socket came back while the last page was in flight; seq 3 was committed after this
        // read was answered and before the new subscription flowed: only a second pass sees it.
        resubscribed = true;
        expect(band.sequence.beginCatchUp()).toBeUndefined();
        log.events.push({ seq: 3 });
      }
      return page;
    };
    await syncLog(steps(log, band, { read }), PAGE);
    const again = band.sequence.endCatchUp();
    expect(again).toBe(2);
    await syncLog(steps(log, band, { read }), PAGE);
    expect(band.delivered).toEqual([1, 2, 3]);
    expect(band.sequence.endCatchUp()).toBeUndefined();
  });
});
