// Supabase's per-socket rate quotas as pure values: a fixed one-second window per counter.
// The session keeps one RateWindow per quota and asks `admit` with the current time.

export interface RateWindow {
  readonly startedAt: number;
  readonly count: number;
}

export const FRESH_WINDOW: RateWindow = { startedAt: -Infinity, count: 0 };

const WINDOW_MS = 1000;

/** Counts one event at `now`; `allowed` is false once more than `perSecond` fall in one window. */
export function admit(
  window: RateWindow,
  now: number,
  perSecond: number,
): { window: RateWindow; allowed: boolean } {
  const current = now - window.startedAt >= WINDOW_MS ? { startedAt: now, count: 0 } : window;
  const next = { startedAt: current.startedAt, count: current.count + 1 };
  return { window: next, allowed: next.count <= perSecond };
}

/** Supabase's wording for each refusal, at connect, at join and while joined. */
export const QUOTA_ERRORS = {
  connections: 'Too many connected users',
  channels: 'ChannelRateLimitReached: Too many channels',
  joins: 'ClientJoinRateLimitReached: Too many joins per second',
  messages: 'Too many messages per second',
} as const;

export const payloadTooLarge = (size: number, limit: number): string =>
  `PayloadTooLarge: ${size} bytes is over the limit of ${limit} bytes`;
