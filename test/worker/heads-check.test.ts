// The heads check's effects on fake timers: how many band_heads requests go out, and when.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { headsPolicyFor } from '../../worker/core/heads-schedule.js';
import { HeadsCheck } from '../../worker/heads-check.js';

interface Request {
  bands: string[];
  answer(heads: Map<string, number>): void;
}

/** A band feed with `bands` live, and a log whose band_heads requests the test answers. */
function setUp(bands = ['a', 'b', 'c'], clock = { now: () => Date.now(), random: () => 0.5 }) {
  const requests: Request[] = [];
  const seen: Map<string, number>[] = [];
  const check = new HeadsCheck(
    headsPolicyFor(5000),
    clock,
    { liveBands: () => bands, headsSeen: (heads) => void seen.push(new Map(heads)) },
    {
      heads: (ids) =>
        new Promise((answer) => {
          requests.push({ bands: ids, answer });
        }),
    },
  );
  return { check, requests, seen };
}

/** Answers every request so far, and lets the check see the answer. */
async function answerAll(requests: Request[], heads = new Map<string, number>()): Promise<void> {
  for (const request of requests) request.answer(heads);
  await vi.advanceTimersByTimeAsync(0);
}

/** Live, with one check (a tab's becoming visible) answered. */
async function checkedOnce({ check, requests }: ReturnType<typeof setUp>): Promise<void> {
  check.live();
  check.suspicious('visible');
  await vi.advanceTimersByTimeAsync(100);
  await answerAll(requests.splice(0));
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('heads check', () => {
  it('asks for every live band in one request and hands the heads to the feed', async () => {
    const { check, requests, seen } = setUp(['a', 'b', 'c']);
    check.live();
    check.suspicious('online');
    await vi.advanceTimersByTimeAsync(100);
    expect(requests.map((r) => r.bands)).toEqual([['a', 'b', 'c']]);
    await answerAll(requests, new Map([['a', 7]]));
    expect(seen).toEqual([new Map([['a', 7]])]);
  });

  it('checks when its timer fires a little before the clock reaches the time it was set for', async () => {
    // Node's Date.now and its timers are separate clocks: a timer can fire a millisecond "early".
    let lag = 0;
    const { check, requests } = setUp(['a'], { now: () => Date.now() - lag, random: () => 0.5 });
    check.live();
    check.suspicious('online');
    lag = 1;
    await vi.advanceTimersByTimeAsync(100);
    expect(requests.map((r) => r.bands)).toEqual([['a']]);
  });

  it('sends one request for many triggers at once', async () => {
    const setup = setUp();
    const { check, requests } = setup;
    await checkedOnce(setup);
    for (let tab = 0; tab < 5; tab++) check.suspicious('visible');
    check.suspicious('online');
    await vi.advanceTimersByTimeAsync(1000);
    expect(requests).toHaveLength(1);
  });

  it('never has two requests in flight: triggers meanwhile give one more after it', async () => {
    const { check, requests } = setUp();
    check.live();
    check.suspicious('visible');
    await vi.advanceTimersByTimeAsync(100);
    check.suspicious('visible');
    check.suspicious('online');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(requests).toHaveLength(1);
    await answerAll(requests.splice(0));
    await vi.advanceTimersByTimeAsync(100);
    expect(requests).toHaveLength(1);
  });

  it('waits for a request still in flight from before the socket went down and up', async () => {
    const { check, requests } = setUp();
    check.live();
    check.suspicious('visible');
    await vi.advanceTimersByTimeAsync(100);
    check.down();
    check.live();
    check.suspicious('visible');
    await vi.advanceTimersByTimeAsync(1000);
    expect(requests).toHaveLength(1);
    await answerAll(requests.splice(0));
    expect(requests).toHaveLength(1);
  });

  it('asks twice a minute while idle', async () => {
    const setup = setUp();
    const { requests } = setup;
    await checkedOnce(setup);
    let asked = 0;
    for (let second = 0; second < 120; second++) {
      await vi.advanceTimersByTimeAsync(1000);
      asked += requests.length;
      await answerAll(requests.splice(0));
    }
    expect(asked).toBe(4);
  });

  it('asks during a stall, before the heartbeat gives up on the socket', async () => {
    const setup = setUp();
    const { check, requests } = setup;
    await checkedOnce(setup);
    check.heartbeat({ type: 'sent' });
    await vi.advanceTimersByTimeAsync(2400);
    expect(requests).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(requests).toHaveLength(1);
  });

  it('sends nothing while the socket is down or the user signed out', async () => {
    const { check, requests } = setUp();
    check.suspicious('visible');
    check.heartbeat({ type: 'sent' });
    await vi.advanceTimersByTimeAsync(60_000);
    check.live();
    check.down();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(requests).toHaveLength(0);
  });

  it('sends nothing when no band is live', async () => {
    const { check, requests } = setUp([]);
    check.live();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(requests).toHaveLength(0);
  });
});
