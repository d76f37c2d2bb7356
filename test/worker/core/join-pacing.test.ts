import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JOIN_WINDOW_MS, JoinPacer, nextJoinAt } from '../../../worker/core/join-pacing.js';

/** The most grants in any window of one second (half-open, starting at any grant). */
const busiestWindow = (times: readonly number[]): number =>
  Math.max(0, ...times.map((start) => times.filter((t) => t >= start && t < start + JOIN_WINDOW_MS).length));

describe('join pacing', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => vi.useRealTimers());

  it('sends a burst of joins at the budget: never more in any one-second window, none later than needed', async () => {
    const pacer = new JoinPacer(10, () => Date.now());
    const sent: number[] = [];
    const joins = Array.from({ length: 35 }, () => pacer.take().then(() => sent.push(Date.now())));
    await vi.advanceTimersByTimeAsync(5000);
    await Promise.all(joins);
    expect(sent).toHaveLength(35);
    expect(busiestWindow(sent)).toBe(10);
    expect(sent.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(sent.at(-1)).toBe(3000);
  });

  it('a join after a quiet second goes at once', async () => {
    const pacer = new JoinPacer(2, () => Date.now());
    await Promise.all([pacer.take(), pacer.take()]);
    await vi.advanceTimersByTimeAsync(JOIN_WINDOW_MS);
    let sentAt: number | undefined;
    void pacer.take().then(() => (sentAt = Date.now()));
    await vi.advanceTimersByTimeAsync(0);
    expect(sentAt).toBe(JOIN_WINDOW_MS);
  });

  it('for any arrivals and budget: at most the budget per window, in order, never before asked, as early as allowed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 80 }),
        (perSecond, arrivals) => {
          const asked = [...arrivals].sort((a, b) => a - b);
          const granted: number[] = [];
          for (const now of asked) granted.push(nextJoinAt(granted, now, perSecond));
          expect(busiestWindow(granted)).toBeLessThanOrEqual(perSecond);
          granted.forEach((at, i) => {
            expect(at).toBeGreaterThanOrEqual(asked[i]!);
            if (i > 0) expect(at).toBeGreaterThanOrEqual(granted[i - 1]!);
            // Earlier would put one join too many in some window: it is asked's time or a window's end.
            const bound = granted[i - perSecond];
            expect(at === asked[i] || (bound !== undefined && at === bound + JOIN_WINDOW_MS)).toBe(true);
          });
        },
      ),
    );
  });
});
