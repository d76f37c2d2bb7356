// When the broker may send its next channel join: never more than a budget in any one-second
// window, each join as early as that allows, in the order asked. Supabase caps joins per second
// per project (100 on the free plan, 500 on pro) and suspends projects in a reconnection loop;
// one broker's joins all pass here, whichever of its users' sockets they are for.

export const JOIN_WINDOW_MS = 1000;

/**
 * A profile's share of the project's join budget (BrokerConfig.joinsPerSecond): a tenth of the
 * free plan's 100/s. No broker knows how many others there are; a reconnect is two joins for
 * nearly every user (memberships, and one shard per 100 bands), so this binds only on big
 * accounts and on many sessions in one profile, and the backoff's full jitter spreads profiles.
 */
export const DEFAULT_JOINS_PER_SECOND = 10;

/**
 * The earliest time at or after `now` for one more join, given the times granted so far (oldest
 * first): the join `perSecond` places back must be a whole window earlier. So every window of
 * one second holds at most `perSecond` grants.
 */
export function nextJoinAt(granted: readonly number[], now: number, perSecond: number): number {
  const bound = granted[granted.length - perSecond];
  return bound === undefined ? now : Math.max(now, bound + JOIN_WINDOW_MS);
}

/** What a channel join waits on before it is sent. */
export interface JoinGate {
  take(): Promise<void>;
}

export class JoinPacer implements JoinGate {
  /** The last `perSecond` grant times: all that decides the next. */
  private granted: number[] = [];

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number,
  ) {}

  /** Resolves when the next join may be sent (at once while under the budget). */
  async take(): Promise<void> {
    const now = this.now();
    const at = nextJoinAt(this.granted, now, this.perSecond);
    this.granted = [...this.granted, at].slice(-this.perSecond);
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }
}
