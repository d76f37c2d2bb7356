import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffCeiling, nextRetryDelay } from '../../../worker/core/backoff.js';

describe('nextRetryDelay', () => {
  it('doubles the ceiling from 1 s per attempt and caps it at 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffCeiling(n))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
  });

  it('spreads delays over the whole range below the ceiling (full jitter)', () => {
    expect(nextRetryDelay(3, () => 0)).toBe(0);
    expect(nextRetryDelay(3, () => 0.5)).toBe(2000);
    expect(nextRetryDelay(3, () => 0.999999)).toBe(3999);
  });

  it('stays within [0, ceiling) for any random value and attempt', () => {
    for (let attempt = 1; attempt <= 15; attempt++) {
      for (const r of [0, 0.1, 0.37, 0.5, 0.81, 0.9999999]) {
        const delay = nextRetryDelay(attempt, () => r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(backoffCeiling(attempt));
        expect(delay).toBeLessThan(DEFAULT_BACKOFF.capMs);
      }
    }
  });
});
