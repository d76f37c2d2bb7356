// The rate window behind the joins- and messages-per-second quotas, on fake time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FRESH_WINDOW, admit, type RateWindow } from '../../../server/realtime/quotas.js';

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

function admitMany(window: RateWindow, n: number, limit: number): { window: RateWindow; allowed: boolean[] } {
  const allowed: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const result = admit(window, Date.now(), limit);
    window = result.window;
    allowed.push(result.allowed);
  }
  return { window, allowed };
}

describe('admit', () => {
  it('allows up to the limit within one second and refuses the next', () => {
    const { allowed } = admitMany(FRESH_WINDOW, 4, 3);
    expect(allowed).toEqual([true, true, true, false]);
  });

  it('starts a new window a second after the first event of the last one', () => {
    let { window } = admitMany(FRESH_WINDOW, 3, 3);
    vi.advanceTimersByTime(999);
    expect(admit(window, Date.now(), 3).allowed).toBe(false);
    vi.advanceTimersByTime(1);
    ({ window } = admitMany(window, 3, 3));
    expect(window.count).toBe(3);
    expect(admit(window, Date.now(), 3).allowed).toBe(false);
  });

  it('keeps counting refused events, so a flood stays refused until the window ends', () => {
    const { window, allowed } = admitMany(FRESH_WINDOW, 10, 2);
    expect(allowed.filter(Boolean)).toHaveLength(2);
    expect(window.count).toBe(10);
  });
});
