// Reconnect delay as a pure function of the attempt: exponential with full jitter
// (AWS "Exponential Backoff and Jitter"), so a fleet of tabs never retries in lockstep.

export interface BackoffPolicy {
  baseMs: number;
  factor: number;
  capMs: number;
  /** Failed attempts in a row after which the connection gives up until a manual retry. */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, factor: 2, capMs: 30_000, maxAttempts: 10 };

/** The ceiling of the delay before retry number `attempt` (1-based). */
export function backoffCeiling(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(policy.capMs, policy.baseMs * policy.factor ** exponent);
}

/** Full jitter: uniform in [0, ceiling). `random` is Math.random in production, fixed in tests. */
export function nextRetryDelay(
  attempt: number,
  random: () => number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  return Math.floor(random() * backoffCeiling(attempt, policy));
}
